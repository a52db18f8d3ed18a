/** Start-up: read /config.json, finish a hosted sign-in if this is its redirect, then render. */

import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { ApiProvider } from "./api/ApiContext";
import { createExecute } from "./api/graphqlClient";
import { createQueryClient } from "./api/queryClient";
import { AuthSession } from "./auth/authSession";
import { configUrl, loadConfig } from "./config";
import "./styles.css";

async function start(rootElement: HTMLElement): Promise<void> {
  const root = createRoot(rootElement);
  try {
    const config = await loadConfig(configUrl(import.meta.env, window.location.href));
    const session = new AuthSession(config.auth);
    await session.finishHostedSignIn();
    const execute = createExecute({ apiUrl: config.apiUrl, token: () => session.token() });
    root.render(
      <StrictMode>
        <QueryClientProvider client={createQueryClient(session)}>
          <ApiProvider api={{ execute, session }}>
            <App />
          </ApiProvider>
        </QueryClientProvider>
      </StrictMode>,
    );
  } catch (error) {
    root.render(<StartupFailure message={error instanceof Error ? error.message : String(error)} />);
  }
}

function StartupFailure({ message }: { message: string }) {
  return (
    <main id="main-content">
      <h1>The shop could not start</h1>
      <p className="error">{message}</p>
      <button type="button" className="primary" onClick={() => window.location.reload()}>
        Try again
      </button>
    </main>
  );
}

const rootElement = document.getElementById("root");
if (rootElement) void start(rootElement);

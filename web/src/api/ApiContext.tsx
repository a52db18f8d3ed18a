/** What every page reaches for: the GraphQL client and the signed-in session. */

import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";

import type { AuthSession, SessionState } from "../auth/authSession";
import type { Execute } from "./graphqlClient";

interface Api {
  execute: Execute;
  session: AuthSession;
}

const ApiContext = createContext<Api | null>(null);

export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return <ApiContext value={api}>{children}</ApiContext>;
}

function useApi(): Api {
  const api = useContext(ApiContext);
  if (api === null) throw new Error("useApi outside ApiProvider");
  return api;
}

export function useExecute(): Execute {
  return useApi().execute;
}

export function useAuthSession(): AuthSession {
  return useApi().session;
}

/** Signed in or out; re-renders on sign-in, sign-out and a refused token. */
export function useSessionState(): SessionState {
  const session = useAuthSession();
  return useSyncExternalStore(session.subscribe, session.getState);
}

/** Runtime settings from /config.json, read once at start-up: where the API is and how to sign in. */

import type { CognitoSettings } from "./auth/pkce";

export type AuthSettings = { mode: "local"; devTokenUrl: string } | ({ mode: "cognito" } & CognitoSettings);

export interface AppConfig {
  /** Absolute: a relative apiUrl is read against the URL config.json came from. */
  apiUrl: string;
  auth: AuthSettings;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

// `order-delivery serve`'s default address; VITE_API_ORIGIN names another.
export const DEFAULT_DEV_API_ORIGIN = "http://127.0.0.1:8000";

interface ConfigEnvironment {
  DEV: boolean;
  VITE_API_ORIGIN?: string | undefined;
}

/** Beside the app when it is served; from the API's origin under `npm run dev`. */
export function configUrl(env: ConfigEnvironment, pageUrl: string): string {
  if (!env.DEV) return new URL("/config.json", pageUrl).href;
  return new URL("/config.json", env.VITE_API_ORIGIN || DEFAULT_DEV_API_ORIGIN).href;
}

export function parseConfig(raw: unknown, fromUrl: string): AppConfig {
  if (!isRecord(raw)) throw new ConfigError("config.json is not a JSON object.");
  const apiUrl = new URL(requiredText(raw, "apiUrl"), fromUrl).href;
  const auth = raw.auth;
  if (!isRecord(auth)) throw new ConfigError("config.json has no auth object.");
  switch (auth.mode) {
    case "local":
      // The local server's token endpoint sits beside its config.json.
      return { apiUrl, auth: { mode: "local", devTokenUrl: new URL("/dev/token", fromUrl).href } };
    case "cognito":
      return {
        apiUrl,
        auth: {
          mode: "cognito",
          domain: httpsUrl(auth, "domain"),
          clientId: requiredText(auth, "clientId"),
          redirectUri: httpsUrl(auth, "redirectUri"),
          logoutUri: httpsUrl(auth, "logoutUri"),
        },
      };
    default:
      throw new ConfigError('config.json\'s auth.mode is neither "local" nor "cognito".');
  }
}

export async function loadConfig(url: string): Promise<AppConfig> {
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store" });
  } catch {
    throw new ConfigError(`The app's settings could not be fetched from ${url}. Is the API running?`);
  }
  if (!response.ok) throw new ConfigError(`${url} answered ${response.status}.`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError(`${url} is not JSON.`);
  }
  return parseConfig(body, response.url || url);
}

function requiredText(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(`config.json needs ${key} as a non-empty string.`);
  }
  return value;
}

// Tokens travel to and from these: never over plain HTTP (a local dev redirect is the exception).
function httpsUrl(record: Record<string, unknown>, key: string): string {
  const text = requiredText(record, key);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`config.json's auth.${key} is not an absolute URL.`);
  }
  const isLoopback = url.hostname === "localhost" || url.hostname === "127.0.0.1";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback)) {
    throw new ConfigError(`config.json's auth.${key} must be an https URL.`);
  }
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Cognito's hosted UI: the authorization-code flow with PKCE (RFC 7636, S256), as URLs and bodies. */

export interface CognitoSettings {
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  domain: string;
  clientId: string;
  redirectUri: string;
  logoutUri: string;
}

export type CallbackResult =
  | { kind: "code"; code: string; state: string }
  | { kind: "error"; message: string };

// The ID token carries the claims the API reads: email and cognito:groups.
const SCOPES = "openid email profile";

export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** 32 random bytes as 43 base64url characters: a verifier or a state value. */
export function randomToken(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  return base64UrlEncode(random(new Uint8Array(32)));
}

/** BASE64URL(SHA-256(verifier)), the S256 code challenge. */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64UrlEncode(new Uint8Array(digest));
}

export function authorizeUrl(cognito: CognitoSettings, challenge: string, state: string): string {
  const url = new URL("/oauth2/authorize", cognito.domain);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: cognito.clientId,
    redirect_uri: cognito.redirectUri,
    scope: SCOPES,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  return url.href;
}

export function tokenUrl(cognito: CognitoSettings): string {
  return new URL("/oauth2/token", cognito.domain).href;
}

/** The form body that trades the callback's code (and the verifier kept for it) for tokens. */
export function codeExchangeBody(cognito: CognitoSettings, code: string, verifier: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: "authorization_code",
    client_id: cognito.clientId,
    code,
    redirect_uri: cognito.redirectUri,
    code_verifier: verifier,
  });
}

export function refreshBody(cognito: CognitoSettings, refreshToken: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: "refresh_token",
    client_id: cognito.clientId,
    refresh_token: refreshToken,
  });
}

export function logoutUrl(cognito: CognitoSettings): string {
  const url = new URL("/logout", cognito.domain);
  url.search = new URLSearchParams({ client_id: cognito.clientId, logout_uri: cognito.logoutUri }).toString();
  return url.href;
}

// RFC 6749 4.1.2.1's error codes in words, for when the hosted UI sends no description.
const CALLBACK_ERRORS: ReadonlyMap<string, string> = new Map([
  ["access_denied", "Signing in was cancelled or refused. Please try again."],
  ["server_error", "The sign-in service had a problem. Please try again in a moment."],
  ["temporarily_unavailable", "The sign-in service had a problem. Please try again in a moment."],
]);
const NOT_STARTED_HERE = "The sign-in answer does not match a sign-in started here. Please sign in again.";

/**
 * What the hosted UI sent back in the redirect's query string; null when it is not a callback.
 * An answer, code or error, whose state is not the one this tab sent was not asked for here:
 * its code is not traded, and its error_description (anyone's words, in a crafted link) not shown.
 */
export function readCallback(search: string, expectedState: string | null): CallbackResult | null {
  const params = new URLSearchParams(search);
  const error = params.get("error");
  const code = params.get("code");
  if (error === null && code === null) return null;
  const state = params.get("state");
  if (expectedState === null || state !== expectedState) {
    return { kind: "error", message: NOT_STARTED_HERE };
  }
  if (error !== null) {
    const message =
      params.get("error_description") ??
      CALLBACK_ERRORS.get(error) ??
      `Signing in did not complete (${error}). Please try again.`;
    return { kind: "error", message };
  }
  return code === null ? null : { kind: "code", code, state };
}

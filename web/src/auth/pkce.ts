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

/**
 * What the hosted UI sent back in the redirect's query string; null when it is not a callback.
 * A code whose state is not the one this tab sent is refused: it was not asked for here.
 */
export function readCallback(search: string, expectedState: string | null): CallbackResult | null {
  const params = new URLSearchParams(search);
  const error = params.get("error");
  if (error !== null) {
    return { kind: "error", message: params.get("error_description") ?? error };
  }
  const code = params.get("code");
  if (code === null) return null;
  const state = params.get("state");
  if (expectedState === null || state !== expectedState) {
    return { kind: "error", message: "The sign-in answer does not match a sign-in started here. Please sign in again." };
  }
  return { kind: "code", code, state };
}

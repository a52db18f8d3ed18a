/** Tokens as the app keeps them: reading a JWT's claims, when to refresh, what sessionStorage holds. */

// resolvers/identity.py STAFF_GROUP: the group whose members get the staff console.
export const STAFF_GROUP = "staff";
// Refresh this long before the token expires, so no request leaves with a token about to lapse.
export const REFRESH_MARGIN_MS = 60_000;

export interface TokenClaims {
  sub: string;
  name: string | null;
  email: string | null;
  groups: readonly string[];
  /** Milliseconds since the epoch; null when the token does not say. */
  expiresAt: number | null;
}

export interface StoredSession {
  /** The token sent as `Authorization: Bearer`: a dev token, or Cognito's ID token. */
  idToken: string;
  /** Cognito only: trades for a new ID token before this one expires. */
  refreshToken: string | null;
  expiresAt: number;
}

export class MalformedTokenError extends Error {
  override name = "MalformedTokenError";
}

/** The payload of a JWT, unverified: the API verifies; the app only reads who it is talking to. */
export function readClaims(token: string): TokenClaims {
  const payload = token.split(".")[1];
  if (payload === undefined) throw new MalformedTokenError("A token has three dot-separated parts.");
  let claims: unknown;
  try {
    claims = JSON.parse(decodeBase64Url(payload));
  } catch {
    throw new MalformedTokenError("The token's payload is not base64url-encoded JSON.");
  }
  if (!isRecord(claims) || typeof claims.sub !== "string" || claims.sub === "") {
    throw new MalformedTokenError("The token names no subject.");
  }
  return {
    sub: claims.sub,
    name: optionalText(claims.name),
    email: optionalText(claims.email),
    groups: readGroups(claims["cognito:groups"]),
    expiresAt: typeof claims.exp === "number" ? claims.exp * 1000 : null,
  };
}

export function isStaff(claims: TokenClaims): boolean {
  return claims.groups.includes(STAFF_GROUP);
}

/** A dev token from POST /dev/token: it lives until its own `exp`, and cannot be refreshed. */
export function sessionFromDevToken(token: string): StoredSession {
  const { expiresAt } = readClaims(token);
  if (expiresAt === null) throw new MalformedTokenError("The token has no expiry.");
  return { idToken: token, refreshToken: null, expiresAt };
}

/**
 * Cognito's /oauth2/token answer. A refresh answers without a refresh token: the one in hand
 * stays valid, so it is kept.
 */
export function sessionFromTokenResponse(
  body: unknown,
  now: number,
  refreshTokenInHand: string | null = null,
): StoredSession {
  if (!isRecord(body) || typeof body.id_token !== "string" || typeof body.expires_in !== "number") {
    throw new MalformedTokenError("The token endpoint's answer has no id_token and expires_in.");
  }
  readClaims(body.id_token);
  const refreshToken = typeof body.refresh_token === "string" ? body.refresh_token : refreshTokenInHand;
  return { idToken: body.id_token, refreshToken, expiresAt: now + body.expires_in * 1000 };
}

export function isExpired(session: StoredSession, now: number): boolean {
  return session.expiresAt <= now;
}

/** True once the token is within REFRESH_MARGIN_MS of expiring and a refresh token can renew it. */
export function shouldRefresh(session: StoredSession, now: number): boolean {
  return session.refreshToken !== null && session.expiresAt - REFRESH_MARGIN_MS <= now;
}

export function serializeSession(session: StoredSession): string {
  return JSON.stringify(session);
}

/** What sessionStorage held, or null when it holds nothing usable. */
export function parseStoredSession(text: string | null): StoredSession | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (
      isRecord(value) &&
      typeof value.idToken === "string" &&
      (typeof value.refreshToken === "string" || value.refreshToken === null) &&
      typeof value.expiresAt === "number"
    ) {
      readClaims(value.idToken);
      return { idToken: value.idToken, refreshToken: value.refreshToken, expiresAt: value.expiresAt };
    }
  } catch {
    // Unreadable: as if nothing were stored.
  }
  return null;
}

function decodeBase64Url(text: string): string {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "="));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

// As the API reads them: a list from a JWT, or one string ("a,b" or "[a b]").
function readGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === "string");
  if (typeof claim === "string") return claim.replace(/^\[|\]$/g, "").split(/[\s,]+/).filter(Boolean);
  return [];
}

function optionalText(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Who is signed in in this tab (kept in sessionStorage), and signing in and out, locally or with Cognito. */

import type { AuthSettings } from "../config";
import { HttpStatusError, NetworkError, UnauthenticatedError } from "../api/transportErrors";
import {
  authorizeUrl,
  codeChallenge,
  codeExchangeBody,
  logoutUrl,
  randomToken,
  readCallback,
  refreshBody,
  tokenUrl,
  type CognitoSettings,
} from "./pkce";
import {
  isExpired,
  isStaff,
  parseStoredSession,
  readClaims,
  serializeSession,
  sessionFromDevToken,
  sessionFromTokenResponse,
  shouldRefresh,
  type StoredSession,
  type TokenClaims,
} from "./tokens";

export interface SignedInUser {
  claims: TokenClaims;
  staff: boolean;
}

export type SessionState =
  | { status: "signedIn"; user: SignedInUser }
  | { status: "signedOut"; notice: string | null };

const SESSION_KEY = "order-delivery.session";
// What a hosted-UI sign-in needs when it comes back: the verifier, the state, the page to return to.
const PENDING_SIGN_IN_KEY = "order-delivery.pending-sign-in";

interface PendingSignIn {
  verifier: string;
  state: string;
  returnTo: string;
}

export class SignInError extends Error {
  override name = "SignInError";
}

export class AuthSession {
  private state: SessionState;
  private readonly listeners = new Set<() => void>();
  private refreshing: Promise<StoredSession> | null = null;

  constructor(
    readonly settings: AuthSettings,
    private readonly storage: Storage = window.sessionStorage,
  ) {
    const stored = this.stored();
    // An expired ID token with a refresh token is still a session: the first request renews it.
    const usable = stored !== null && (!isExpired(stored, Date.now()) || stored.refreshToken !== null);
    this.state = usable ? signedIn(stored) : { status: "signedOut", notice: null };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): SessionState => this.state;

  /** The bearer token for the next request, refreshed first when it is about to expire. */
  async token(): Promise<string> {
    let stored = this.stored();
    if (stored === null) throw new UnauthenticatedError("You are not signed in.");
    if (shouldRefresh(stored, Date.now())) stored = await this.refreshOnce(stored);
    if (isExpired(stored, Date.now())) throw new UnauthenticatedError("Your sign-in has expired.");
    return stored.idToken;
  }

  /** Local mode: a token from the local server's POST /dev/token. */
  async signInLocally(sub: string, staff: boolean): Promise<void> {
    if (this.settings.mode !== "local") throw new SignInError("Local sign-in is off on this site.");
    const body = await postForJson(this.settings.devTokenUrl, {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sub, staff }),
    });
    if (typeof body !== "object" || body === null || !("token" in body) || typeof body.token !== "string") {
      throw new SignInError("The local server's /dev/token answer has no token.");
    }
    this.keep(sessionFromDevToken(body.token));
  }

  /** Cognito mode: off to the hosted UI; `returnTo` (a hash) is where to land after. */
  async startHostedSignIn(returnTo: string): Promise<void> {
    const cognito = this.cognito();
    const pending: PendingSignIn = { verifier: randomToken(), state: randomToken(), returnTo };
    this.storage.setItem(PENDING_SIGN_IN_KEY, JSON.stringify(pending));
    window.location.assign(authorizeUrl(cognito, await codeChallenge(pending.verifier), pending.state));
  }

  /**
   * Cognito mode, on every start: when the page is the hosted UI's redirect, trade its code for
   * tokens, take the code out of the address bar and go back to the page sign-in started from.
   */
  async finishHostedSignIn(): Promise<void> {
    if (this.settings.mode !== "cognito") return;
    const pending = readPendingSignIn(this.storage.getItem(PENDING_SIGN_IN_KEY));
    const callback = readCallback(window.location.search, pending?.state ?? null);
    if (callback === null) return;
    this.storage.removeItem(PENDING_SIGN_IN_KEY);
    // The code is single-use: keep it out of history whatever happens next.
    window.history.replaceState(null, "", window.location.pathname + (pending?.returnTo ?? ""));
    if (callback.kind === "error" || pending === null) {
      const message = callback.kind === "error" ? callback.message : "Please sign in again.";
      this.setState({ status: "signedOut", notice: message });
      return;
    }
    try {
      const body = await postForJson(tokenUrl(this.settings), {
        body: codeExchangeBody(this.settings, callback.code, pending.verifier),
      });
      this.keep(sessionFromTokenResponse(body, Date.now()));
    } catch (error) {
      const reason = error instanceof Error ? error.message : "the answer was unreadable";
      this.setState({ status: "signedOut", notice: `Signing in did not complete: ${reason} Please try again.` });
    }
  }

  /** Sign out on purpose: in Cognito mode the hosted UI's session ends too. */
  signOut(): void {
    this.storage.removeItem(SESSION_KEY);
    if (this.settings.mode === "cognito") {
      window.location.assign(logoutUrl(this.settings));
      return;
    }
    this.setState({ status: "signedOut", notice: null });
  }

  /** The API refused the token: back to the sign-in page, saying why. */
  end(notice: string): void {
    this.storage.removeItem(SESSION_KEY);
    if (this.state.status === "signedIn") this.setState({ status: "signedOut", notice });
  }

  private refreshOnce(stored: StoredSession): Promise<StoredSession> {
    // Requests that find the token stale together share one refresh.
    this.refreshing ??= this.refresh(stored).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(stored: StoredSession): Promise<StoredSession> {
    const cognito = this.cognito();
    if (stored.refreshToken === null) return stored;
    let body: unknown;
    try {
      body = await postForJson(tokenUrl(cognito), { body: refreshBody(cognito, stored.refreshToken) });
    } catch (error) {
      if (error instanceof SignInError) throw new UnauthenticatedError("Your sign-in could not be renewed.");
      throw error;
    }
    const renewed = sessionFromTokenResponse(body, Date.now(), stored.refreshToken);
    this.keep(renewed);
    return renewed;
  }

  private keep(session: StoredSession): void {
    this.storage.setItem(SESSION_KEY, serializeSession(session));
    this.setState(signedIn(session));
  }

  private stored(): StoredSession | null {
    return parseStoredSession(this.storage.getItem(SESSION_KEY));
  }

  private cognito(): CognitoSettings {
    if (this.settings.mode !== "cognito") throw new SignInError("This site signs in locally.");
    return this.settings;
  }

  private setState(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

function signedIn(session: StoredSession): SessionState {
  const claims = readClaims(session.idToken);
  return { status: "signedIn", user: { claims, staff: isStaff(claims) } };
}

function readPendingSignIn(text: string | null): PendingSignIn | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<PendingSignIn>;
    if (typeof value.verifier === "string" && typeof value.state === "string" && typeof value.returnTo === "string") {
      return { verifier: value.verifier, state: value.state, returnTo: value.returnTo };
    }
  } catch {
    // Unreadable: no sign-in is pending.
  }
  return null;
}

/** POST and read JSON: SignInError when the endpoint refuses (4xx), a TransportError when it fails. */
async function postForJson(url: string, init: { headers?: Record<string, string>; body: BodyInit }): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", ...init });
  } catch {
    throw new NetworkError(`${new URL(url).host} could not be reached.`);
  }
  if (response.status >= 500) throw new HttpStatusError(response.status);
  if (!response.ok) {
    throw new SignInError(`Sign-in was refused (${new URL(url).pathname} answered ${response.status}).`);
  }
  try {
    return await response.json();
  } catch {
    throw new SignInError(`${new URL(url).pathname} did not answer JSON.`);
  }
}

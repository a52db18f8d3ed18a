import { describe, expect, it } from "vitest";

import { fakeJwt } from "./fakeJwt";
import {
  MalformedTokenError,
  REFRESH_MARGIN_MS,
  isExpired,
  isStaff,
  parseStoredSession,
  readClaims,
  serializeSession,
  sessionFromDevToken,
  sessionFromTokenResponse,
  shouldRefresh,
} from "./tokens";

const NOW = Date.UTC(2025, 0, 1, 12);

describe("readClaims", () => {
  it("reads who the token is for and when it expires", () => {
    const token = fakeJwt({ sub: "demo-customer", name: "Dana Demo", email: "dana@example.com", exp: NOW / 1000 });
    expect(readClaims(token)).toEqual({
      sub: "demo-customer",
      name: "Dana Demo",
      email: "dana@example.com",
      groups: [],
      expiresAt: NOW,
    });
  });

  it("knows staff by the cognito:groups claim, as a list or as API Gateway's string", () => {
    expect(isStaff(readClaims(fakeJwt({ sub: "s", "cognito:groups": ["staff"] })))).toBe(true);
    expect(isStaff(readClaims(fakeJwt({ sub: "s", "cognito:groups": "[admins staff]" })))).toBe(true);
    expect(isStaff(readClaims(fakeJwt({ sub: "c", "cognito:groups": [] })))).toBe(false);
    expect(isStaff(readClaims(fakeJwt({ sub: "c" })))).toBe(false);
  });

  it("decodes names outside ASCII", () => {
    expect(readClaims(fakeJwt({ sub: "x", name: "Zoë Ünal" })).name).toBe("Zoë Ünal");
  });

  it.each(["", "not-a-jwt", "a.%%%.c", fakeJwt({ name: "no subject" }), fakeJwt({ sub: "" })])(
    "refuses %j",
    (token) => {
      expect(() => readClaims(token)).toThrow(MalformedTokenError);
    },
  );
});

describe("sessions", () => {
  it("keeps a dev token until its own expiry, with nothing to refresh it", () => {
    const token = fakeJwt({ sub: "demo-staff", exp: NOW / 1000 + 3600 });
    const session = sessionFromDevToken(token);
    expect(session).toEqual({ idToken: token, refreshToken: null, expiresAt: NOW + 3_600_000 });
    expect(shouldRefresh(session, session.expiresAt)).toBe(false);
    expect(isExpired(session, session.expiresAt)).toBe(true);
  });

  it("takes Cognito's ID token and refresh token, expiring expires_in from now", () => {
    const idToken = fakeJwt({ sub: "user-1" });
    const session = sessionFromTokenResponse(
      { id_token: idToken, access_token: "a", refresh_token: "r1", expires_in: 3600, token_type: "Bearer" },
      NOW,
    );
    expect(session).toEqual({ idToken, refreshToken: "r1", expiresAt: NOW + 3_600_000 });
  });

  it("keeps the refresh token in hand when a refresh answers without one", () => {
    const session = sessionFromTokenResponse({ id_token: fakeJwt({ sub: "u" }), expires_in: 60 }, NOW, "r1");
    expect(session.refreshToken).toBe("r1");
  });

  it("refuses a token answer without an ID token", () => {
    expect(() => sessionFromTokenResponse({ access_token: "a", expires_in: 60 }, NOW)).toThrow(MalformedTokenError);
  });

  it("refreshes from a minute before expiry, not earlier", () => {
    const session = { idToken: fakeJwt({ sub: "u" }), refreshToken: "r", expiresAt: NOW + REFRESH_MARGIN_MS };
    expect(shouldRefresh(session, NOW - 1)).toBe(false);
    expect(shouldRefresh(session, NOW)).toBe(true);
    expect(isExpired(session, NOW)).toBe(false);
  });

  it("round-trips through sessionStorage's text, and ignores what it cannot read", () => {
    const session = { idToken: fakeJwt({ sub: "u" }), refreshToken: null, expiresAt: NOW };
    expect(parseStoredSession(serializeSession(session))).toEqual(session);
    expect(parseStoredSession(null)).toBeNull();
    expect(parseStoredSession("{")).toBeNull();
    expect(parseStoredSession(JSON.stringify({ idToken: "x", refreshToken: null, expiresAt: 1 }))).toBeNull();
    expect(parseStoredSession(JSON.stringify({ ...session, expiresAt: "soon" }))).toBeNull();
  });
});

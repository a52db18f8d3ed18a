import { describe, expect, it } from "vitest";

import {
  authorizeUrl,
  base64UrlEncode,
  codeChallenge,
  codeExchangeBody,
  logoutUrl,
  randomToken,
  readCallback,
  refreshBody,
  tokenUrl,
  type CognitoSettings,
} from "./pkce";

const cognito: CognitoSettings = {
  domain: "https://shop.auth.eu-west-1.amazoncognito.com",
  clientId: "client123",
  redirectUri: "https://shop.example/",
  logoutUri: "https://shop.example/",
};

describe("PKCE", () => {
  it("computes RFC 7636's S256 challenge for its example verifier", async () => {
    // RFC 7636, appendix B.
    expect(await codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("makes verifiers of 43 unreserved characters from 32 random bytes", () => {
    const verifier = randomToken((bytes) => bytes.fill(0xfb));
    expect(verifier).toHaveLength(43);
    expect(verifier).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(randomToken()).not.toBe(randomToken());
  });

  it("encodes base64url without padding", () => {
    expect(base64UrlEncode(new Uint8Array([0xfb, 0xff]))).toBe("-_8");
  });
});

describe("hosted UI URLs", () => {
  it("asks for a code with the S256 challenge and the state", () => {
    const url = new URL(authorizeUrl(cognito, "challenge", "state1"));
    expect(url.origin + url.pathname).toBe("https://shop.auth.eu-west-1.amazoncognito.com/oauth2/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "client123",
      redirect_uri: "https://shop.example/",
      scope: "openid email profile",
      state: "state1",
      code_challenge: "challenge",
      code_challenge_method: "S256",
    });
  });

  it("trades the code with its verifier, and refreshes with the refresh token", () => {
    expect(tokenUrl(cognito)).toBe("https://shop.auth.eu-west-1.amazoncognito.com/oauth2/token");
    expect(Object.fromEntries(codeExchangeBody(cognito, "code1", "verifier1"))).toEqual({
      grant_type: "authorization_code",
      client_id: "client123",
      code: "code1",
      redirect_uri: "https://shop.example/",
      code_verifier: "verifier1",
    });
    expect(Object.fromEntries(refreshBody(cognito, "refresh1"))).toEqual({
      grant_type: "refresh_token",
      client_id: "client123",
      refresh_token: "refresh1",
    });
  });

  it("signs out at Cognito's logout endpoint, coming back to the site", () => {
    expect(logoutUrl(cognito)).toBe(
      "https://shop.auth.eu-west-1.amazoncognito.com/logout?client_id=client123&logout_uri=https%3A%2F%2Fshop.example%2F",
    );
  });
});

describe("readCallback", () => {
  it("takes a code whose state this tab sent", () => {
    expect(readCallback("?code=abc&state=s1", "s1")).toEqual({ kind: "code", code: "abc", state: "s1" });
  });

  it("refuses a code for a sign-in this tab did not start", () => {
    expect(readCallback("?code=abc&state=other", "s1")).toMatchObject({ kind: "error" });
    expect(readCallback("?code=abc&state=s1", null)).toMatchObject({ kind: "error" });
  });

  it("reports the hosted UI's error description", () => {
    expect(readCallback("?error=access_denied&error_description=User+cancelled&state=s1", "s1")).toEqual({
      kind: "error",
      message: "User cancelled",
    });
  });

  it("puts an error without a description in words", () => {
    expect(readCallback("?error=access_denied&state=s1", "s1")).toEqual({
      kind: "error",
      message: "Signing in was cancelled or refused. Please try again.",
    });
    expect(readCallback("?error=invalid_scope&state=s1", "s1")).toEqual({
      kind: "error",
      message: "Signing in did not complete (invalid_scope). Please try again.",
    });
  });

  it("shows no error description from an answer this tab did not ask for", () => {
    const notAskedFor = {
      kind: "error",
      message: "The sign-in answer does not match a sign-in started here. Please sign in again.",
    };
    const forged = "?error=access_denied&error_description=Call+555+0100";
    expect(readCallback(`${forged}&state=other`, "s1")).toEqual(notAskedFor);
    expect(readCallback(forged, "s1")).toEqual(notAskedFor);
    expect(readCallback(`${forged}&state=s1`, null)).toEqual(notAskedFor);
  });

  it("is null on an ordinary page load", () => {
    expect(readCallback("", "s1")).toBeNull();
  });
});

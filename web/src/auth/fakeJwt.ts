/** Test factory: an unsigned JWT with the given claims (the app never verifies signatures). */

import { base64UrlEncode } from "./pkce";

export function fakeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)));
  return `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}.signature`;
}

// graphql-http's GraphQL-over-HTTP server audit of a running server, one JSON line per audit.
//
//   AUDIT_BEARER_TOKEN=<token> node scripts/http_audit/audit.mjs http://127.0.0.1:8000/graphql
//
// Every request carries the token, as the API answers nothing unauthenticated. Exits 1 when
// any audit of a MUST fails; SHOULD and MAY failures are reported (`warn`, `notice`) for the
// caller to judge: tests/e2e/test_graphql_over_http.py holds the ones the README argues.
import { serverAudits } from 'graphql-http';

const [url] = process.argv.slice(2);
const token = process.env.AUDIT_BEARER_TOKEN;
if (!url || !token) {
  console.error('usage: AUDIT_BEARER_TOKEN=<token> node audit.mjs <graphql url>');
  process.exit(2);
}

function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

// One audit at a time: the results read in the audit's order, and the server sees no burst.
const results = [];
for (const audit of serverAudits({ url, fetchFn: fetchWithToken })) {
  results.push(await audit.fn());
}
for (const { id, name, status, reason, response } of results) {
  console.log(JSON.stringify({ id, status, name, reason, httpStatus: response?.status }));
}
process.exit(results.some((result) => result.status === 'error') ? 1 : 0);

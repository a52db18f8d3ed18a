/** A small fetch client for the GraphQL API: typed documents in, typed data out, bearer token attached. */

import type { TypedDocumentString } from "../gql/graphql";
import { GraphQLResponseError, HttpStatusError, NetworkError, UnauthenticatedError } from "./transportErrors";

// Operations without variables take none; the others require theirs.
type VariablesOf<Variables> = Variables extends Record<string, never> ? [] : [Variables];

export type Execute = <Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  ...variables: VariablesOf<Variables>
) => Promise<Result>;

interface ClientOptions {
  apiUrl: string;
  /** A current token; it may refresh one first. */
  token: () => Promise<string>;
  fetchFn?: typeof fetch;
}

interface GraphQLBody {
  data?: unknown;
  errors?: readonly { message?: unknown }[];
}

export function createExecute({ apiUrl, token, fetchFn = fetch }: ClientOptions): Execute {
  return async function execute<Result, Variables>(
    document: TypedDocumentString<Result, Variables>,
    ...[variables]: VariablesOf<Variables>
  ): Promise<Result> {
    const bearer = await token();
    let response: Response;
    try {
      response = await fetchFn(apiUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          // The GraphQL-over-HTTP media type: a request that never ran is a 4xx with errors.
          Accept: "application/graphql-response+json, application/json;q=0.9",
          Authorization: `Bearer ${bearer}`,
        },
        body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
      });
    } catch {
      throw new NetworkError("The server could not be reached.");
    }
    if (response.status === 401) throw new UnauthenticatedError("Your sign-in has expired.");
    const body = await readGraphQLBody(response);
    if (body === null) throw new HttpStatusError(response.status);
    if (body.errors?.length) {
      const messages = body.errors.map((error) =>
        typeof error.message === "string" ? error.message : "The server reported an error.",
      );
      throw new GraphQLResponseError(messages.join(" "));
    }
    if (!response.ok || body.data === undefined || body.data === null) {
      throw new HttpStatusError(response.status);
    }
    // The document's type says what data it selects; the server answered that operation.
    return body.data as Result;
  };
}

async function readGraphQLBody(response: Response): Promise<GraphQLBody | null> {
  const mediaType = response.headers.get("content-type") ?? "";
  if (!mediaType.includes("json")) return null;
  try {
    const body: unknown = await response.json();
    return typeof body === "object" && body !== null ? body : null;
  } catch {
    return null;
  }
}

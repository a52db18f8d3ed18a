/** Failures of the request itself, as opposed to the refusals a mutation's result union carries. */

export class TransportError extends Error {
  override name = "TransportError";
}

/** The request never got an answer: offline, DNS, CORS, a dropped connection. */
export class NetworkError extends TransportError {
  override name = "NetworkError";
}

/** The token is missing, expired or refused (401): the person has to sign in again. */
export class UnauthenticatedError extends TransportError {
  override name = "UnauthenticatedError";
}

/** An HTTP status without a GraphQL answer: 5xx, 429, a gateway's own error page. */
export class HttpStatusError extends TransportError {
  override name = "HttpStatusError";
  constructor(readonly status: number) {
    super(`The server answered ${status}.`);
  }
}

/** A GraphQL answer with `errors`: the operation failed as a whole (masked server errors included). */
export class GraphQLResponseError extends TransportError {
  override name = "GraphQLResponseError";
}

const MAX_RETRIES = 2;

/** Retry what may pass a moment later (network, 5xx, 429); never a 401 or a refused operation. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  if (error instanceof NetworkError) return true;
  return error instanceof HttpStatusError && (error.status >= 500 || error.status === 429);
}

/** One sentence for the banner. */
export function describeTransportError(error: unknown): string {
  if (error instanceof NetworkError) return "The server could not be reached. Check your connection.";
  if (error instanceof HttpStatusError) {
    if (error.status === 429) return "The server is busy right now.";
    if (error.status >= 500) return "The server had a problem answering.";
    return error.message;
  }
  if (error instanceof TransportError) return error.message;
  return "Something went wrong.";
}

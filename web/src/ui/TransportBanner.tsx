/** One banner for every query that failed in transport (network, 5xx), with a button to try again. */

import { useQueryClient, type Query } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";

import { TransportError, describeTransportError } from "../api/transportErrors";

function failedInTransport(query: Query): boolean {
  return query.state.status === "error" && query.state.error instanceof TransportError;
}

export function TransportBanner() {
  const queryClient = useQueryClient();
  const queryCache = queryClient.getQueryCache();
  const error = useSyncExternalStore(
    (onChange) => queryCache.subscribe(onChange),
    // The failed query's own error object: the same reference until something changes.
    () => queryCache.findAll({ type: "active", predicate: failedInTransport })[0]?.state.error ?? null,
  );
  if (error === null) return null;
  return (
    <div className="banner global" role="alert">
      <p>{describeTransportError(error)}</p>
      <button
        type="button"
        onClick={() => void queryClient.refetchQueries({ type: "active", predicate: failedInTransport })}
      >
        Try again
      </button>
    </div>
  );
}

/** The same for one action (a mutation): its failure next to its button, and a retry. */
export function TransportNotice({ error, onRetry }: { error: Error | null; onRetry: () => void }) {
  if (!(error instanceof TransportError)) return null;
  return (
    <div className="banner" role="alert">
      <p>{describeTransportError(error)}</p>
      <button type="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

/** The app's QueryClient: which failures to retry, and a refused token ending the session. */

import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";

import type { AuthSession } from "../auth/authSession";
import { UnauthenticatedError, shouldRetry } from "./transportErrors";

export function createQueryClient(session: AuthSession): QueryClient {
  const endSessionOn401 = (error: unknown) => {
    if (error instanceof UnauthenticatedError) session.end("Your sign-in is no longer valid. Please sign in again.");
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError: endSessionOn401 }),
    mutationCache: new MutationCache({ onError: endSessionOn401 }),
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 30_000 },
      // A mutation is retried by the person, who sees what failed (placeOrder's key makes it safe).
      mutations: { retry: false },
    },
  });
}

/** The staff board reads each status's urgent orders first, then its standard ones, as one list. */

import type { DeliveryPriority } from "../gql/graphql";

export interface BoardPageParam {
  priority: DeliveryPriority;
  after: string | null;
}

export const FIRST_BOARD_PAGE: BoardPageParam = { priority: "URGENT", after: null };

/** Where the next page starts: on in this priority while it has more, then the standard orders. */
export function nextBoardPage(
  current: BoardPageParam,
  pageInfo: { hasNextPage: boolean; endCursor: string | null },
): BoardPageParam | undefined {
  if (pageInfo.hasNextPage) return { priority: current.priority, after: pageInfo.endCursor };
  if (current.priority === "URGENT") return { priority: "STANDARD", after: null };
  return undefined;
}

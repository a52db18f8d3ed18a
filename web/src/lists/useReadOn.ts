/** Reads a list's next page by itself while shouldReadOn says so. */

import type { UseInfiniteQueryResult } from "@tanstack/react-query";
import { useEffect } from "react";

import { shouldReadOn } from "./readOn";

export function useReadOn(
  list: Pick<UseInfiniteQueryResult, "hasNextPage" | "isFetching" | "isError" | "fetchNextPage">,
  rowsShown: number,
  pagesRead: number,
  pageSize: number,
): void {
  const { hasNextPage, isFetching, isError, fetchNextPage } = list;
  const readOn = !isError && shouldReadOn({ rowsShown, pagesRead, hasNextPage, fetching: isFetching }, pageSize);
  useEffect(() => {
    if (readOn) void fetchNextPage();
  }, [readOn, fetchNextPage]);
}

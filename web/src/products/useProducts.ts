/** The catalogue, a page at a time (customers see what is on sale; staff see withdrawn products too). */

import { useInfiniteQuery } from "@tanstack/react-query";

import { useExecute } from "../api/ApiContext";
import { queryKeys } from "../api/queryKeys";
import { ProductsQuery } from "./productDocuments";

const PAGE_SIZE = 50;

/** `data` is the products of every page read so far, in catalogue order. */
export function useProducts() {
  const execute = useExecute();
  return useInfiniteQuery({
    queryKey: queryKeys.products,
    queryFn: async ({ pageParam }) => (await execute(ProductsQuery, { first: PAGE_SIZE, after: pageParam })).products,
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => (lastPage.pageInfo.hasNextPage ? lastPage.pageInfo.endCursor : undefined),
    select: (data) => data.pages.flatMap((page) => page.edges.map((edge) => edge.node)),
  });
}

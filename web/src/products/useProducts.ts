/** The catalogue, a page at a time (customers see what is on sale; staff see withdrawn products too). */

import { useInfiniteQuery } from "@tanstack/react-query";

import { useExecute } from "../api/ApiContext";
import { queryKeys } from "../api/queryKeys";
import { useReadOn } from "../lists/useReadOn";
import { ProductsQuery } from "./productDocuments";

const PAGE_SIZE = 50;

/** `data.products` are those of every page read so far, in catalogue order. */
export function useProducts() {
  const execute = useExecute();
  const query = useInfiniteQuery({
    queryKey: queryKeys.products,
    queryFn: async ({ pageParam }) => (await execute(ProductsQuery, { first: PAGE_SIZE, after: pageParam })).products,
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => (lastPage.pageInfo.hasNextPage ? lastPage.pageInfo.endCursor : undefined),
    select: (data) => ({
      products: data.pages.flatMap((page) => page.edges.map((edge) => edge.node)),
      pagesRead: data.pages.length,
    }),
  });
  useReadOn(query, query.data?.products.length ?? 0, query.data?.pagesRead ?? 0, PAGE_SIZE);
  return query;
}

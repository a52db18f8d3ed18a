/** When a list reads its next page by itself: listings may answer short or even empty pages that
 * still have more after them (a filter passes little, a bounded read stops early), so a list
 * reads on until it shows a page's worth, for a few pages at most, and "Load more" does the rest. */

export const MAX_PAGES_READ_BY_ITSELF = 5;

interface ListProgress {
  rowsShown: number;
  pagesRead: number;
  hasNextPage: boolean;
  /** A page is being read now. */
  fetching: boolean;
}

export function shouldReadOn(list: ListProgress, pageSize: number): boolean {
  return (
    list.hasNextPage && !list.fetching && list.rowsShown < pageSize && list.pagesRead < MAX_PAGES_READ_BY_ITSELF
  );
}

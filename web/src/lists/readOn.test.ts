import { describe, expect, it } from "vitest";

import { MAX_PAGES_READ_BY_ITSELF, shouldReadOn } from "./readOn";

const PAGE = 20;

describe("shouldReadOn", () => {
  it("reads on past a short page that has more after it", () => {
    expect(shouldReadOn({ rowsShown: 0, pagesRead: 1, hasNextPage: true, fetching: false }, PAGE)).toBe(true);
    expect(shouldReadOn({ rowsShown: 7, pagesRead: 2, hasNextPage: true, fetching: false }, PAGE)).toBe(true);
  });

  it("stops once a page's worth is shown, or nothing more follows", () => {
    expect(shouldReadOn({ rowsShown: PAGE, pagesRead: 1, hasNextPage: true, fetching: false }, PAGE)).toBe(false);
    expect(shouldReadOn({ rowsShown: 3, pagesRead: 1, hasNextPage: false, fetching: false }, PAGE)).toBe(false);
  });

  it("waits for the page being read", () => {
    expect(shouldReadOn({ rowsShown: 0, pagesRead: 1, hasNextPage: true, fetching: true }, PAGE)).toBe(false);
  });

  it("leaves the rest to Load more after a few pages", () => {
    expect(
      shouldReadOn({ rowsShown: 0, pagesRead: MAX_PAGES_READ_BY_ITSELF, hasNextPage: true, fetching: false }, PAGE),
    ).toBe(false);
  });
});

import { describe, expect, it } from "vitest";

import { FIRST_BOARD_PAGE, nextBoardPage } from "./boardPages";

describe("nextBoardPage", () => {
  it("starts with urgent orders", () => {
    expect(FIRST_BOARD_PAGE).toEqual({ priority: "URGENT", after: null });
  });

  it("reads on through urgent orders while there are more, even after a short page", () => {
    expect(nextBoardPage(FIRST_BOARD_PAGE, { hasNextPage: true, endCursor: "c1" })).toEqual({
      priority: "URGENT",
      after: "c1",
    });
  });

  it("turns to standard orders once the urgent ones are all read", () => {
    expect(nextBoardPage({ priority: "URGENT", after: "c1" }, { hasNextPage: false, endCursor: "c2" })).toEqual({
      priority: "STANDARD",
      after: null,
    });
  });

  it("ends after the last standard page", () => {
    expect(nextBoardPage({ priority: "STANDARD", after: "c9" }, { hasNextPage: false, endCursor: null })).toBeUndefined();
    expect(nextBoardPage({ priority: "STANDARD", after: null }, { hasNextPage: true, endCursor: "c3" })).toEqual({
      priority: "STANDARD",
      after: "c3",
    });
  });
});

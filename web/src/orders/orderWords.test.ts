import { describe, expect, it } from "vitest";

import { RECEIPT_URL_FRESH_MS, isReceiptUrlFresh, itemCountText, orderNumber } from "./orderWords";

describe("orderNumber", () => {
  it("is the id's last eight characters in two groups, as receipts print it", () => {
    expect(orderNumber("01JQ4Z8C2V5N8R7K3M9QXAB4CD")).toBe("9QXA-B4CD");
  });
});

describe("isReceiptUrlFresh", () => {
  it("follows a receipt URL fetched within the last minute, and fetches an older one again", () => {
    expect(isReceiptUrlFresh(1_000, 1_000 + RECEIPT_URL_FRESH_MS - 1)).toBe(true);
    expect(isReceiptUrlFresh(1_000, 1_000 + RECEIPT_URL_FRESH_MS)).toBe(false);
  });
});

describe("itemCountText", () => {
  it("counts in words", () => {
    expect(itemCountText(1)).toBe("1 item");
    expect(itemCountText(3)).toBe("3 items");
  });
});

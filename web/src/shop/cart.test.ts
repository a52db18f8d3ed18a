import { describe, expect, it } from "vitest";

import {
  EMPTY_CART,
  MAX_QUANTITY,
  cartLines,
  cartPriority,
  cartReducer,
  parseStoredCart,
  type Cart,
  type CartAction,
} from "./cart";

function keys() {
  let made = 0;
  return () => `key-${++made}`;
}

function apply(actions: CartAction[], start: Cart = EMPTY_CART, newKey = keys()): Cart {
  const reduce = cartReducer(newKey);
  return actions.reduce(reduce, start);
}

describe("cart contents", () => {
  it("keeps a quantity per SKU and drops a SKU set to zero", () => {
    const cart = apply([
      { type: "setQuantity", sku: "BREAD", quantity: 2 },
      { type: "setQuantity", sku: "MILK", quantity: 1 },
      { type: "setQuantity", sku: "BREAD", quantity: 0 },
    ]);
    expect(cart.quantities).toEqual({ MILK: 1 });
  });

  it("keeps quantities whole and within what the API takes", () => {
    const cart = apply([
      { type: "setQuantity", sku: "A", quantity: 2.7 },
      { type: "setQuantity", sku: "B", quantity: 5000 },
      { type: "setQuantity", sku: "C", quantity: -3 },
      { type: "setQuantity", sku: "D", quantity: Number.NaN },
    ]);
    expect(cart.quantities).toEqual({ A: 2, B: MAX_QUANTITY });
  });

  it("lists lines by SKU, so the same cart is the same quote and the same order", () => {
    const one = apply([
      { type: "setQuantity", sku: "MILK", quantity: 1 },
      { type: "setQuantity", sku: "BREAD", quantity: 2 },
    ]);
    const other = apply([
      { type: "setQuantity", sku: "BREAD", quantity: 2 },
      { type: "setQuantity", sku: "MILK", quantity: 1 },
    ]);
    expect(cartLines(one)).toEqual([
      { sku: "BREAD", quantity: 2 },
      { sku: "MILK", quantity: 1 },
    ]);
    expect(cartLines(other)).toEqual(cartLines(one));
  });

  it("asks for urgent delivery when the box is ticked", () => {
    expect(cartPriority(apply([{ type: "setUrgent", urgent: true }]))).toBe("URGENT");
    expect(cartPriority(EMPTY_CART)).toBe("STANDARD");
  });
});

describe("the checkout's idempotency key", () => {
  it("is made when the cart is first used and kept while it changes", () => {
    const cart = apply([
      { type: "setQuantity", sku: "BREAD", quantity: 1 },
      { type: "setQuantity", sku: "BREAD", quantity: 3 },
      { type: "setUrgent", urgent: true },
    ]);
    expect(cart.checkoutKey).toBe("key-1");
  });

  it("is the same for every attempt to place the cart: double clicks and retries", () => {
    const newKey = keys();
    const filled = apply([{ type: "setQuantity", sku: "BREAD", quantity: 1 }], EMPTY_CART, newKey);
    const retried = apply(
      [
        { type: "placementQueued", commandId: "c1" },
        { type: "placementQueued", commandId: "c1" },
      ],
      filled,
      newKey,
    );
    expect(retried.checkoutKey).toBe(filled.checkoutKey);
    expect(retried.placingCommandId).toBe("c1");
  });

  it("survives a rejection, so a corrected cart is still this checkout", () => {
    const cart = apply([
      { type: "setQuantity", sku: "BREAD", quantity: 1 },
      { type: "placementQueued", commandId: "c1" },
      { type: "placementRejected" },
      { type: "setQuantity", sku: "MILK", quantity: 1 },
    ]);
    expect(cart.checkoutKey).toBe("key-1");
    expect(cart.placingCommandId).toBeNull();
    expect(cart.quantities).toEqual({ BREAD: 1, MILK: 1 });
  });

  it("is renewed after the order is applied: the next cart is a new order", () => {
    const newKey = keys();
    const ordered = apply(
      [
        { type: "setQuantity", sku: "BREAD", quantity: 1 },
        { type: "placementQueued", commandId: "c1" },
        { type: "orderApplied" },
      ],
      EMPTY_CART,
      newKey,
    );
    expect(ordered).toEqual(EMPTY_CART);
    const next = apply([{ type: "setQuantity", sku: "MILK", quantity: 1 }], ordered, newKey);
    expect(next.checkoutKey).toBe("key-2");
  });

  it("is renewed on request after the API says the key already made an order", () => {
    const cart = apply([
      { type: "setQuantity", sku: "BREAD", quantity: 1 },
      { type: "placementQueued", commandId: "c1" },
      { type: "startNewCheckout" },
    ]);
    expect(cart.checkoutKey).toBe("key-2");
    expect(cart.quantities).toEqual({ BREAD: 1 });
  });
});

describe("a cart being placed", () => {
  it("is locked, so the order placed is the cart shown", () => {
    const placing = apply([
      { type: "setQuantity", sku: "BREAD", quantity: 1 },
      { type: "placementQueued", commandId: "c1" },
    ]);
    const after = apply(
      [
        { type: "setQuantity", sku: "BREAD", quantity: 5 },
        { type: "setUrgent", urgent: true },
        { type: "setNotes", notes: "later" },
      ],
      placing,
    );
    expect(after).toEqual(placing);
  });
});

describe("parseStoredCart", () => {
  it("round-trips a cart", () => {
    const cart = apply([
      { type: "setQuantity", sku: "BREAD", quantity: 2 },
      { type: "setNotes", notes: "Ring twice" },
      { type: "placementQueued", commandId: "c1" },
    ]);
    expect(parseStoredCart(JSON.stringify(cart), keys())).toEqual(cart);
  });

  it("gives a stored cart with items but no key a key", () => {
    expect(parseStoredCart(JSON.stringify({ quantities: { BREAD: 1 } }), keys()).checkoutKey).toBe("key-1");
  });

  it("starts empty from nothing, or from what it cannot read", () => {
    expect(parseStoredCart(null, keys())).toEqual(EMPTY_CART);
    expect(parseStoredCart("not json", keys())).toEqual(EMPTY_CART);
    expect(parseStoredCart(JSON.stringify({ quantities: { A: "two", B: 0 } }), keys())).toEqual(EMPTY_CART);
  });
});

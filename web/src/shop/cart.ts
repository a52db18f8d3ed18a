/** The shopping cart, and the one idempotency key its checkout sends however often it is retried. */

import type { DeliveryPriority, OrderItemInput } from "../gql/graphql";

export interface Cart {
  /** SKU → quantity; only SKUs with a quantity above zero. */
  quantities: Readonly<Record<string, number>>;
  urgent: boolean;
  notes: string;
  /**
   * The checkout's idempotency key: made when the cart is first used, sent with every attempt to
   * place it (double clicks, retries, a reload), renewed only once its order is applied. The
   * order id is derived from it, so no number of attempts makes a second order.
   */
  checkoutKey: string | null;
  /** The placeOrder command waited on: while set, the cart is what is being ordered and is locked. */
  placingCommandId: string | null;
}

export type CartAction =
  | { type: "setQuantity"; sku: string; quantity: number }
  | { type: "setUrgent"; urgent: boolean }
  | { type: "setNotes"; notes: string }
  | { type: "placementQueued"; commandId: string }
  | { type: "placementRejected" }
  | { type: "orderApplied" }
  | { type: "startNewCheckout" };

export const EMPTY_CART: Cart = { quantities: {}, urgent: false, notes: "", checkoutKey: null, placingCommandId: null };

// domain/validation.py MAX_QUANTITY: the API refuses more in one line.
export const MAX_QUANTITY = 1000;

/** The reducer, given how to make a new key (random in the app, predictable in tests). */
export function cartReducer(newKey: () => string): (cart: Cart, action: CartAction) => Cart {
  return (cart, action) => {
    switch (action.type) {
      case "setQuantity": {
        if (cart.placingCommandId !== null) return cart;
        const quantities = Object.fromEntries(
          Object.entries({ ...cart.quantities, [action.sku]: clampQuantity(action.quantity) }).filter(
            ([, quantity]) => quantity > 0,
          ),
        );
        return withKey({ ...cart, quantities }, newKey);
      }
      case "setUrgent":
        return cart.placingCommandId !== null ? cart : withKey({ ...cart, urgent: action.urgent }, newKey);
      case "setNotes":
        return cart.placingCommandId !== null ? cart : withKey({ ...cart, notes: action.notes }, newKey);
      case "placementQueued":
        return { ...withKey(cart, newKey), placingCommandId: action.commandId };
      case "placementRejected":
        // Nothing was ordered: the cart can change and be placed again under the same key.
        return { ...cart, placingCommandId: null };
      case "orderApplied":
        return EMPTY_CART;
      case "startNewCheckout":
        // After IDEMPOTENCY_CONFLICT: this key already made an order; the next attempt is another.
        return { ...cart, placingCommandId: null, checkoutKey: newKey() };
    }
  };
}

function withKey(cart: Cart, newKey: () => string): Cart {
  return cart.checkoutKey === null ? { ...cart, checkoutKey: newKey() } : cart;
}

/** What a quantity field's text means: a whole number from 0 to MAX_QUANTITY. */
export function clampQuantity(quantity: number): number {
  if (!Number.isFinite(quantity) || quantity < 0) return 0;
  return Math.min(Math.floor(quantity), MAX_QUANTITY);
}

/** The lines to quote and order, by SKU so that the same cart is always the same request. */
export function cartLines(cart: Pick<Cart, "quantities">): OrderItemInput[] {
  return Object.entries(cart.quantities)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

export function cartPriority(cart: Cart): DeliveryPriority {
  return cart.urgent ? "URGENT" : "STANDARD";
}

export function isEmpty(cart: Cart): boolean {
  return Object.keys(cart.quantities).length === 0;
}

/** What sessionStorage held; an empty cart when it holds nothing readable. A cart with items
 * always has its key. */
export function parseStoredCart(text: string | null, newKey: () => string): Cart {
  if (text === null) return EMPTY_CART;
  try {
    const value = JSON.parse(text) as Partial<Cart>;
    const quantities: Record<string, number> = {};
    for (const [sku, quantity] of Object.entries(value.quantities ?? {})) {
      if (typeof quantity === "number" && clampQuantity(quantity) > 0) quantities[sku] = clampQuantity(quantity);
    }
    const cart: Cart = {
      quantities,
      urgent: value.urgent === true,
      notes: typeof value.notes === "string" ? value.notes : "",
      checkoutKey: typeof value.checkoutKey === "string" ? value.checkoutKey : null,
      placingCommandId: typeof value.placingCommandId === "string" ? value.placingCommandId : null,
    };
    return isEmpty(cart) ? cart : withKey(cart, newKey);
  } catch {
    return EMPTY_CART;
  }
}

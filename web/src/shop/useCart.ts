/** The signed-in person's cart, kept in this tab's sessionStorage so a reload keeps it and its key. */

import { useEffect, useReducer } from "react";

import { randomToken } from "../auth/pkce";
import { cartReducer, parseStoredCart } from "./cart";

const reduceCart = cartReducer(() => randomToken());

export function useCart(userId: string) {
  const storageKey = `order-delivery.cart.${userId}`;
  const [cart, dispatch] = useReducer(reduceCart, storageKey, (key) =>
    parseStoredCart(window.sessionStorage.getItem(key), () => randomToken()),
  );
  useEffect(() => {
    window.sessionStorage.setItem(storageKey, JSON.stringify(cart));
  }, [storageKey, cart]);
  return [cart, dispatch] as const;
}

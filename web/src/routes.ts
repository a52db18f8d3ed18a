/** The app's pages as hash URLs (#/orders/<id>): any static host serves them, with no rewrite rules. */

import { useSyncExternalStore } from "react";

export type Route =
  | { page: "shop" }
  | { page: "orders" }
  | { page: "order"; orderId: string }
  | { page: "profile" }
  | { page: "board" }
  | { page: "catalogue" }
  | { page: "home" }
  | { page: "notFound" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "") || "/";
  const orderMatch = /^\/orders\/([^/]+)$/.exec(path);
  if (orderMatch?.[1]) return { page: "order", orderId: decodeURIComponent(orderMatch[1]) };
  switch (path) {
    case "/":
      return { page: "home" };
    case "/shop":
      return { page: "shop" };
    case "/orders":
      return { page: "orders" };
    case "/profile":
      return { page: "profile" };
    case "/staff/orders":
      return { page: "board" };
    case "/staff/products":
      return { page: "catalogue" };
    default:
      return { page: "notFound" };
  }
}

export function hrefFor(route: Route): string {
  switch (route.page) {
    case "home":
    case "notFound":
      return "#/";
    case "shop":
      return "#/shop";
    case "orders":
      return "#/orders";
    case "order":
      return `#/orders/${encodeURIComponent(route.orderId)}`;
    case "profile":
      return "#/profile";
    case "board":
      return "#/staff/orders";
    case "catalogue":
      return "#/staff/products";
  }
}

export function navigate(route: Route): void {
  window.location.hash = hrefFor(route);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

/** The current location's hash; the page re-renders when it changes. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}

import { describe, expect, it } from "vitest";

import { hrefFor, parseRoute, type Route } from "./routes";

describe("routes", () => {
  it.each<Route>([
    { page: "shop" },
    { page: "orders" },
    { page: "order", orderId: "01JQ4Z8C2V5N8R7K3M9QXAB4CD" },
    { page: "profile" },
    { page: "board" },
    { page: "catalogue" },
  ])("reads back the link it writes for %j", (route) => {
    expect(parseRoute(hrefFor(route))).toEqual(route);
  });

  it("starts at home with no hash", () => {
    expect(parseRoute("")).toEqual({ page: "home" });
    expect(parseRoute("#/")).toEqual({ page: "home" });
  });

  it("knows no other page", () => {
    expect(parseRoute("#/orders/a/b")).toEqual({ page: "notFound" });
    expect(parseRoute("#/admin")).toEqual({ page: "notFound" });
  });
});

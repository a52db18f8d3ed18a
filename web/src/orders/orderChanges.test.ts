import { describe, expect, it } from "vitest";

import { editsOf, linesBySku, modifyInput } from "./orderChanges";

function anOrder(overrides: Partial<Parameters<typeof modifyInput>[0]> = {}) {
  return {
    id: "01JQ4Z8C2V5N8R7K3M9QXAB4CD",
    version: 3,
    notes: "Back door",
    items: [
      { sku: "BREAD", name: "Bread", quantity: 2 },
      { sku: "MILK", name: "Milk", quantity: 1 },
      // Units added later at a new price: a line of their own.
      { sku: "BREAD", name: "Bread", quantity: 1 },
    ],
    deliveryAddress: { line1: "1 Main St", line2: null, city: "Springfield", postalCode: "12345", country: "US" },
    ...overrides,
  };
}

describe("linesBySku", () => {
  it("adds up a SKU's lines at different prices", () => {
    expect(linesBySku(anOrder().items)).toEqual([
      { sku: "BREAD", name: "Bread", quantity: 3 },
      { sku: "MILK", name: "Milk", quantity: 1 },
    ]);
  });
});

describe("modifyInput", () => {
  it("is null when nothing changed", () => {
    const order = anOrder();
    expect(modifyInput(order, editsOf(order))).toBeNull();
  });

  it("sends every SKU once with its total, dropping those set to zero, against the version seen", () => {
    const order = anOrder();
    const edits = editsOf(order);
    expect(modifyInput(order, { ...edits, quantities: { BREAD: 4, MILK: 0 } })).toEqual({
      orderId: order.id,
      expectedVersion: 3,
      items: [{ sku: "BREAD", quantity: 4 }],
    });
  });

  it("sends the address only when it changed, and an empty second line as none", () => {
    const order = anOrder();
    const edits = editsOf(order);
    expect(modifyInput(order, { ...edits, address: { ...edits.address, city: " Shelbyville " } })).toEqual({
      orderId: order.id,
      expectedVersion: 3,
      deliveryAddress: { line1: "1 Main St", line2: null, city: "Shelbyville", postalCode: "12345", country: "US" },
    });
  });

  it("clears the notes with an empty string", () => {
    const order = anOrder();
    expect(modifyInput(order, { ...editsOf(order), notes: "  " })).toEqual({
      orderId: order.id,
      expectedVersion: 3,
      notes: "",
    });
  });
});

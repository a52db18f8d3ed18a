/** The modify form: an order's lines by SKU, and the ModifyOrderInput a set of edits amounts to. */

import type { AddressInput, ModifyOrderInput } from "../gql/graphql";

interface OrderLine {
  sku: string;
  name: string;
  quantity: number;
}

interface ModifiableOrder {
  id: string;
  version: number;
  notes: string | null;
  items: readonly OrderLine[];
  deliveryAddress: { line1: string; line2: string | null; city: string; postalCode: string; country: string };
}

export interface OrderEdits {
  /** SKU → the quantity wanted in all; 0 takes the SKU off the order. */
  quantities: Readonly<Record<string, number>>;
  address: AddressInput;
  notes: string;
}

/**
 * One entry per SKU with its total quantity: an order keeps one line per SKU and price, but
 * modifyOrder takes "each SKU once, with its total quantity".
 */
export function linesBySku(items: readonly OrderLine[]): OrderLine[] {
  const bySku = new Map<string, OrderLine>();
  for (const item of items) {
    const seen = bySku.get(item.sku);
    bySku.set(item.sku, seen ? { ...seen, quantity: seen.quantity + item.quantity } : { ...item });
  }
  return [...bySku.values()];
}

export function editsOf(order: ModifiableOrder): OrderEdits {
  const { line1, line2, city, postalCode, country } = order.deliveryAddress;
  return {
    quantities: Object.fromEntries(linesBySku(order.items).map((line) => [line.sku, line.quantity])),
    address: { line1, line2: line2 ?? "", city, postalCode, country },
    notes: order.notes ?? "",
  };
}

/** Only what changed, with the version the edits were made against; null when nothing did. */
export function modifyInput(order: ModifiableOrder, edits: OrderEdits): ModifyOrderInput | null {
  const before = editsOf(order);
  const input: ModifyOrderInput = { orderId: order.id, expectedVersion: order.version };
  const lines = linesBySku(order.items);
  if (lines.some((line) => (edits.quantities[line.sku] ?? 0) !== line.quantity)) {
    input.items = lines
      .map((line) => ({ sku: line.sku, quantity: edits.quantities[line.sku] ?? 0 }))
      .filter((line) => line.quantity > 0);
  }
  if (!sameAddress(before.address, edits.address)) {
    input.deliveryAddress = { ...trimmedAddress(edits.address), line2: edits.address.line2?.trim() || null };
  }
  // An empty string clears the notes (ModifyOrderInput.notes); null would leave them.
  if (edits.notes.trim() !== before.notes.trim()) input.notes = edits.notes.trim();
  const changed = input.items !== undefined || input.deliveryAddress !== undefined || input.notes !== undefined;
  return changed ? input : null;
}

function trimmedAddress(address: AddressInput): AddressInput {
  return {
    line1: address.line1.trim(),
    city: address.city.trim(),
    postalCode: address.postalCode.trim(),
    country: address.country.trim(),
  };
}

function sameAddress(a: AddressInput, b: AddressInput): boolean {
  const left = trimmedAddress(a);
  const right = trimmedAddress(b);
  return (
    left.line1 === right.line1 &&
    left.city === right.city &&
    left.postalCode === right.postalCode &&
    left.country === right.country &&
    (a.line2 ?? "").trim() === (b.line2 ?? "").trim()
  );
}

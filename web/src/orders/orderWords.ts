/** The words a person reads for the API's enums, order numbers and dates. */

import type { DeliveryPriority, OrderEventKind, OrderStatus, TransactionKind } from "../gql/graphql";

// Records over every enum value: when the schema grows one, the type check points here.
export const STATUS_WORDS: Record<OrderStatus, string> = {
  PLACED: "Placed",
  OUT_FOR_DELIVERY: "Out for delivery",
  DELIVERED: "Delivered",
  CANCELLED: "Cancelled",
};

export const EVENT_WORDS: Record<OrderEventKind, string> = {
  PLACED: "Placed",
  MODIFIED: "Changed",
  CANCELLED: "Cancelled",
  DISPATCHED: "Out for delivery",
  DELIVERED: "Delivered",
  RECEIPT_ISSUED: "Receipt issued",
  EMAIL_SENT: "Email sent",
};

export const TRANSACTION_WORDS: Record<TransactionKind, string> = {
  CHARGE: "Charge",
  ADJUSTMENT: "Change to order",
  REFUND: "Refund",
};

export const PRIORITY_WORDS: Record<DeliveryPriority, string> = {
  STANDARD: "Standard",
  URGENT: "Urgent",
};

export const ORDER_STATUSES = Object.keys(STATUS_WORDS) as OrderStatus[];

/** The short number receipts and emails print: the id's last eight characters in two groups
 * (domain/notifications.py order_number). */
export function orderNumber(orderId: string): string {
  const tail = orderId.slice(-8).toUpperCase();
  return `${tail.slice(0, 4)}-${tail.slice(4)}`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(isoDateTime: string): string {
  const moment = new Date(isoDateTime);
  return Number.isNaN(moment.getTime()) ? isoDateTime : dateTimeFormat.format(moment);
}

export function itemCountText(count: number): string {
  return count === 1 ? "1 item" : `${count} items`;
}

// Receipt URLs are presigned for a few minutes (app/settings.py receipt_url_ttl_seconds, 300 by
// default): one fetched longer ago than this is fetched again before it is followed.
export const RECEIPT_URL_FRESH_MS = 60_000;

export function isReceiptUrlFresh(fetchedAt: number, now: number): boolean {
  return now - fetchedAt < RECEIPT_URL_FRESH_MS;
}

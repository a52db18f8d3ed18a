/** Every react-query key, in one place: what setQueryData writes and invalidations aim at. */

import type { DeliveryPriority, OrderItemInput, OrderStatus } from "../gql/graphql";

export const queryKeys = {
  me: ["me"] as const,
  products: ["products"] as const,
  quote: (lines: readonly OrderItemInput[], priority: DeliveryPriority) => ["quote", lines, priority] as const,
  order: (orderId: string) => ["order", orderId] as const,
  myOrders: ["orders", "mine"] as const,
  myOrdersWithStatus: (status: OrderStatus | null) => ["orders", "mine", status ?? "any"] as const,
  board: ["orders", "board"] as const,
  boardColumn: (status: OrderStatus) => ["orders", "board", status] as const,
  command: (commandId: string | null) => ["command", commandId] as const,
};

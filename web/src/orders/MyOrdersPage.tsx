/** My orders: newest first, filtered by status, a page at a time. */

import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";

import { useExecute } from "../api/ApiContext";
import { queryKeys } from "../api/queryKeys";
import { useReadOn } from "../lists/useReadOn";
import type { OrderStatus } from "../gql/graphql";
import { hrefFor } from "../routes";
import { DateTime } from "../ui/DateTime";
import { PageHeading } from "../ui/PageHeading";
import { MyOrdersQuery } from "./orderDocuments";
import {
  ORDER_STATUSES,
  PRIORITY_WORDS,
  STATUS_WORDS,
  itemCountText,
  orderNumber,
} from "./orderWords";

const PAGE_SIZE = 20;

export function MyOrdersPage() {
  const execute = useExecute();
  const [status, setStatus] = useState<OrderStatus | null>(null);
  const orders = useInfiniteQuery({
    queryKey: queryKeys.myOrdersWithStatus(status),
    queryFn: async ({ pageParam }) =>
      (await execute(MyOrdersQuery, { status, first: PAGE_SIZE, after: pageParam })).orders,
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => (lastPage.pageInfo.hasNextPage ? lastPage.pageInfo.endCursor : undefined),
  });
  const rows = orders.data?.pages.flatMap((page) => page.edges.map((edge) => edge.node)) ?? [];
  useReadOn(orders, rows.length, orders.data?.pages.length ?? 0, PAGE_SIZE);

  return (
    <>
      <PageHeading>My orders</PageHeading>
      <div className="field inline">
        <label htmlFor="status-filter">Status</label>
        <select
          id="status-filter"
          value={status ?? ""}
          onChange={(event) => setStatus((event.currentTarget.value || null) as OrderStatus | null)}
        >
          <option value="">All orders</option>
          {ORDER_STATUSES.map((value) => (
            <option key={value} value={value}>
              {STATUS_WORDS[value]}
            </option>
          ))}
        </select>
      </div>
      {orders.isPending ? <p>Loading your orders…</p> : null}
      {orders.isSuccess && rows.length === 0 && !orders.hasNextPage ? (
        <p>
          {status === null ? "You have no orders yet." : `You have no orders that are ${STATUS_WORDS[status].toLowerCase()}.`}{" "}
          <a href="#/shop">Go to the shop</a>.
        </p>
      ) : null}
      <ul className="order-list">
        {rows.map((order) => (
          <li key={order.id} className="card order-row">
            <a href={hrefFor({ page: "order", orderId: order.id })}>Order {orderNumber(order.id)}</a>
            <span className={`status status-${order.status.toLowerCase()}`}>{STATUS_WORDS[order.status]}</span>
            {order.priority === "URGENT" ? <span className="badge urgent">{PRIORITY_WORDS.URGENT}</span> : null}
            <DateTime value={order.createdAt} />
            <span>
              {itemCountText(order.items.reduce((count, item) => count + item.quantity, 0))} · {order.total.display}
            </span>
          </li>
        ))}
      </ul>
      {orders.hasNextPage ? (
        <button
          type="button"
          className="secondary"
          disabled={orders.isFetchingNextPage}
          onClick={() => void orders.fetchNextPage()}
        >
          Load more
        </button>
      ) : null}
      {orders.isFetchingNextPage ? <p role="status">Loading more orders…</p> : null}
    </>
  );
}

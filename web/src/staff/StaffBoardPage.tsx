/** Staff: the orders board, a column per status, urgent orders first; dispatch and deliver from it. */

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { useExecute } from "../api/ApiContext";
import { queryKeys } from "../api/queryKeys";
import { useReadOn } from "../lists/useReadOn";
import { ActionStatus, actionStatusProps } from "../commands/ActionStatus";
import { useCommandAction } from "../commands/useCommand";
import type { BoardOrdersQuery as BoardOrdersResult, OrderRefInput, OrderStatus } from "../gql/graphql";
import { STATUS_WORDS, itemCountText, orderNumber } from "../orders/orderWords";
import { DateTime } from "../ui/DateTime";
import { hrefFor } from "../routes";
import { PageHeading } from "../ui/PageHeading";
import { FIRST_BOARD_PAGE, nextBoardPage } from "./boardPages";
import { BoardOrdersQuery, CompleteDeliveryMutation, DispatchOrderMutation } from "./staffDocuments";

const BOARD_STATUSES: readonly OrderStatus[] = ["PLACED", "OUT_FOR_DELIVERY", "DELIVERED"];
const PAGE_SIZE = 20;

type BoardOrder = BoardOrdersResult["orders"]["edges"][number]["node"];

export function StaffBoardPage() {
  const [announcement, setAnnouncement] = useState("");
  return (
    <>
      <PageHeading>Orders board</PageHeading>
      <p role="status" aria-live="polite" className="notice-line">
        {announcement}
      </p>
      <div className="board">
        {BOARD_STATUSES.map((status) => (
          <BoardColumn key={status} status={status} announce={setAnnouncement} />
        ))}
      </div>
    </>
  );
}

function BoardColumn({ status, announce }: { status: OrderStatus; announce: (text: string) => void }) {
  const execute = useExecute();
  const orders = useInfiniteQuery({
    queryKey: queryKeys.boardColumn(status),
    queryFn: async ({ pageParam }) =>
      (await execute(BoardOrdersQuery, { status, first: PAGE_SIZE, ...pageParam })).orders,
    initialPageParam: FIRST_BOARD_PAGE,
    getNextPageParam: (lastPage, _pages, lastPageParam) => nextBoardPage(lastPageParam, lastPage.pageInfo),
  });
  const rows = orders.data?.pages.flatMap((page) => page.edges.map((edge) => edge.node)) ?? [];
  useReadOn(orders, rows.length, orders.data?.pages.length ?? 0, PAGE_SIZE);
  const headingId = `board-${status.toLowerCase()}`;
  return (
    <section className="board-column" aria-labelledby={headingId}>
      <h2 id={headingId}>{STATUS_WORDS[status]}</h2>
      {orders.isPending ? <p>Loading…</p> : null}
      {orders.isSuccess && rows.length === 0 && !orders.hasNextPage ? <p className="muted">No orders.</p> : null}
      <ul className="order-list">
        {rows.map((order) => (
          <BoardCard key={order.id} order={order} announce={announce} />
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
    </section>
  );
}

function BoardCard({ order, announce }: { order: BoardOrder; announce: (text: string) => void }) {
  const execute = useExecute();
  const queryClient = useQueryClient();
  const number = orderNumber(order.id);
  const headingId = `order-${order.id}`;
  const applied = (done: string) => {
    announce(`Order ${number} ${done}.`);
    // The order changes column: the board is read again; the order itself came with the command.
    void queryClient.invalidateQueries({ queryKey: queryKeys.board });
  };
  const dispatch = useCommandAction(
    async (input: OrderRefInput) => (await execute(DispatchOrderMutation, { input })).dispatchOrder,
    (command) => {
      if (command.state === "APPLIED") applied("is out for delivery");
    },
  );
  const complete = useCommandAction(
    async (input: OrderRefInput) => (await execute(CompleteDeliveryMutation, { input })).completeDelivery,
    (command) => {
      if (command.state === "APPLIED") applied("is delivered");
    },
  );
  const ref = { orderId: order.id, expectedVersion: order.version };
  const busy = dispatch.busy || complete.busy;
  const action = order.status === "PLACED" ? dispatch : complete;
  const reload = () => void queryClient.invalidateQueries({ queryKey: queryKeys.board });

  return (
    <li className={`card board-card${order.priority === "URGENT" ? " urgent" : ""}`}>
      <article aria-labelledby={headingId}>
        <h3 id={headingId}>
          <a href={hrefFor({ page: "order", orderId: order.id })}>Order {number}</a>
          {order.priority === "URGENT" ? <span className="badge urgent">Urgent</span> : null}
        </h3>
        <p>
          {order.customer.name} · {itemCountText(order.items.reduce((count, item) => count + item.quantity, 0))} ·{" "}
          {order.total.display}
        </p>
        <p className="muted">
          Placed <DateTime value={order.createdAt} />
          {order.estimatedDelivery ? (
            <>
              {" "}
              · due <DateTime value={order.estimatedDelivery} />
            </>
          ) : null}
        </p>
        {order.status === "PLACED" ? (
          <button type="button" className="primary" disabled={busy} onClick={() => dispatch.run(ref)}>
            Dispatch
          </button>
        ) : null}
        {order.status === "OUT_FOR_DELIVERY" ? (
          <button type="button" className="primary" disabled={busy} onClick={() => complete.run(ref)}>
            Mark delivered
          </button>
        ) : null}
        {order.status === "PLACED" || order.status === "OUT_FOR_DELIVERY" ? (
          <ActionStatus
            {...actionStatusProps(action)}
            pendingText={order.status === "PLACED" ? "Dispatching…" : "Marking delivered…"}
            appliedText="Done."
            onReload={reload}
          />
        ) : null}
      </article>
    </li>
  );
}

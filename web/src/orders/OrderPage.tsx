/** One order: where it stands, what it costs, what happened to it; changing or cancelling it. */

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type MouseEvent } from "react";

import { useExecute } from "../api/ApiContext";
import { queryKeys } from "../api/queryKeys";
import type { QueuedCommand } from "../commands/useCommand";
import type { OrderFieldsFragment } from "../gql/graphql";
import { DateTime } from "../ui/DateTime";
import { PageHeading } from "../ui/PageHeading";
import { CancelOrderSection } from "./CancelOrderSection";
import { ModifyOrderSection } from "./ModifyOrderSection";
import { OrderQuery } from "./orderDocuments";
import {
  EVENT_WORDS,
  PRIORITY_WORDS,
  STATUS_WORDS,
  TRANSACTION_WORDS,
  isReceiptUrlFresh,
  orderNumber,
} from "./orderWords";

export function useOrder(orderId: string) {
  const execute = useExecute();
  return useQuery({
    queryKey: queryKeys.order(orderId),
    queryFn: async () => (await execute(OrderQuery, { id: orderId })).order,
  });
}

export function OrderPage({ orderId }: { orderId: string }) {
  const order = useOrder(orderId);
  const queryClient = useQueryClient();
  // The command's answer already put the new order in the cache; the customer's lists (a status
  // filter it may have left or joined, a changed total) are fetched again when next shown.
  const onOrderChanged = (command: QueuedCommand) => {
    if (command.state === "APPLIED") void queryClient.invalidateQueries({ queryKey: queryKeys.myOrders });
  };

  return (
    <>
      <PageHeading>{`Order ${orderNumber(orderId)}`}</PageHeading>
      {order.isPending ? <p>Loading the order…</p> : null}
      {order.isSuccess && order.data === null ? (
        <p>
          There is no such order among yours. <a href="#/orders">See My orders</a>.
        </p>
      ) : null}
      {order.data ? (
        <OrderDetails
          order={order.data}
          fetchedAt={order.dataUpdatedAt}
          refetch={async () => (await order.refetch()).data ?? null}
          onOrderChanged={onOrderChanged}
        />
      ) : null}
    </>
  );
}

interface OrderDetailsProps {
  order: OrderFieldsFragment;
  fetchedAt: number;
  refetch: () => Promise<OrderFieldsFragment | null>;
  onOrderChanged: (command: QueuedCommand) => void;
}

function OrderDetails({ order, fetchedAt, refetch, onOrderChanged }: OrderDetailsProps) {
  const reload = () => void refetch();
  // Said aloud when the status changes while the page is open (after a cancel, say, whose own
  // section then leaves the page).
  const [statusSeen, setStatusSeen] = useState({ status: order.status, announcement: "" });
  if (statusSeen.status !== order.status) {
    setStatusSeen({ status: order.status, announcement: `This order is now ${STATUS_WORDS[order.status].toLowerCase()}.` });
  }
  return (
    <div className="order-page">
      <p role="status" className="visually-hidden">
        {statusSeen.announcement}
      </p>
      <section className="card" aria-labelledby="summary-heading">
        <h2 id="summary-heading">Summary</h2>
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <span className={`status status-${order.status.toLowerCase()}`}>{STATUS_WORDS[order.status]}</span>
          </dd>
          <dt>Delivery</dt>
          <dd>{PRIORITY_WORDS[order.priority]}</dd>
          <dt>Placed</dt>
          <dd>
            <DateTime value={order.createdAt} />
          </dd>
          {order.estimatedDelivery ? (
            <>
              <dt>Estimated delivery</dt>
              <dd>
                <DateTime value={order.estimatedDelivery} />
              </dd>
            </>
          ) : null}
          <dt>Deliver to</dt>
          <dd>
            {[
              order.deliveryAddress.line1,
              order.deliveryAddress.line2,
              order.deliveryAddress.city,
              order.deliveryAddress.postalCode,
              order.deliveryAddress.country,
            ]
              .filter(Boolean)
              .join(", ")}
          </dd>
          {order.notes ? (
            <>
              <dt>Notes</dt>
              <dd className="pre-line">{order.notes}</dd>
            </>
          ) : null}
          <dt>Receipt</dt>
          <dd>
            {order.receipt ? (
              <ReceiptLink receipt={order.receipt} fetchedAt={fetchedAt} refetch={refetch} />
            ) : (
              "Not issued yet."
            )}
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="items-heading">
        <h2 id="items-heading">Items</h2>
        <table className="lines">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="amount">
                Unit price
              </th>
              <th scope="col" className="amount">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((item, index) => (
              // A SKU may have several lines, one per price: the index tells them apart.
              <tr key={`${item.sku}-${index}`}>
                <td>
                  {item.name} × {item.quantity}
                </td>
                <td className="amount">{item.unitPrice.display}</td>
                <td className="amount">{item.lineTotal.display}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <dl className="totals">
          <dt>Subtotal</dt>
          <dd>{order.subtotal.display}</dd>
          <dt>Delivery fee</dt>
          <dd>{order.deliveryFee.display}</dd>
          <dt className="total">Total</dt>
          <dd className="total">{order.total.display}</dd>
          <dt>Balance</dt>
          <dd>{order.balance.display}</dd>
        </dl>
      </section>

      {order.canModify ? <ModifyOrderSection order={order} onReload={reload} onSettled={onOrderChanged} /> : null}
      {order.canCancel ? <CancelOrderSection order={order} onReload={reload} onSettled={onOrderChanged} /> : null}

      <section className="card" aria-labelledby="transactions-heading">
        <h2 id="transactions-heading">Transactions</h2>
        {order.transactions.length === 0 ? (
          <p>No transactions yet.</p>
        ) : (
          <table className="lines">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col" className="amount">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {order.transactions.map((transaction) => (
                <tr key={transaction.id}>
                  <td>
                    <DateTime value={transaction.createdAt} />
                  </td>
                  <td>
                    {TRANSACTION_WORDS[transaction.kind]}
                    {transaction.note ? <span className="muted"> · {transaction.note}</span> : null}
                  </td>
                  <td className="amount">{transaction.amount.display}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <ol className="timeline">
          {order.history.map((event, index) => (
            <li key={`${event.at}-${index}`}>
              <DateTime value={event.at} />
              <strong>{EVENT_WORDS[event.kind]}</strong>
              {event.detail ? <span>{event.detail}</span> : null}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

interface ReceiptLinkProps {
  receipt: NonNullable<OrderFieldsFragment["receipt"]>;
  fetchedAt: number;
  refetch: () => Promise<OrderFieldsFragment | null>;
}

/** The receipt's URL is presigned for minutes: an old one is fetched afresh before it is followed. */
function ReceiptLink({ receipt, fetchedAt, refetch }: ReceiptLinkProps) {
  const [opening, setOpening] = useState(false);
  async function openFresh(event: MouseEvent<HTMLAnchorElement>) {
    if (isReceiptUrlFresh(fetchedAt, Date.now())) return;
    event.preventDefault();
    setOpening(true);
    try {
      const fresh = await refetch();
      if (fresh?.receipt) window.location.assign(fresh.receipt.url);
    } finally {
      setOpening(false);
    }
  }
  return (
    <>
      <a href={receipt.url} onClick={(event) => void openFresh(event)}>
        Receipt (PDF)
      </a>{" "}
      <span className="muted">
        issued <DateTime value={receipt.issuedAt} />
        {opening ? " · opening…" : ""}
      </span>
    </>
  );
}

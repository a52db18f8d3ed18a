/** The cart: a live quote from the API, urgent delivery, and placing the order exactly once. */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import { useExecute } from "../api/ApiContext";
import { queryKeys } from "../api/queryKeys";
import { progressOf } from "../commands/commandProgress";
import { useCommand, type QueuedCommand } from "../commands/useCommand";
import type { MeQuery, ProductFieldsFragment, QuoteQuery as QuoteQueryResult } from "../gql/graphql";
import { DateTime } from "../ui/DateTime";
import { navigate } from "../routes";
import { TransportNotice } from "../ui/TransportBanner";
import { RefusalMessage, type Refusal } from "../ui/RefusalMessage";
import { cartLines, cartPriority, isEmpty, type Cart, type CartAction } from "./cart";
import { PlaceOrderMutation, QuoteQuery } from "./shopDocuments";
import { useDebouncedValue } from "./useDebouncedValue";

interface CartPanelProps {
  cart: Cart;
  dispatch: (action: CartAction) => void;
  products: readonly ProductFieldsFragment[];
  profile: MeQuery["me"];
}

const QUOTE_DELAY_MS = 250;

export function CartPanel({ cart, dispatch, products, profile }: CartPanelProps) {
  const execute = useExecute();
  const queryClient = useQueryClient();
  const lines = useMemo(() => cartLines(cart), [cart]);
  const priority = cartPriority(cart);
  const quoted = useDebouncedValue({ lines, priority }, QUOTE_DELAY_MS);
  const quote = useQuery({
    queryKey: queryKeys.quote(quoted.lines, quoted.priority),
    queryFn: async () =>
      (await execute(QuoteQuery, { input: { items: quoted.lines, priority: quoted.priority } })).quote,
    enabled: quoted.lines.length > 0,
    placeholderData: keepPreviousData,
  });

  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [rejection, setRejection] = useState<{ code: string; message: string } | null>(null);
  const placeOrder = useMutation({
    mutationFn: async () => {
      const input = {
        items: lines,
        priority,
        notes: cart.notes.trim() || null,
        // The same key for every attempt at this cart: a retry is the same order, never a second.
        idempotencyKey: cart.checkoutKey,
      };
      return (await execute(PlaceOrderMutation, { input })).placeOrder;
    },
    onMutate: () => {
      setRefusal(null);
      setRejection(null);
    },
    onSuccess: (result) => {
      if (result.__typename === "CommandAccepted") dispatch({ type: "placementQueued", commandId: result.commandId });
      else setRefusal(result);
    },
  });
  const command = useCommand(cart.placingCommandId, (settled: QueuedCommand) => {
    const progress = progressOf(settled, 0);
    if (progress.kind === "applied" && settled.orderId !== null) {
      dispatch({ type: "orderApplied" });
      void queryClient.invalidateQueries({ queryKey: queryKeys.myOrders });
      navigate({ page: "order", orderId: settled.orderId });
    } else if (progress.kind === "rejected") {
      setRejection(progress);
      dispatch({ type: "placementRejected" });
    }
  });

  const placing = cart.placingCommandId !== null;
  const busy = placeOrder.isPending || placing;
  const names = new Map(products.map((product) => [product.sku, product.name]));

  return (
    <section className="card cart" aria-labelledby="cart-heading">
      <h2 id="cart-heading">Your cart</h2>
      {isEmpty(cart) ? (
        <p>Your cart is empty: choose a quantity of any product.</p>
      ) : (
        <>
          <QuoteSummary quote={quote.data} updating={quote.isFetching} />
          <div className="checkbox">
            <input
              id="urgent-delivery"
              type="checkbox"
              checked={cart.urgent}
              disabled={placing}
              onChange={(event) => dispatch({ type: "setUrgent", urgent: event.currentTarget.checked })}
            />
            <label htmlFor="urgent-delivery">Urgent delivery</label>
          </div>
          <div className="field">
            <label htmlFor="order-notes">Notes for the driver (optional)</label>
            <textarea
              id="order-notes"
              rows={2}
              maxLength={1000}
              value={cart.notes}
              disabled={placing}
              onChange={(event) => dispatch({ type: "setNotes", notes: event.currentTarget.value })}
            />
          </div>
          <DeliveryAddress profile={profile} />
          <button type="button" className="primary" disabled={busy} onClick={() => placeOrder.mutate()}>
            Place order
          </button>
        </>
      )}
      {/* Always present, so assistive technology hears each change. */}
      <p role="status" aria-live="polite" className={rejection ? "error" : undefined}>
        {placementText(placeOrder.isPending, placing ? command.data : undefined, command.polls, rejection)}
      </p>
      {rejection?.code === "IDEMPOTENCY_CONFLICT" ? (
        <p>
          <a href="#/orders">See My orders</a>, or{" "}
          <button type="button" className="link" onClick={() => dispatch({ type: "startNewCheckout" })}>
            start a new checkout
          </button>{" "}
          to order this cart as well.
        </p>
      ) : null}
      {refusal ? <RefusalMessage refusal={refusal} fieldLabels={itemFieldLabels(lines, names)} /> : null}
      <TransportNotice error={placeOrder.error} onRetry={() => placeOrder.mutate()} />
    </section>
  );
}

function placementText(
  sending: boolean,
  command: QueuedCommand | null | undefined,
  pollsSoFar: number,
  rejection: { message: string } | null,
): string {
  if (sending) return "Sending your order…";
  if (rejection) return `Your order was not placed: ${rejection.message}`;
  if (command === undefined) return "";
  const progress = progressOf(command, pollsSoFar);
  switch (progress.kind) {
    case "pending":
      return progress.slow
        ? "Placing your order… This is taking longer than usual; it will finish on its own."
        : "Placing your order…";
    case "applied":
      return "Order placed.";
    case "rejected":
      return `Your order was not placed: ${progress.message}`;
    case "unknown":
      return "Your order's progress cannot be shown: see My orders.";
  }
}

type QuoteResult = QuoteQueryResult["quote"];

function QuoteSummary({ quote, updating }: { quote: QuoteResult | undefined; updating: boolean }) {
  if (quote === undefined) return <p>Working out your total…</p>;
  if (quote.__typename === "ValidationError") {
    return (
      <p className="error" role="alert">
        {quote.message}
      </p>
    );
  }
  return (
    <div aria-busy={updating}>
      <table className="lines">
        <caption className="visually-hidden">Your cart at today&apos;s prices</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" className="amount">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {quote.items.map((item) => (
            <tr key={item.sku}>
              <td>
                {item.name} × {item.quantity}
              </td>
              <td className="amount">{item.lineTotal.display}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="totals">
        <dt>Subtotal</dt>
        <dd>{quote.subtotal.display}</dd>
        <dt>{quote.priority === "URGENT" ? "Delivery fee (urgent)" : "Delivery fee"}</dt>
        <dd>{quote.deliveryFee.display}</dd>
        <dt className="total">Total</dt>
        <dd className="total">{quote.total.display}</dd>
        <dt>Estimated delivery</dt>
        <dd>
          <DateTime value={quote.estimatedDelivery} />
        </dd>
      </dl>
    </div>
  );
}

function DeliveryAddress({ profile }: { profile: MeQuery["me"] }) {
  const address = profile?.defaultAddress;
  if (!address) {
    return (
      <p className="notice">
        We need your delivery address: <a href="#/profile">add it to your profile</a>.
      </p>
    );
  }
  return (
    <p>
      Delivering to {[address.line1, address.line2, address.city, address.postalCode, address.country].filter(Boolean).join(", ")}{" "}
      (<a href="#/profile">change</a>).
    </p>
  );
}

/** `items.2.sku` names the third line: say which product it is. */
function itemFieldLabels(lines: readonly { sku: string }[], names: ReadonlyMap<string, string>) {
  return Object.fromEntries(
    lines.flatMap((line, index) => {
      const name = names.get(line.sku) ?? line.sku;
      return [
        [`items.${index}.sku`, name],
        [`items.${index}.quantity`, `Quantity of ${name}`],
      ];
    }),
  );
}

/** Cancelling an order: asked for, then confirmed with an optional reason. */

import { useState } from "react";

import { useExecute } from "../api/ApiContext";
import { ActionStatus, actionStatusProps } from "../commands/ActionStatus";
import { useCommandAction, type QueuedCommand } from "../commands/useCommand";
import type { CancelOrderInput, OrderFieldsFragment } from "../gql/graphql";
import { CancelOrderMutation } from "./orderDocuments";

interface CancelOrderSectionProps {
  order: OrderFieldsFragment;
  onReload: () => void;
  onSettled: (command: QueuedCommand) => void;
}

export function CancelOrderSection({ order, onReload, onSettled }: CancelOrderSectionProps) {
  const execute = useExecute();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const cancel = useCommandAction(
    async (input: CancelOrderInput) => (await execute(CancelOrderMutation, { input })).cancelOrder,
    onSettled,
  );

  return (
    <section className="card" aria-labelledby="cancel-heading">
      <h2 id="cancel-heading">Cancel this order</h2>
      {confirming ? (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            cancel.run({ orderId: order.id, expectedVersion: order.version, reason: reason.trim() || null });
          }}
        >
          <div className="field">
            <label htmlFor="cancel-reason">Reason for cancelling (optional)</label>
            <textarea
              id="cancel-reason"
              rows={2}
              maxLength={500}
              value={reason}
              disabled={cancel.busy}
              onChange={(event) => setReason(event.currentTarget.value)}
            />
          </div>
          <div className="buttons">
            <button type="submit" className="danger" disabled={cancel.busy}>
              Confirm cancellation
            </button>
            <button type="button" className="secondary" disabled={cancel.busy} onClick={() => setConfirming(false)}>
              Keep order
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Cancel order
        </button>
      )}
      <ActionStatus
        {...actionStatusProps(cancel)}
        pendingText="Cancelling your order…"
        appliedText="Order cancelled."
        fieldLabels={{ reason: "Reason for cancelling" }}
        onReload={onReload}
      />
    </section>
  );
}

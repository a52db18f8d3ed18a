/** Changing an order's quantities, delivery address and notes, against the version shown. */

import { useState, type SubmitEvent } from "react";

import { useExecute } from "../api/ApiContext";
import { ActionStatus, actionStatusProps } from "../commands/ActionStatus";
import { useCommandAction, type QueuedCommand } from "../commands/useCommand";
import type { ModifyOrderInput, OrderFieldsFragment } from "../gql/graphql";
import { MAX_QUANTITY } from "../shop/cart";
import { AddressFields, addressFieldLabels } from "../ui/AddressFields";
import { editsOf, linesBySku, modifyInput, type OrderEdits } from "./orderChanges";
import { ModifyOrderMutation } from "./orderDocuments";

interface ModifyOrderSectionProps {
  order: OrderFieldsFragment;
  onReload: () => void;
  onSettled: (command: QueuedCommand) => void;
}

export function ModifyOrderSection({ order, onReload, onSettled }: ModifyOrderSectionProps) {
  const execute = useExecute();
  // Each applied change, and each new version of the order (a reload after a conflict), starts
  // the form again from the order as it now is.
  const [formGeneration, setFormGeneration] = useState(0);
  const restart = () => setFormGeneration((generation) => generation + 1);
  const modify = useCommandAction(
    async (input: ModifyOrderInput) => (await execute(ModifyOrderMutation, { input })).modifyOrder,
    (command) => {
      onSettled(command);
      if (command.state === "APPLIED") restart();
    },
  );
  const reload = () => {
    modify.reset();
    onReload(); // the form restarts from the reloaded order when its version arrives (its key)
  };
  return (
    <section className="card" aria-labelledby="modify-heading">
      <h2 id="modify-heading">Change this order</h2>
      <ModifyOrderForm key={`${String(formGeneration)}-${String(order.version)}`} order={order} busy={modify.busy} onSubmit={modify.run} />
      <ActionStatus
        {...actionStatusProps(modify)}
        pendingText="Saving your changes…"
        appliedText="Changes saved."
        fieldLabels={fieldLabels(order)}
        onReload={reload}
      />
    </section>
  );
}

interface ModifyOrderFormProps {
  order: OrderFieldsFragment;
  busy: boolean;
  onSubmit: (input: ModifyOrderInput) => void;
}

function ModifyOrderForm({ order, busy, onSubmit }: ModifyOrderFormProps) {
  // The order as the form was opened on: its version is what the change is made against.
  const [base] = useState(order);
  const [edits, setEdits] = useState<OrderEdits>(() => editsOf(order));
  const [nothingChanged, setNothingChanged] = useState(false);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = modifyInput(base, edits);
    setNothingChanged(input === null);
    if (input !== null) onSubmit(input);
  }

  return (
    <form className="form" onSubmit={submit}>
      <fieldset disabled={busy}>
        <legend>Quantities</legend>
        {linesBySku(base.items).map((line) => {
          const id = `modify-quantity-${line.sku}`;
          return (
            <div className="field inline" key={line.sku}>
              <label htmlFor={id}>
                Quantity of {line.name}
              </label>
              <input
                id={id}
                type="number"
                inputMode="numeric"
                min={0}
                max={MAX_QUANTITY}
                step={1}
                value={String(edits.quantities[line.sku] ?? 0)}
                onChange={(event) => {
                  const quantity = Math.max(0, Math.floor(event.currentTarget.valueAsNumber || 0));
                  setEdits({ ...edits, quantities: { ...edits.quantities, [line.sku]: quantity } });
                }}
              />
            </div>
          );
        })}
        <p className="hint">Set a quantity to 0 to take the item off the order.</p>
      </fieldset>
      <AddressFields
        idPrefix="modify"
        legend="Delivery address"
        address={edits.address}
        disabled={busy}
        onChange={(address) => setEdits({ ...edits, address })}
      />
      <div className="field">
        <label htmlFor="modify-notes">Notes for the driver</label>
        <textarea
          id="modify-notes"
          rows={2}
          maxLength={1000}
          disabled={busy}
          value={edits.notes}
          onChange={(event) => setEdits({ ...edits, notes: event.currentTarget.value })}
        />
      </div>
      <button type="submit" className="primary" disabled={busy}>
        Save changes
      </button>
      {nothingChanged ? <p role="alert">Nothing has changed yet.</p> : null}
    </form>
  );
}

/** `items.1.quantity` is the second SKU sent: name its product. */
function fieldLabels(order: OrderFieldsFragment): Record<string, string> {
  const labels: Record<string, string> = { ...addressFieldLabels("deliveryAddress"), notes: "Notes for the driver" };
  linesBySku(order.items).forEach((line, index) => {
    labels[`items.${index}.quantity`] = `Quantity of ${line.name}`;
    labels[`items.${index}.sku`] = line.name;
  });
  return labels;
}

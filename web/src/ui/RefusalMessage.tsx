/** A mutation's expected refusal (a member of its result union), worded for the person who asked. */

import type { ErrorCode, OrderStatus } from "../gql/graphql";
import { STATUS_WORDS } from "../orders/orderWords";

export type Refusal =
  | { __typename: "ValidationError"; code: ErrorCode; message: string; field: string | null }
  | { __typename: "StaleVersionError"; code: ErrorCode; message: string; currentVersion: number }
  | { __typename: "OrderNotModifiableError"; code: ErrorCode; message: string; status?: OrderStatus }
  | { __typename: "NotFoundError" | "ForbiddenError" | "ProfileRequiredError"; code: ErrorCode; message: string };

interface RefusalMessageProps {
  refusal: Refusal;
  /** The form's labels by the API's field path (`items.0.quantity`), to name what to fix. */
  fieldLabels?: Readonly<Record<string, string>>;
  /** Offered when the order changed under the person: fetch it again. */
  onReload?: () => void;
}

export function RefusalMessage({ refusal, fieldLabels = {}, onReload }: RefusalMessageProps) {
  switch (refusal.__typename) {
    case "ValidationError": {
      const label = refusal.field === null ? null : (fieldLabels[refusal.field] ?? null);
      return (
        <p className="error" role="alert">
          {label ? `${label}: ` : ""}
          {refusal.message}
        </p>
      );
    }
    case "StaleVersionError":
      return <StaleVersionMessage {...(onReload ? { onReload } : {})} />;
    case "OrderNotModifiableError":
      return (
        <p className="error" role="alert">
          {refusal.message}
          {refusal.status ? ` (The order is now: ${STATUS_WORDS[refusal.status]}.)` : ""}
        </p>
      );
    case "ProfileRequiredError":
      return (
        <p className="error" role="alert">
          {refusal.message} <a href="#/profile">Add your name and address</a>.
        </p>
      );
    case "NotFoundError":
    case "ForbiddenError":
      return (
        <p className="error" role="alert">
          {refusal.message}
        </p>
      );
  }
}

/** Someone (or another tab) changed the order first: nothing was saved, and a reload shows why. */
export function StaleVersionMessage({ onReload }: { onReload?: () => void }) {
  return (
    <div className="error" role="alert">
      <p>This order changed since you opened it, so your changes were not saved. Reload it to see the latest, then try again.</p>
      {onReload ? (
        <button type="button" onClick={onReload}>
          Reload order
        </button>
      ) : null}
    </div>
  );
}

import { formatDateTime } from "../orders/orderWords";

/** A moment in the reader's locale, kept on one line ("Dec 1, 2026, 7:08 AM" never splits). */
export function DateTime({ value }: { value: string }) {
  return (
    <time dateTime={value} className="date-time">
      {formatDateTime(value)}
    </time>
  );
}

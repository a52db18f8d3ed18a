/** What became of an action, said in a live region: sending, queued, done, or refused and why. */

import { TransportNotice } from "../ui/TransportBanner";
import { RefusalMessage, StaleVersionMessage, type Refusal } from "../ui/RefusalMessage";
import { progressOf } from "./commandProgress";
import type { WatchedCommand } from "./useCommand";

interface ActionStatusProps {
  sending: boolean;
  sendError: Error | null;
  onRetry: () => void;
  refusal: Refusal | null;
  command: WatchedCommand;
  /** "Placing your order…" */
  pendingText: string;
  /** "Order placed." */
  appliedText: string;
  fieldLabels?: Readonly<Record<string, string>>;
  onReload?: () => void;
}

export function ActionStatus(props: ActionStatusProps) {
  const { sending, sendError, onRetry, refusal, command, fieldLabels, onReload } = props;
  const reload = onReload ? { onReload } : {};
  const progress =
    command.data === undefined ? null : progressOf(command.data, command.polls);
  return (
    <div className="action-status">
      {/* Always in the page, so assistive technology hears each change of its text. */}
      <p role="status" aria-live="polite" className={progress?.kind === "rejected" ? "error" : undefined}>
        {statusText(sending, progress, props)}
      </p>
      {progress?.kind === "rejected" && progress.code === "STALE_VERSION" ? <StaleVersionMessage {...reload} /> : null}
      {refusal ? <RefusalMessage refusal={refusal} {...(fieldLabels ? { fieldLabels } : {})} {...reload} /> : null}
      <TransportNotice error={sendError} onRetry={onRetry} />
    </div>
  );
}

function statusText(
  sending: boolean,
  progress: ReturnType<typeof progressOf> | null,
  { pendingText, appliedText }: ActionStatusProps,
): string {
  if (sending) return "Sending…";
  switch (progress?.kind) {
    case undefined:
      return "";
    case "pending":
      return progress.slow ? `${pendingText} This is taking longer than usual; it will finish on its own.` : pendingText;
    case "applied":
      return appliedText;
    case "rejected":
      return `Not done: ${progress.message}`;
    case "unknown":
      return "This request's progress cannot be shown.";
  }
}

/** The props ActionStatus takes from a useCommandAction. */
export function actionStatusProps(action: {
  mutation: { isPending: boolean; error: Error | null };
  retry: () => void;
  refusal: Refusal | null;
  command: WatchedCommand;
}) {
  return {
    sending: action.mutation.isPending,
    sendError: action.mutation.error,
    onRetry: action.retry,
    refusal: action.refusal,
    command: action.command,
  };
}

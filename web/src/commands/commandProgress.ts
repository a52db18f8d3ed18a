/** Where a queued command stands, and when to ask again: the pure half of polling command(id). */

import type { CommandState, ErrorCode } from "../gql/graphql";

export interface CommandSnapshot {
  state: CommandState;
  error: { code: ErrorCode; message: string } | null;
}

export type CommandProgress =
  | { kind: "pending"; slow: boolean }
  | { kind: "applied" }
  | { kind: "rejected"; code: ErrorCode; message: string }
  /** command(id) answered null: the command is not one this caller may see. */
  | { kind: "unknown" };

// A worker usually answers within a second: ask often at first, then ease off.
export const FAST_POLL_MS = 500;
export const SLOW_POLL_MS = 2_000;
export const FAST_POLLS = 10;

/** react-query's refetchInterval: poll only while PENDING; stop for good once applied or rejected. */
export function pollInterval(command: CommandSnapshot | null | undefined, pollsSoFar: number): number | false {
  if (command?.state !== "PENDING") return false;
  return pollsSoFar < FAST_POLLS ? FAST_POLL_MS : SLOW_POLL_MS;
}

export function isSettled(command: CommandSnapshot | null | undefined): boolean {
  return command?.state === "APPLIED" || command?.state === "REJECTED";
}

export function progressOf(command: CommandSnapshot | null, pollsSoFar: number): CommandProgress {
  if (command === null) return { kind: "unknown" };
  switch (command.state) {
    case "PENDING":
      return { kind: "pending", slow: pollsSoFar >= FAST_POLLS };
    case "APPLIED":
      return { kind: "applied" };
    case "REJECTED":
      return {
        kind: "rejected",
        code: command.error?.code ?? "VALIDATION",
        message: command.error?.message ?? "The request was refused.",
      };
  }
}

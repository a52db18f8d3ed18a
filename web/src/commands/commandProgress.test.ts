import { describe, expect, it } from "vitest";

import {
  FAST_POLLS,
  FAST_POLL_MS,
  SLOW_POLL_MS,
  isSettled,
  pollInterval,
  progressOf,
  type CommandSnapshot,
} from "./commandProgress";

const pending: CommandSnapshot = { state: "PENDING", error: null };
const applied: CommandSnapshot = { state: "APPLIED", error: null };
const rejected: CommandSnapshot = {
  state: "REJECTED",
  error: { code: "NOT_MODIFIABLE", message: "The order is out for delivery and can no longer change." },
};

describe("pollInterval", () => {
  it("polls a pending command quickly at first, then more slowly", () => {
    expect(pollInterval(pending, 0)).toBe(FAST_POLL_MS);
    expect(pollInterval(pending, FAST_POLLS - 1)).toBe(FAST_POLL_MS);
    expect(pollInterval(pending, FAST_POLLS)).toBe(SLOW_POLL_MS);
  });

  it("stops once the worker applied or rejected the command", () => {
    expect(pollInterval(applied, 1)).toBe(false);
    expect(pollInterval(rejected, 1)).toBe(false);
  });

  it("does not poll a command it cannot see, or before the first answer", () => {
    expect(pollInterval(null, 1)).toBe(false);
    expect(pollInterval(undefined, 0)).toBe(false);
  });
});

describe("progressOf", () => {
  it("says pending, and slow once the fast polls are used up", () => {
    expect(progressOf(pending, 0)).toEqual({ kind: "pending", slow: false });
    expect(progressOf(pending, FAST_POLLS)).toEqual({ kind: "pending", slow: true });
    expect(isSettled(pending)).toBe(false);
  });

  it("says applied", () => {
    expect(progressOf(applied, 3)).toEqual({ kind: "applied" });
    expect(isSettled(applied)).toBe(true);
  });

  it("carries the worker's reason for a rejection", () => {
    expect(progressOf(rejected, 3)).toEqual({
      kind: "rejected",
      code: "NOT_MODIFIABLE",
      message: "The order is out for delivery and can no longer change.",
    });
    expect(isSettled(rejected)).toBe(true);
  });

  it("says unknown for a command the caller cannot see", () => {
    expect(progressOf(null, 0)).toEqual({ kind: "unknown" });
  });
});

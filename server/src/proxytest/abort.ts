/**
 * Deadlines and cancellation shared by the proxy-test steps.
 *
 * A deadline is an absolute time on the monotonic `performance.now()` clock, so that a wall-clock
 * change during a test cannot stretch or cut it. Every step that waits takes a deadline and/or an
 * AbortSignal and, when either fires, releases what it started before it rejects.
 */
import { performance } from 'node:perf_hooks';

/** A step did not finish before its deadline. */
export class TimeoutError extends Error {
  readonly code = 'timeout' as const;
  constructor(what: string) {
    super(`${what} timed out`);
    this.name = 'TimeoutError';
  }
}

/** The caller's AbortSignal fired; `cause` is the signal's reason. */
export class CancelledError extends Error {
  readonly code = 'cancelled' as const;
  constructor(what: string, reason?: unknown) {
    super(`${what} was cancelled`, reason === undefined ? undefined : { cause: reason });
    this.name = 'CancelledError';
  }
}

export function now(): number {
  return performance.now();
}

/** The deadline `ms` milliseconds from now. */
export function deadlineIn(ms: number): number {
  return performance.now() + ms;
}

/** Milliseconds left before `deadline`, never negative. */
export function remainingMs(deadline: number, at: number = performance.now()): number {
  return Math.max(0, deadline - at);
}

export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(what, signal.reason);
}

/**
 * Calls `onAbort` once when `signal` fires (immediately if it already has). Returns the function
 * that removes the listener; call it when the guarded step is over so listeners don't pile up on
 * a long-lived signal.
 */
export function onAbort(signal: AbortSignal | undefined, onAbortCallback: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    onAbortCallback();
    return () => undefined;
  }
  signal.addEventListener('abort', onAbortCallback, { once: true });
  return () => signal.removeEventListener('abort', onAbortCallback);
}

/**
 * A timer for `deadline` that can be cancelled. This is a deadline, not a sleep: the work it
 * guards finishes as soon as its own event arrives, and `clear()` is called then.
 */
export function onDeadline(deadline: number, callback: () => void): { clear(): void } {
  const timer = setTimeout(callback, remainingMs(deadline));
  return { clear: () => clearTimeout(timer) };
}

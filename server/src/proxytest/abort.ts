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

/**
 * Calls `check` until it returns true, waiting `delayMs(attempt)` between attempts: for states
 * that have no event to wait for (a file another process writes). Rejects with TimeoutError at
 * `deadline` and CancelledError when `signal` fires; an exception from `check` rejects too.
 */
export function pollUntil(
  check: () => Promise<boolean>,
  options: { deadline: number; signal?: AbortSignal; delayMs: (attempt: number) => number; description: string },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new CancelledError(options.description, options.signal.reason));
      return;
    }
    let settled = false;
    let retryTimer: NodeJS.Timeout | undefined;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(retryTimer);
      clearTimeout(deadlineTimer);
      removeAbortListener();
      if (error) reject(error);
      else resolve();
    };
    const deadlineTimer = setTimeout(
      () => settle(new TimeoutError(options.description)),
      remainingMs(options.deadline),
    );
    const removeAbortListener = onAbort(options.signal, () =>
      settle(new CancelledError(options.description, options.signal?.reason)),
    );
    let attempt = 0;
    const tryOnce = (): void => {
      check().then(
        (done) => {
          if (settled) return;
          if (done) settle();
          else retryTimer = setTimeout(tryOnce, Math.min(options.delayMs(attempt++), remainingMs(options.deadline)));
        },
        (error: unknown) => settle(error instanceof Error ? error : new Error(String(error))),
      );
    };
    tryOnce();
  });
}

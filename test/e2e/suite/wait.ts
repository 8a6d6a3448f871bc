// Waiting inside the extension host without sleeping blindly: check a condition each time
// something may have changed, with a deadline and a message that says what never happened.
import * as vscode from 'vscode';

export interface WaitOptions {
  timeoutMs?: number;
  /** What we are waiting for, for the error message: "the extension to activate". */
  what: string;
  /** What there was instead, added to the error message on timeout ("diagnostics: ..."). */
  found?: () => string;
}

/**
 * Resolves once `condition` holds. It is checked now, whenever an `events` source fires, and on
 * a short interval for state no event announces (extension activation has no event).
 */
export function waitUntil(
  condition: () => boolean,
  options: WaitOptions,
  events: readonly vscode.Event<unknown>[] = [],
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise<void>((resolve, reject) => {
    const subscriptions: vscode.Disposable[] = [];
    const finish = (error?: Error): void => {
      clearInterval(poll);
      clearTimeout(deadline);
      for (const subscription of subscriptions) subscription.dispose();
      if (error) reject(error);
      else resolve();
    };
    const check = (): void => {
      try {
        if (condition()) finish();
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const poll = setInterval(check, 50);
    const deadline = setTimeout(() => {
      const found = options.found ? `; found ${options.found()}` : '';
      finish(new Error(`Timed out after ${timeoutMs} ms waiting for ${options.what}${found}`));
    }, timeoutMs);
    for (const event of events) subscriptions.push(event(check));
    check();
  });
}

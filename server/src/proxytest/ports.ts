/**
 * Ports on the loopback interface: choosing a free one for nginx, and waiting until one accepts
 * connections. Only 127.0.0.1 is ever bound or dialled.
 */
import { createConnection, createServer } from 'node:net';
import { CancelledError, onAbort, remainingMs, TimeoutError } from './abort';

export const LOOPBACK = '127.0.0.1';

/**
 * A port that was free a moment ago: the OS picks one for a listener on port 0, which is closed
 * again. Another process may take it before nginx binds it; startNginx reports that case as
 * `addressInUse` so the caller can retry with a new port.
 */
export function findFreePort(host: string = LOOPBACK): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not read the port of a listener on ${host}`));
        return;
      }
      server.close((error) => (error ? reject(error) : resolve(address.port)));
    });
  });
}

/** True when nothing listens on `port` (a listener can be opened and closed on it). */
export function isPortFree(port: number, host: string = LOOPBACK): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Delay before connection attempt number `attempt` (0-based) after a refusal: doubling from 2 ms
 * and capped at 25 ms, so a port that opens is seen within 25 ms, at a cost of at most ~40
 * attempts a second.
 */
export function retryDelayMs(attempt: number): number {
  return Math.min(25, 2 * 2 ** Math.max(0, attempt));
}

/**
 * Resolves once a TCP connection to `host:port` succeeds. A refused connection is retried after
 * `retryDelayMs`; this is polling a socket, bounded by `deadline` (absolute `performance.now()`
 * ms) and cut short by `signal`, which rejects with the signal's reason wrapped in
 * CancelledError.
 */
export function waitForPort(
  port: number,
  deadline: number,
  signal?: AbortSignal,
  host: string = LOOPBACK,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError(`waiting for ${host}:${port}`, signal.reason));
      return;
    }
    let attempt = 0;
    let settled = false;
    let retryTimer: NodeJS.Timeout | undefined;
    let socket: ReturnType<typeof createConnection> | undefined;
    let lastError: Error | undefined;

    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      if (retryTimer) clearTimeout(retryTimer);
      clearTimeout(deadlineTimer);
      removeAbortListener();
      socket?.destroy();
      if (error) reject(error);
      else resolve();
    };
    const deadlineTimer = setTimeout(() => {
      const detail = lastError ? ` (last attempt: ${lastError.message})` : '';
      settle(new TimeoutError(`waiting for ${host}:${port} to accept connections${detail}`));
    }, remainingMs(deadline));
    const removeAbortListener = onAbort(signal, () =>
      settle(new CancelledError(`waiting for ${host}:${port}`, signal?.reason)),
    );

    const tryConnect = (): void => {
      if (settled) return;
      const attemptSocket = createConnection({ host, port });
      socket = attemptSocket;
      attemptSocket.once('connect', () => settle());
      attemptSocket.once('error', (error) => {
        attemptSocket.destroy();
        if (settled) return;
        lastError = error;
        const delay = Math.min(retryDelayMs(attempt++), remainingMs(deadline));
        retryTimer = setTimeout(tryConnect, delay);
      });
    };
    tryConnect();
  });
}

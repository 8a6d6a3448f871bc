/**
 * One WebSocket handshake as a client, with what came back: the status line and headers of a
 * refusal (and the start of its body), or the 101 and an echoed message. Used against the test
 * nginx (ws://) and against a deployed proxy (wss://, possibly with a self-signed certificate).
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { now } from './abort';
import { headerPairs } from './backend';

export type HandshakeErrorCode =
  /** Nothing listens there (ECONNREFUSED). */
  | 'refused'
  /** The whole exchange did not finish within `timeoutMs`. */
  | 'timeout'
  /** The caller's signal fired. */
  | 'aborted'
  /** The connection was closed or reset before an HTTP answer (ECONNRESET, "socket hang up"). */
  | 'reset'
  /** The host name did not resolve. */
  | 'dns'
  /** The TLS handshake failed (certificate not trusted, expired, wrong name...). */
  | 'tls'
  /** A 101 arrived but was not a valid WebSocket answer (bad Sec-WebSocket-Accept, ...). */
  | 'protocol'
  /** The server refused the upgrade with another status (see `status`). */
  | 'unexpected-response'
  /** Upgraded, but the socket closed before the echo came back. */
  | 'closed-before-echo'
  /** Upgraded, but what came back was not what was sent. */
  | 'echo-mismatch'
  | 'other';

export interface HandshakeError {
  code: HandshakeErrorCode;
  message: string;
  /** The Node/OpenSSL error code when there was one (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT...). */
  systemCode?: string;
}

export interface HandshakeEcho {
  sent: string;
  received: string | null;
  roundTripMs: number | null;
}

export interface HandshakeResult {
  url: string;
  /** HTTP status of the answer, or null when none arrived. */
  status: number | null;
  statusText: string | null;
  httpVersion: string | null;
  /** Response header lines in their original case and order. */
  headers: Array<[name: string, value: string]>;
  /** The WebSocket opened (a valid 101). */
  upgraded: boolean;
  /** The first bytes of a non-101 answer's body (UTF-8, at most `maxBodyBytes`). */
  bodySnippet?: string;
  echo?: HandshakeEcho;
  /** Milliseconds from the start until the response headers arrived. */
  responseMs: number | null;
  error?: HandshakeError;
}

export interface HandshakeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Sent once the socket is open; the echo must equal it. Default: a random probe text. */
  message?: string;
  /** Extra request headers (Origin, Host, Authorization...). */
  headers?: Record<string, string>;
  /** Subprotocols to offer (Vite's HMR needs "vite-hmr"). */
  protocols?: string[];
  /** For wss://: default true. False accepts self-signed or otherwise untrusted certificates. */
  rejectUnauthorized?: boolean;
  /** How much of a refusal's body to keep; default 2048 bytes. */
  maxBodyBytes?: number;
  /**
   * How long to keep reading a refusal's body once its headers are in; default 1000 ms. A 200
   * that streams (SSE, long polling) would otherwise hold the test until its timeout.
   */
  bodyWaitMs?: number;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Maps a client-side error from `ws` or Node to a HandshakeError (pure). */
export function classifyHandshakeError(error: Error & { code?: string }, upgraded: boolean): HandshakeError {
  const systemCode = typeof error.code === 'string' ? error.code : undefined;
  const withCode = (code: HandshakeErrorCode): HandshakeError =>
    systemCode === undefined ? { code, message: error.message } : { code, message: error.message, systemCode };
  if (systemCode === 'ECONNREFUSED') return withCode('refused');
  if (systemCode === 'ENOTFOUND' || systemCode === 'EAI_AGAIN') return withCode('dns');
  if (
    systemCode !== undefined &&
    (TLS_CODES.has(systemCode) || systemCode.startsWith('ERR_SSL_') || systemCode.startsWith('ERR_TLS_'))
  ) {
    return withCode('tls');
  }
  if (systemCode === 'ECONNRESET' || systemCode === 'EPIPE' || /socket hang up/i.test(error.message)) {
    return withCode(upgraded ? 'closed-before-echo' : 'reset');
  }
  if (/^Invalid |^Server sent|^Server indicated/.test(error.message)) return withCode('protocol');
  return withCode('other');
}

/**
 * Opens `url` (ws:// or wss://), and on a 101 sends `message` and waits for it to come back.
 * Never rejects: every failure, including timeout and cancellation, is in `result.error`, and
 * the socket is closed before the promise settles.
 */
export function wsHandshake(url: string, options: HandshakeOptions): Promise<HandshakeResult> {
  const startedAt = now();
  const maxBodyBytes = options.maxBodyBytes ?? 2048;
  const message = options.message ?? `nginx-ws probe ${randomBytes(6).toString('hex')}`;
  const result: HandshakeResult = {
    url,
    status: null,
    statusText: null,
    httpVersion: null,
    headers: [],
    upgraded: false,
    responseMs: null,
  };
  const recordResponse = (response: IncomingMessage): void => {
    result.status = response.statusCode ?? null;
    result.statusText = response.statusMessage ?? null;
    result.httpVersion = response.httpVersion;
    result.headers = headerPairs(response.rawHeaders);
    result.responseMs = now() - startedAt;
  };

  return new Promise<HandshakeResult>((resolve) => {
    if (options.signal?.aborted) {
      result.error = { code: 'aborted', message: 'the handshake was cancelled before it started' };
      resolve(result);
      return;
    }
    let settled = false;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, options.protocols ?? [], {
        headers: options.headers,
        rejectUnauthorized: options.rejectUnauthorized ?? true,
        perMessageDeflate: false,
        followRedirects: false,
      });
    } catch (error) {
      // Bad URL or scheme: ws throws synchronously.
      result.error = { code: 'other', message: error instanceof Error ? error.message : String(error) };
      resolve(result);
      return;
    }

    const finish = (error?: HandshakeError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbortSignal);
      if (error && !result.error) result.error = error;
      // ws's 'close' after terminate() is of no interest; errors it emits afterwards must not throw.
      socket.on('error', () => undefined);
      try {
        socket.terminate();
      } catch {
        // ws throws only if the handshake request is already gone, i.e. nothing is left to close.
      }
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ code: 'timeout', message: `no complete answer within ${options.timeoutMs} ms` }),
      options.timeoutMs,
    );
    const onAbortSignal = (): void => finish({ code: 'aborted', message: 'the handshake was cancelled' });
    options.signal?.addEventListener('abort', onAbortSignal, { once: true });

    socket.on('upgrade', recordResponse);
    socket.on('unexpected-response', (request: ClientRequest, response: IncomingMessage) => {
      recordResponse(response);
      result.error = {
        code: 'unexpected-response',
        message:
          `the server answered ${response.statusCode ?? '?'} ${response.statusMessage ?? ''}`.trimEnd() +
          ' instead of 101',
      };
      const body: Buffer[] = [];
      let size = 0;
      const done = (): void => {
        clearTimeout(bodyTimer);
        result.bodySnippet = Buffer.concat(body).subarray(0, maxBodyBytes).toString('utf8');
        request.destroy();
        finish();
      };
      const bodyTimer = setTimeout(done, options.bodyWaitMs ?? 1000);
      response.on('data', (chunk: Buffer) => {
        body.push(chunk);
        size += chunk.length;
        if (size >= maxBodyBytes) done();
      });
      response.once('end', done);
      response.once('error', done);
      response.once('aborted', done);
    });
    let sentAt = 0;
    socket.on('open', () => {
      result.upgraded = true;
      result.echo = { sent: message, received: null, roundTripMs: null };
      sentAt = now();
      socket.send(message);
    });
    socket.on('message', (data, isBinary) => {
      if (!result.echo) return;
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
      const received = isBinary ? `<binary: ${text}>` : text;
      result.echo.received = received;
      result.echo.roundTripMs = now() - sentAt;
      finish(
        received === message
          ? undefined
          : { code: 'echo-mismatch', message: 'the echoed message differs from the one sent' },
      );
    });
    socket.on('close', (code, reason) => {
      if (result.upgraded) {
        finish({
          code: 'closed-before-echo',
          message: `the WebSocket closed (code ${code}${reason.length ? `, ${reason.toString()}` : ''}) before the echo`,
        });
      } else {
        finish({ code: 'reset', message: 'the connection closed before an answer' });
      }
    });
    socket.on('error', (error: Error & { code?: string }) => finish(classifyHandshakeError(error, result.upgraded)));
  });
}

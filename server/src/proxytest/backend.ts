/**
 * The upstream of a proxy test: a Node `ws` server on 127.0.0.1 that records exactly what nginx
 * forwarded to it (HTTP version, Upgrade, Connection, ...), echoes WebSocket messages, and
 * answers like a default `ws` server so the symptoms are the ones users see.
 */
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { LOOPBACK } from './ports';

export interface BackendRequest {
  method: string;
  url: string;
  /** "1.0" or "1.1": nginx speaks 1.0 to upstreams unless told `proxy_http_version 1.1`. */
  httpVersion: string;
  /** Header lines as received, names in their original case, in order. */
  rawHeaders: Array<[name: string, value: string]>;
  /** The Upgrade header (all values joined with ", "), or null when there was none. */
  upgrade: string | null;
  /** The Connection header, or null when there was none. */
  connection: string | null;
  /** Node saw an upgrade request (Upgrade present and Connection listing "upgrade"). */
  upgradeRequested: boolean;
  /** The WebSocket handshake completed (the backend answered 101). */
  upgraded: boolean;
  /** Status the backend answered with. */
  status: number;
  /** Why `ws` refused the handshake (e.g. "Invalid Upgrade header"), if it did. */
  rejection?: string;
  /** WebSocket messages received on this connection (each was echoed). */
  messagesReceived: number;
}

export interface Backend {
  readonly port: number;
  /** Everything received so far, in arrival order. */
  requests(): readonly BackendRequest[];
  /** Terminates WebSocket clients, drops connections, and resolves when the port is released. */
  close(): Promise<void>;
}

export interface BackendOptions {
  /** Default true: send every WebSocket message back. */
  echo?: boolean;
  /**
   * Default true: refuse an upgrade request that arrives over HTTP/1.0, as RFC 6455 §4.1 says a
   * server must. Node's `ws` alone accepts it, so nginx's HTTP/1.0 default would pass the test
   * while failing against stricter backends (Python websockets, Go, Java); the test backend is
   * the strict kind so that a pass means the location is right, not that the backend was lenient.
   */
  requireHttp11?: boolean;
}

/** Why the strict backend refused an HTTP/1.0 upgrade request. */
export const HTTP10_REJECTION = 'WebSocket handshake over HTTP/1.0: RFC 6455 section 4.1 requires HTTP/1.1';

/**
 * The body and headers `ws`'s own server (`new WebSocketServer({ port })`) uses for a request that
 * is not an upgrade: 426 with a text/plain "Upgrade Required". Mirrored so the test backend fails
 * the way a real `ws` backend does (checked against ws in the backend unit test).
 */
export function plainRequestResponse(): { status: number; headers: Record<string, string | number>; body: string } {
  const body = STATUS_CODES[426] ?? 'Upgrade Required';
  return { status: 426, headers: { 'Content-Length': body.length, 'Content-Type': 'text/plain' }, body };
}

/**
 * The response `ws` writes when it refuses a handshake (its `abortHandshake`): we listen to
 * `wsClientError` to record why, and must then answer ourselves. 405 for a method other than
 * GET, 400 otherwise, with ws's extra header for a bad version.
 */
export function handshakeRejectionResponse(reason: string): string {
  const status = reason === 'Invalid HTTP method' ? 405 : 400;
  const headers: Record<string, string | number> = {
    Connection: 'close',
    'Content-Type': 'text/html',
    'Content-Length': Buffer.byteLength(reason),
  };
  if (reason === 'Missing or invalid Sec-WebSocket-Version header') headers['Sec-WebSocket-Version'] = '13, 8';
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${reason}`;
}

export function headerPairs(rawHeaders: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i] ?? '', rawHeaders[i + 1] ?? '']);
  return pairs;
}

/** All values of header `name` (case-insensitive) joined with ", ", or null when absent. */
export function headerValue(pairs: ReadonlyArray<readonly [string, string]>, name: string): string | null {
  const wanted = name.toLowerCase();
  const values = pairs.filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value);
  return values.length === 0 ? null : values.join(', ');
}

function recordOf(request: IncomingMessage, upgradeRequested: boolean): BackendRequest {
  const rawHeaders = headerPairs(request.rawHeaders);
  return {
    method: request.method ?? '',
    url: request.url ?? '',
    httpVersion: request.httpVersion,
    rawHeaders,
    upgrade: headerValue(rawHeaders, 'upgrade'),
    connection: headerValue(rawHeaders, 'connection'),
    upgradeRequested,
    upgraded: false,
    status: 0,
    messagesReceived: 0,
  };
}

export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  const echo = options.echo ?? true;
  const requireHttp11 = options.requireHttp11 ?? true;
  const records: BackendRequest[] = [];
  const recordBySocket = new WeakMap<Duplex, BackendRequest>();
  const sockets = new Set<Socket | Duplex>();

  const server = createServer((request, response) => {
    const record = recordOf(request, false);
    records.push(record);
    const answer = plainRequestResponse();
    record.status = answer.status;
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const webSockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  webSockets.on('wsClientError', (error: Error, socket: Duplex) => {
    const record = recordBySocket.get(socket);
    if (record) {
      record.rejection = error.message;
      record.status = error.message === 'Invalid HTTP method' ? 405 : 400;
    }
    socket.once('finish', () => socket.destroy());
    socket.end(handshakeRejectionResponse(error.message));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const record = recordOf(request, true);
    records.push(record);
    recordBySocket.set(socket, record);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (requireHttp11 && request.httpVersion === '1.0') {
      record.rejection = HTTP10_REJECTION;
      record.status = 400;
      socket.once('finish', () => socket.destroy());
      socket.end(handshakeRejectionResponse(HTTP10_REJECTION));
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (webSocket: WebSocket) => {
      record.upgraded = true;
      record.status = 101;
      webSocket.on('message', (data, isBinary) => {
        record.messagesReceived++;
        if (echo) webSocket.send(data, { binary: isBinary });
      });
      // A peer vanishing (nginx stopped) is expected here; without a listener it would throw.
      webSocket.on('error', () => undefined);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    server.close();
    throw new Error('the test backend has no TCP address');
  }

  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    requests: () => records,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const client of webSockets.clients) client.terminate();
        webSockets.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}

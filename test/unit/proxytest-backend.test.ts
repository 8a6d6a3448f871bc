// The test backend and the handshake client against real sockets (no nginx): fast, and they
// pin down the two claims the proxy test rests on: the backend answers exactly like a default
// `ws` server, and the client reports every way a handshake can end.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { startBackend, type Backend } from '../../server/src/proxytest/backend';
import { wsHandshake } from '../../server/src/proxytest/handshake';
import { findFreePort, isPortFree } from '../../server/src/proxytest/ports';

const fixtures = join(__dirname, '..', 'fixtures', 'proxytest');

/** Sends raw bytes and returns everything the server sent until it closed the connection. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

const withoutDate = (response: string): string => response.replace(/^Date: .*\r\n/m, '');

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    }),
  );
}

async function vanillaWsServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const upgradeRequest = (lines: string[]): string =>
  ['GET /ws HTTP/1.1', 'Host: 127.0.0.1', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', ...lines, '', ''].join('\r\n');

describe('the test backend', () => {
  let backend: Backend;
  let vanilla: { port: number; close(): Promise<void> };
  after(async () => {
    await backend?.close();
    await vanilla?.close();
  });

  it('answers a plain request byte for byte like a default ws server (426)', async () => {
    backend = await startBackend();
    vanilla = await vanillaWsServer();
    // What nginx sends without the directives: HTTP/1.0, Connection: close, no Upgrade.
    const request = 'GET /ws HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\nSec-WebSocket-Version: 13\r\n\r\n';
    const ours = withoutDate(await exchange(backend.port, request));
    assert.equal(ours, withoutDate(await exchange(vanilla.port, request)));
    assert.match(ours, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(ours, /\r\n\r\nUpgrade Required$/);
    const seen = backend.requests().at(-1);
    assert.deepEqual(
      seen && {
        httpVersion: seen.httpVersion,
        upgrade: seen.upgrade,
        connection: seen.connection,
        upgraded: seen.upgraded,
        status: seen.status,
      },
      { httpVersion: '1.0', upgrade: null, connection: 'close', upgraded: false, status: 426 },
    );
  });

  const rejections: Array<[string, string, string]> = [
    [
      'swapped variables (Upgrade: upgrade)',
      upgradeRequest(['Connection: upgrade', 'Upgrade: upgrade', 'Sec-WebSocket-Version: 13']),
      'Invalid Upgrade header',
    ],
    [
      'a bad version',
      upgradeRequest(['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 7']),
      'Missing or invalid Sec-WebSocket-Version header',
    ],
    [
      'a POST',
      upgradeRequest(['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13']).replace('GET', 'POST'),
      'Invalid HTTP method',
    ],
  ];
  for (const [name, request, reason] of rejections) {
    it(`refuses ${name} like ws does, and records why`, async () => {
      const ours = await exchange(backend.port, request);
      assert.equal(ours, await exchange(vanilla.port, request));
      const seen = backend.requests().at(-1);
      assert.equal(seen?.rejection, reason);
      assert.equal(seen?.upgradeRequested, true);
      assert.equal(seen?.upgraded, false);
      assert.equal(seen?.status, reason === 'Invalid HTTP method' ? 405 : 400);
    });
  }

  it('upgrades, echoes, and records the raw headers it got', async () => {
    const result = await wsHandshake(`ws://127.0.0.1:${backend.port}/live?x=1`, {
      timeoutMs: 5000,
      message: 'hello',
      headers: { Origin: 'http://example.test' },
    });
    assert.equal(result.status, 101);
    assert.equal(result.upgraded, true);
    assert.equal(result.error, undefined);
    assert.equal(result.echo?.received, 'hello');
    assert.ok((result.echo?.roundTripMs ?? -1) >= 0);
    const seen = backend.requests().at(-1);
    assert.equal(seen?.url, '/live?x=1');
    assert.equal(seen?.httpVersion, '1.1');
    assert.equal(seen?.upgraded, true);
    assert.equal(seen?.status, 101);
    assert.equal(seen?.messagesReceived, 1);
    assert.ok(seen?.rawHeaders.some(([name, value]) => name === 'Origin' && value === 'http://example.test'));
  });

  it('close() terminates open WebSockets and releases the port', async () => {
    const local = await startBackend();
    const opened = new Promise<void>((resolve) => {
      void wsHandshake(`ws://127.0.0.1:${local.port}/`, { timeoutMs: 5000, message: 'x' }).then(() => resolve());
    });
    await opened;
    await local.close();
    assert.equal(await isPortFree(local.port), true);
    await local.close(); // a second close is harmless
  });
});

describe('wsHandshake', () => {
  const servers: Array<{ close(): unknown }> = [];
  after(() => {
    for (const server of servers) server.close();
  });

  it('reports a refused connection', async () => {
    const port = await findFreePort();
    const result = await wsHandshake(`ws://127.0.0.1:${port}/`, { timeoutMs: 5000 });
    assert.equal(result.error?.code, 'refused');
    assert.equal(result.status, null);
  });

  it('captures the status line, headers and a bounded body of a refusal', async () => {
    const server = createHttpServer((_request, response) => {
      response.writeHead(200, 'Fine Thanks', { 'Content-Type': 'text/html', 'X-Served-By': 'spa' });
      response.end('<!doctype html>'.padEnd(5000, 'x'));
    });
    servers.push(server);
    const port = await listen(server);
    const result = await wsHandshake(`ws://127.0.0.1:${port}/ws`, { timeoutMs: 5000, maxBodyBytes: 100 });
    assert.equal(result.status, 200);
    assert.equal(result.statusText, 'Fine Thanks');
    assert.equal(result.httpVersion, '1.1');
    assert.equal(result.upgraded, false);
    assert.equal(result.error?.code, 'unexpected-response');
    assert.ok(result.headers.some(([name, value]) => name === 'X-Served-By' && value === 'spa'));
    assert.equal(result.bodySnippet?.length, 100);
    assert.ok(result.bodySnippet?.startsWith('<!doctype html>'));
  });

  it('does not wait for the end of a refusal that streams (SSE, long polling)', async () => {
    const server = createHttpServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/event-stream' });
      response.write('data: hello\n\n');
    });
    servers.push({ close: () => (server.closeAllConnections(), server.close()) });
    const port = await listen(server);
    const started = performance.now();
    const result = await wsHandshake(`ws://127.0.0.1:${port}/events`, { timeoutMs: 10_000, bodyWaitMs: 100 });
    assert.ok(performance.now() - started < 5000);
    assert.equal(result.status, 200);
    assert.equal(result.error?.code, 'unexpected-response');
    assert.equal(result.bodySnippet, 'data: hello\n\n');
  });

  it('gives up at its timeout when nothing answers', async () => {
    const held: Socket[] = [];
    const silent = createTcpServer((socket) => held.push(socket));
    servers.push({ close: () => (held.forEach((socket) => socket.destroy()), silent.close()) });
    const port = await new Promise<number>((resolve) =>
      silent.listen({ host: '127.0.0.1', port: 0 }, () => resolve((silent.address() as { port: number }).port)),
    );
    const result = await wsHandshake(`ws://127.0.0.1:${port}/`, { timeoutMs: 150 });
    assert.equal(result.error?.code, 'timeout');
  });

  it('stops when its signal fires', async () => {
    const controller = new AbortController();
    const held: Socket[] = [];
    const silent = createTcpServer((socket) => {
      held.push(socket);
      controller.abort();
    });
    servers.push({ close: () => (held.forEach((socket) => socket.destroy()), silent.close()) });
    const port = await new Promise<number>((resolve) =>
      silent.listen({ host: '127.0.0.1', port: 0 }, () => resolve((silent.address() as { port: number }).port)),
    );
    const result = await wsHandshake(`ws://127.0.0.1:${port}/`, { timeoutMs: 5000, signal: controller.signal });
    assert.equal(result.error?.code, 'aborted');
    const already = await wsHandshake(`ws://127.0.0.1:${port}/`, { timeoutMs: 5000, signal: controller.signal });
    assert.equal(already.error?.code, 'aborted');
  });

  describe('over wss:// with a self-signed certificate', () => {
    let port = 0;
    it('starts a TLS echo server', async () => {
      const server = createHttpsServer({
        key: readFileSync(join(fixtures, 'self-signed-test-only.key')),
        cert: readFileSync(join(fixtures, 'self-signed-test-only.crt')),
      });
      const webSockets = new WebSocketServer({ server });
      webSockets.on('connection', (socket) => socket.on('message', (data) => socket.send(data.toString())));
      servers.push({
        close: () => {
          for (const client of webSockets.clients) client.terminate();
          webSockets.close();
          server.close();
        },
      });
      port = await listen(server);
    });
    it('refuses the certificate by default', async () => {
      const result = await wsHandshake(`wss://127.0.0.1:${port}/`, { timeoutMs: 5000 });
      assert.equal(result.error?.code, 'tls');
      assert.equal(result.error?.systemCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    });
    it('accepts it with rejectUnauthorized: false', async () => {
      const result = await wsHandshake(`wss://127.0.0.1:${port}/`, {
        timeoutMs: 5000,
        rejectUnauthorized: false,
        message: 'tls',
      });
      assert.equal(result.status, 101);
      assert.equal(result.echo?.received, 'tls');
      assert.equal(result.error, undefined);
    });
  });
});

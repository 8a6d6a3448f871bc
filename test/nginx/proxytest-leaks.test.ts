// Twenty proxy tests with a real nginx, many of them cancelled at a different moment or given a
// tiny time limit; afterwards no process, port or temp dir of theirs may be left.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { OutcomeKind, ProxyTestOutcome } from '../../server/src/proxytest/outcome';
import { isPortFree } from '../../server/src/proxytest/ports';
import { isAlive } from '../../server/src/proxytest/process';
import { runProxyTest, type BuildContext, type BuiltConfig, type ProxyTestEvent } from '../../server/src/proxytest/run';

const NGINX = process.env['NGINX_WS_TEST_NGINX'] ?? 'nginx';
const PREFIX = `nginx-ws-test-leak-${process.pid}-`;
const fixtures = join(__dirname, '..', 'fixtures', 'proxytest');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

/**
 * A real TCP server on 127.0.0.1 that accepts and never answers: the time-limit runs proxy to it,
 * so that they end by their limit on any machine (a fast one finished a whole run within 80 ms).
 */
const silentSockets = new Set<Socket>();
const silent = createServer((socket) => {
  silentSockets.add(socket);
  socket.on('close', () => silentSockets.delete(socket));
});
let silentPort = 0;

function fixtureConfig(locationFile: string): (context: BuildContext) => BuiltConfig {
  return (context) => {
    const location = read(locationFile)
      .replaceAll('{{backendPort}}', String(context.backendPort))
      .replaceAll('{{silentPort}}', String(silentPort));
    const text = read('server.conf.template')
      .replace('{{main}}', context.isolation.main.join('\n'))
      .replace('{{events}}', context.isolation.events.join('\n'))
      .replace('{{http}}', context.isolation.http.join('\n'))
      .replace('{{listenPort}}', String(context.listenPort))
      .replace('{{location}}', location);
    return { text, requestPath: '/ws' };
  };
}

interface Plan {
  name: string;
  location: string;
  expect: OutcomeKind;
  timeoutMs?: number;
  /** Cancel before the run starts. */
  cancelFirst?: boolean;
  /** Cancel when this event arrives (synchronously, inside the step that emitted it). */
  cancelOn?: (event: ProxyTestEvent) => boolean;
  /** Cancel a turn of the event loop later instead, while the next step is under way. */
  cancelLater?: boolean;
}

const GOOD = 'location-three-directives.conf';
const stage = (name: string) => (event: ProxyTestEvent) => event.type === 'stage' && event.stage === name;
const spawned = (role: string) => (event: ProxyTestEvent) => event.type === 'process' && event.role === role;

const PLANS: Plan[] = [
  { name: 'passes', location: GOOD, expect: 'passed' },
  { name: 'fails (426)', location: 'location-proxy-pass-only.conf', expect: 'failed' },
  { name: 'config error', location: 'location-missing-semicolon.conf', expect: 'config-error' },
  { name: 'cancelled before it starts', location: GOOD, expect: 'cancelled', cancelFirst: true },
  ...['locating-nginx', 'starting-backend', 'building-config', 'checking-config', 'starting-nginx', 'handshaking'].map(
    (name): Plan => ({
      name: `cancelled on entering ${name}`,
      location: GOOD,
      expect: 'cancelled',
      cancelOn: stage(name),
    }),
  ),
  {
    name: 'cancelled during the handshake',
    location: GOOD,
    expect: 'cancelled',
    cancelOn: stage('handshaking'),
    cancelLater: true,
  },
  { name: 'cancelled as nginx -V spawns', location: GOOD, expect: 'cancelled', cancelOn: spawned('nginx -V') },
  { name: 'cancelled as nginx -t spawns', location: GOOD, expect: 'cancelled', cancelOn: spawned('nginx -t') },
  { name: 'cancelled as nginx spawns', location: GOOD, expect: 'cancelled', cancelOn: spawned('nginx') },
  {
    name: 'cancelled while nginx starts up',
    location: GOOD,
    expect: 'cancelled',
    cancelOn: spawned('nginx'),
    cancelLater: true,
  },
  {
    name: 'cancelled once the temp dir exists',
    location: GOOD,
    expect: 'cancelled',
    cancelOn: (event) => event.type === 'temp-dir',
  },
  ...[1, 5, 25, 80].map((timeoutMs): Plan => ({
    name: `${timeoutMs} ms time limit`,
    location: 'location-silent-backend.conf',
    expect: 'timeout',
    timeoutMs,
  })),
];

async function runPlan(plan: Plan, events: ProxyTestEvent[]): Promise<ProxyTestOutcome> {
  const controller = new AbortController();
  if (plan.cancelFirst) controller.abort();
  return runProxyTest({
    nginxPath: NGINX,
    timeoutMs: plan.timeoutMs ?? 10_000,
    signal: controller.signal,
    tempDirPrefix: PREFIX,
    buildConfig: fixtureConfig(plan.location),
    onProgress: (event) => {
      events.push(event);
      if (plan.cancelOn?.(event)) {
        if (plan.cancelLater) setImmediate(() => controller.abort());
        else controller.abort();
      }
    },
  });
}

/** Linux: processes whose command line mentions our temp-dir prefix (an nginx started with -p). */
function processesMentioning(marker: string): number[] {
  if (!existsSync('/proc/self/cmdline')) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

describe('no leaks after 20 runs, cancelled and timed out at different moments', () => {
  before(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as AddressInfo).port;
  });
  after(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  it(`runs ${PLANS.length} proxy tests, two at a time, each ending as planned`, async (t) => {
    assert.equal(PLANS.length, 20);
    const events: ProxyTestEvent[] = [];
    const outcomes: Array<{ plan: Plan; outcome: ProxyTestOutcome; events: ProxyTestEvent[] }> = [];
    for (let i = 0; i < PLANS.length; i += 2) {
      const batch = PLANS.slice(i, i + 2);
      const results = await Promise.all(
        batch.map(async (plan) => {
          const own: ProxyTestEvent[] = [];
          const outcome = await runPlan(plan, own);
          events.push(...own);
          return { plan, outcome, events: own };
        }),
      );
      outcomes.push(...results);
    }
    for (const { plan, outcome } of outcomes) {
      assert.equal(
        outcome.kind,
        plan.expect,
        `${plan.name}: ${JSON.stringify({ stage: outcome.stage, error: outcome.error })}`,
      );
      assert.deepEqual(outcome.problems, [], plan.name);
    }

    const processes = events.filter((event) => event.type === 'process');
    const nginxPids = processes.filter((event) => event.role === 'nginx').map((event) => event.pid);
    const interruptedWithNginx = outcomes.filter(
      ({ outcome, events: own }) =>
        (outcome.kind === 'cancelled' || outcome.kind === 'timeout') &&
        own.some((event) => event.type === 'process' && event.role === 'nginx'),
    );
    t.diagnostic(
      `${processes.length} processes (${nginxPids.length} nginx servers), ${interruptedWithNginx.length} runs interrupted with nginx running`,
    );
    assert.ok(interruptedWithNginx.length >= 3, 'some runs must have been interrupted while nginx was running');

    for (const event of processes) {
      assert.equal(isAlive(event.pid), false, `${event.role} ${event.pid} is still alive`);
      // nginx runs in its own process group: no worker of it may survive either.
      if (event.role === 'nginx' && process.platform !== 'win32') {
        assert.equal(isAlive(-event.pid), false, `a process of nginx group ${event.pid} is alive`);
      }
    }
    assert.deepEqual(processesMentioning(PREFIX), [], 'no process runs in one of our temp dirs');

    const ports = events.filter((event) => event.type === 'port');
    assert.ok(ports.length > 0);
    for (const event of ports)
      assert.equal(await isPortFree(event.port), true, `${event.role} port ${event.port} is still in use`);

    for (const event of events) if (event.type === 'temp-dir') assert.equal(existsSync(event.path), false, event.path);
    assert.deepEqual(
      readdirSync(tmpdir()).filter((name) => name.startsWith(PREFIX)),
      [],
    );
  });
});

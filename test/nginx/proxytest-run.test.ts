// The proxy test end to end with the real nginx (Debian 1.22.1 in CI) and a real ws backend.
// NGINX_WS_TEST_NGINX overrides the nginx used (default: "nginx", searched like the setting).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CancelledError, deadlineIn, TimeoutError } from '../../server/src/proxytest/abort';
import { writeFile } from 'node:fs/promises';
import { isolationDirectives } from '../../server/src/proxytest/isolation';
import { checkConfig, locateNginx, NginxStartError, startNginx } from '../../server/src/proxytest/nginx';
import type { NginxMessage } from '../../server/src/proxytest/nginxOutput';
import { findFreePort, isPortFree } from '../../server/src/proxytest/ports';
import { isAlive } from '../../server/src/proxytest/process';
import { runProxyTest, type BuildContext, type BuiltConfig, type ProxyTestEvent } from '../../server/src/proxytest/run';
import { createTempDir } from '../../server/src/proxytest/tempdir';

const NGINX = process.env['NGINX_WS_TEST_NGINX'] ?? 'nginx';
const fixtures = join(__dirname, '..', 'fixtures', 'proxytest');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

/** buildConfig for a location fixture; `locationLine` is where the fixture's line 1 lands. */
function fixtureConfig(locationFile: string, extra: Record<string, string> = {}) {
  let locationLine = 0;
  const build = (context: BuildContext): BuiltConfig => {
    let location = read(locationFile).replaceAll('{{backendPort}}', String(context.backendPort));
    for (const [name, value] of Object.entries(extra)) location = location.replaceAll(`{{${name}}}`, value);
    const indent = (lines: string[], by: string): string => lines.map((line) => by + line).join('\n');
    const [head, tail] = read('server.conf.template')
      .replace('{{main}}', context.isolation.main.join('\n'))
      .replace('{{events}}', indent(context.isolation.events, '    '))
      .replace('{{http}}', indent(context.isolation.http, '    '))
      .replace('{{listenPort}}', String(context.listenPort))
      .split('{{location}}') as [string, string];
    locationLine = head.split('\n').length;
    return { text: head + location.trimEnd() + tail, requestPath: '/ws', sourceMap: { locationFile, locationLine } };
  };
  return { build, locationLine: () => locationLine };
}

function collectEvents(): { events: ProxyTestEvent[]; onProgress: (event: ProxyTestEvent) => void } {
  const events: ProxyTestEvent[] = [];
  return { events, onProgress: (event) => events.push(event) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

describe('runProxyTest with a real nginx', () => {
  it('(a) proxy_pass alone: the client gets 426, the backend saw HTTP/1.0 without Upgrade', async () => {
    const outcome = await runProxyTest({
      nginxPath: NGINX,
      timeoutMs: 10_000,
      buildConfig: fixtureConfig('location-proxy-pass-only.conf').build,
    });
    assert.equal(outcome.kind, 'failed', JSON.stringify(outcome.error));
    assert.equal(outcome.handshake?.status, 426);
    assert.equal(outcome.handshake?.statusText, 'Upgrade Required');
    assert.equal(outcome.handshake?.upgraded, false);
    assert.equal(outcome.handshake?.error?.code, 'unexpected-response');
    assert.equal(outcome.handshake?.bodySnippet, 'Upgrade Required');
    assert.equal(outcome.backendSaw?.method, 'GET');
    assert.equal(outcome.backendSaw?.httpVersion, '1.0');
    assert.equal(outcome.backendSaw?.upgrade, null);
    assert.equal(outcome.backendSaw?.connection, 'close');
    assert.equal(outcome.backendSaw?.status, 426);
    assert.equal(outcome.backendRequests.length, 1);
    assert.ok(
      outcome.accessLog.some((line) => line.includes('"GET /ws HTTP/1.1" 426 ')),
      outcome.accessLog.join('\n'),
    );
    assert.equal(outcome.nginxVersion, '1.22.1');
    assert.deepEqual(outcome.problems, []);
  });

  it('(b) with the three directives: 101, the echo returns, the backend saw HTTP/1.1 with Upgrade', async () => {
    const outcome = await runProxyTest({
      nginxPath: NGINX,
      timeoutMs: 10_000,
      message: 'through nginx',
      buildConfig: fixtureConfig('location-three-directives.conf').build,
    });
    assert.equal(outcome.kind, 'passed', JSON.stringify(outcome.handshake?.error ?? outcome.error));
    assert.equal(outcome.handshake?.status, 101);
    assert.equal(outcome.handshake?.upgraded, true);
    assert.deepEqual(
      outcome.handshake?.echo && { sent: outcome.handshake.echo.sent, received: outcome.handshake.echo.received },
      {
        sent: 'through nginx',
        received: 'through nginx',
      },
    );
    assert.equal(outcome.backendSaw?.httpVersion, '1.1');
    assert.equal(outcome.backendSaw?.upgrade, 'websocket');
    assert.equal(outcome.backendSaw?.connection, 'upgrade');
    assert.equal(outcome.backendSaw?.upgraded, true);
    assert.equal(outcome.backendSaw?.messagesReceived, 1);
    assert.ok((outcome.timings.nginxStartup ?? 0) > 0);
    assert.ok((outcome.timings.handshake ?? 0) > 0);
    assert.match(outcome.requestUrl ?? '', /^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
  });

  it("(c) an invalid config: config-error with nginx's message and line, nginx never started", async () => {
    const expected = JSON.parse(read('location-missing-semicolon.expected.json')) as {
      kind: string;
      level: string;
      message: string;
      locationLine: number;
    };
    const config = fixtureConfig('location-missing-semicolon.conf');
    const { events, onProgress } = collectEvents();
    const outcome = await runProxyTest({ nginxPath: NGINX, timeoutMs: 10_000, buildConfig: config.build, onProgress });
    assert.equal(outcome.kind, expected.kind);
    assert.equal(outcome.error?.code, 'nginx-config-invalid');
    assert.equal(outcome.error?.message, expected.message);
    const first: NginxMessage | undefined = outcome.nginxErrors[0];
    assert.equal(first?.level, expected.level);
    assert.equal(first?.message, expected.message);
    assert.equal(first?.file, outcome.configPath);
    assert.equal(first?.line, config.locationLine() + expected.locationLine - 1);
    assert.deepEqual(outcome.sourceMap, {
      locationFile: 'location-missing-semicolon.conf',
      locationLine: config.locationLine(),
    });
    assert.match(outcome.configText ?? '', /proxy_pass http:\/\/127\.0\.0\.1:\d+\n/);
    assert.equal(outcome.handshake, null);
    assert.equal(outcome.backendSaw, null);
    assert.equal(outcome.timings.nginxStartup, null);
    assert.ok(!events.some((event) => event.type === 'process' && event.role === 'nginx'), 'nginx must not be started');
  });

  it('(d) an nginx path that does not exist: environment-error with what to do', async () => {
    const { events, onProgress } = collectEvents();
    const outcome = await runProxyTest({
      nginxPath: '/nonexistent/sbin/nginx',
      timeoutMs: 10_000,
      buildConfig: () => assert.fail('buildConfig must not be called'),
      onProgress,
    });
    assert.equal(outcome.kind, 'environment-error');
    assert.equal(outcome.error?.code, 'nginx-not-found');
    assert.match(outcome.error?.message ?? '', /nginx was not found at "\/nonexistent\/sbin\/nginx"/);
    assert.match(outcome.error?.message ?? '', /sudo apt-get install nginx/);
    assert.match(outcome.error?.message ?? '', /"nginxWs\.nginxPath"/);
    assert.equal(outcome.stage, 'locating-nginx');
    assert.equal(outcome.nginxVersion, null);
    assert.ok(!events.some((event) => event.type === 'temp-dir'), 'nothing is prepared without nginx');
  });

  it('reports what nginx logged while proxying (upstream refused: 502 and the error-log line)', async () => {
    const closedPort = await findFreePort();
    const outcome = await runProxyTest({
      nginxPath: NGINX,
      timeoutMs: 10_000,
      buildConfig: fixtureConfig('location-upstream-refuses.conf', { closedPort: String(closedPort) }).build,
    });
    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.handshake?.status, 502);
    assert.equal(outcome.backendSaw, null, 'nothing reached the backend');
    const logged = outcome.nginxErrors.find((message) => message.level === 'error');
    assert.match(logged?.message ?? '', /connect\(\) failed \(111: Connection refused\) while connecting to upstream/);
  });

  it('picks another port when the chosen one is taken before nginx binds it', async () => {
    const blockers: Server[] = [];
    let calls = 0;
    const fixture = fixtureConfig('location-three-directives.conf');
    const { events, onProgress } = collectEvents();
    try {
      const outcome = await runProxyTest({
        nginxPath: NGINX,
        timeoutMs: 10_000,
        onProgress,
        buildConfig: (context) => {
          if (calls++ === 0) {
            // Someone else grabs the port between findFreePort and nginx's bind().
            const blocker = createServer();
            blocker.listen({ host: '127.0.0.1', port: context.listenPort, exclusive: true });
            blockers.push(blocker);
          }
          return fixture.build(context);
        },
      });
      assert.equal(outcome.kind, 'passed', JSON.stringify(outcome.error));
      assert.equal(calls, 2);
      const ports = events.filter((event) => event.type === 'port' && event.role === 'nginx');
      assert.equal(ports.length, 2);
      assert.ok(outcome.nginxErrors.some((message) => /Address already in use/.test(message.message)));
    } finally {
      for (const blocker of blockers) blocker.close();
    }
  });

  it('measures a passing run (median of 7) and how much of it is nginx start-up', async (t) => {
    const totals: number[] = [];
    const startups: number[] = [];
    const parts: Record<string, number[]> = { locateNginx: [], configCheck: [], handshake: [], cleanup: [] };
    for (let run = 0; run < 7; run++) {
      const outcome = await runProxyTest({
        nginxPath: NGINX,
        timeoutMs: 10_000,
        buildConfig: fixtureConfig('location-three-directives.conf').build,
      });
      assert.equal(outcome.kind, 'passed');
      totals.push(outcome.timings.total);
      startups.push(outcome.timings.nginxStartup ?? 0);
      for (const key of Object.keys(parts))
        parts[key]?.push((outcome.timings as unknown as Record<string, number>)[key] ?? 0);
    }
    const total = median(totals);
    const startup = median(startups);
    t.diagnostic(
      `passing run: median total ${total.toFixed(1)} ms, nginx start-up ${startup.toFixed(1)} ms (${((startup / total) * 100).toFixed(0)}%)`,
    );
    t.diagnostic(
      `medians: ${Object.entries(parts)
        .map(([key, values]) => `${key} ${median(values).toFixed(1)} ms`)
        .join(', ')}`,
    );
    assert.ok(total < 10_000);
  });
});

describe('the nginx steps on their own', () => {
  it(
    "locateNginx finds Debian's /usr/sbin/nginx even when it is not on PATH",
    { skip: process.platform !== 'linux' || NGINX !== 'nginx' },
    async () => {
      const found = await locateNginx('nginx', { environment: { platform: 'linux', pathVariable: '/nonexistent' } });
      assert.equal(found.path, '/usr/sbin/nginx');
      assert.match(found.version, /^\d+\.\d+\.\d+$/);
      assert.ok(found.configureArguments.length > 0);
    },
  );

  it('checkConfig accepts a minimal isolated config', async () => {
    const nginx = await locateNginx(NGINX);
    const dir = await createTempDir('nginx-ws-test-check-');
    try {
      const isolation = isolationDirectives({ tempDir: dir.path, configureArguments: nginx.configureArguments });
      const file = join(dir.path, 'nginx.conf');
      await writeFile(
        file,
        `${isolation.main.join('\n')}\nevents { ${isolation.events.join(' ')} }\nhttp { ${isolation.http.join(' ')} }\n`,
      );
      const check = await checkConfig(nginx, dir.path, file);
      assert.equal(check.ok, true, check.stderr);
      assert.deepEqual(
        check.errors.filter((message) => message.level !== 'warn' && message.level !== 'notice'),
        [],
      );
    } finally {
      await dir.dispose();
    }
  });

  /** A temp dir with an isolated nginx.conf whose server block is `server`. */
  async function isolatedConfig(prefix: string, server: string) {
    const nginx = await locateNginx(NGINX);
    const dir = await createTempDir(prefix);
    const isolation = isolationDirectives({ tempDir: dir.path, configureArguments: nginx.configureArguments });
    const file = join(dir.path, 'nginx.conf');
    await writeFile(
      file,
      `${isolation.main.join('\n')}\nevents {}\nhttp {\n${isolation.http.join('\n')}\n${server}\n}\n`,
    );
    return { nginx, dir, file, pidFile: join(dir.path, 'nginx.pid') };
  }

  it('startNginx waits for the port, and stop() ends master and workers and frees the port', async () => {
    const port = await findFreePort();
    const { nginx, dir, file, pidFile } = await isolatedConfig(
      'nginx-ws-test-start-',
      `server { listen 127.0.0.1:${port}; }`,
    );
    try {
      const running = await startNginx({
        nginx,
        prefixDir: dir.path,
        configFile: file,
        port,
        pidFile,
        deadline: deadlineIn(10_000),
      });
      assert.equal(await isPortFree(port), false);
      assert.equal(isAlive(-running.pid), true, 'master and workers share a process group');
      const exit = await running.stop();
      assert.equal(exit.forced, false, 'SIGTERM was enough');
      assert.equal(isAlive(running.pid), false);
      assert.equal(isAlive(-running.pid), false);
      assert.equal(await isPortFree(port), true);
      assert.deepEqual(await running.stop(), exit, 'stop() twice is harmless');
    } finally {
      await dir.dispose();
    }
  });

  it('startNginx reports an nginx that exits during start-up, with its message', async () => {
    const port = await findFreePort();
    // nginx -t would catch this; startNginx must also cope when it is given such a config.
    const { nginx, dir, file } = await isolatedConfig(
      'nginx-ws-test-start-',
      'server { listen 127.0.0.1:1 nonsense; }',
    );
    try {
      await assert.rejects(
        startNginx({ nginx, prefixDir: dir.path, configFile: file, port, deadline: deadlineIn(10_000) }),
        (error: unknown) =>
          error instanceof NginxStartError &&
          !error.addressInUse &&
          error.exitCode === 1 &&
          error.messages.some(
            (message) => message.level === 'emerg' && /nonsense/.test(message.message) && message.line !== undefined,
          ),
      );
    } finally {
      await dir.dispose();
    }
  });

  it('startNginx gives up at its deadline, or when cancelled, and leaves nothing running', async () => {
    const port = await findFreePort();
    const otherPort = await findFreePort();
    // nginx listens on another port than the one waited for: it never looks ready.
    const { nginx, dir, file } = await isolatedConfig(
      'nginx-ws-test-start-',
      `server { listen 127.0.0.1:${otherPort}; }`,
    );
    const pids: number[] = [];
    try {
      await assert.rejects(
        startNginx({
          nginx,
          prefixDir: dir.path,
          configFile: file,
          port,
          deadline: deadlineIn(300),
          onSpawn: (pid) => pids.push(pid),
        }),
        TimeoutError,
      );
      const controller = new AbortController();
      await assert.rejects(
        startNginx({
          nginx,
          prefixDir: dir.path,
          configFile: file,
          port,
          deadline: deadlineIn(10_000),
          signal: controller.signal,
          onSpawn: (pid) => {
            pids.push(pid);
            setImmediate(() => controller.abort());
          },
        }),
        CancelledError,
      );
      assert.equal(pids.length, 2);
      for (const pid of pids) assert.equal(isAlive(-pid), false);
      assert.equal(await isPortFree(otherPort), true);
    } finally {
      await dir.dispose();
    }
  });

  it('startNginx fails fast with addressInUse when another process holds the port, and leaves nothing running', async () => {
    const nginx = await locateNginx(NGINX);
    const dir = await createTempDir('nginx-ws-test-start-');
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () =>
        resolve((blocker.address() as { port: number }).port),
      ),
    );
    let pid = 0;
    try {
      const isolation = isolationDirectives({ tempDir: dir.path, configureArguments: nginx.configureArguments });
      const file = join(dir.path, 'nginx.conf');
      await writeFile(
        file,
        `${isolation.main.join('\n')}\nevents {}\nhttp { ${isolation.http.join(' ')} server { listen 127.0.0.1:${port}; } }\n`,
      );
      const started = performance.now();
      await assert.rejects(
        startNginx({
          nginx,
          prefixDir: dir.path,
          configFile: file,
          port,
          // The blocker accepts connections too: only the pid file tells nginx is not up.
          pidFile: join(dir.path, 'nginx.pid'),
          deadline: deadlineIn(10_000),
          onSpawn: (spawned) => (pid = spawned),
        }),
        (error: unknown) =>
          error instanceof NginxStartError && error.addressInUse && /Address already in use/.test(error.stderr),
      );
      // nginx itself would retry bind() for 2.5 s; the stderr line ends it at once.
      assert.ok(performance.now() - started < 2000);
      assert.ok(pid > 0);
      assert.equal(isAlive(pid), false);
      assert.equal(isAlive(-pid), false);
    } finally {
      blocker.close();
      await dir.dispose();
    }
    assert.equal(await isPortFree(port), true);
  });
});

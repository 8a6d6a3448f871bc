// Ports, temp dirs and short child processes: the plumbing under the proxy test, on real
// sockets, files and processes (Node itself stands in for nginx).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { CancelledError, deadlineIn, TimeoutError } from '../../server/src/proxytest/abort';
import { findFreePort, isPortFree, waitForPort } from '../../server/src/proxytest/ports';
import { BoundedText, isAlive, runProcess } from '../../server/src/proxytest/process';
import { allowWorkersToEnter, createTempDir, TEMP_DIR_PREFIX } from '../../server/src/proxytest/tempdir';

describe('ports', () => {
  it('findFreePort returns a loopback port nothing listens on', async () => {
    const port = await findFreePort();
    assert.ok(port > 1024 && port < 65536);
    assert.equal(await isPortFree(port), true);
  });

  it('isPortFree is false while something listens', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve((server.address() as { port: number }).port)),
    );
    try {
      assert.equal(await isPortFree(port), false);
      await waitForPort(port, deadlineIn(2000));
    } finally {
      server.close();
    }
  });

  it('waitForPort keeps trying until a late listener opens (another process)', async () => {
    const port = await findFreePort();
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require('net').createServer().listen(${port}, '127.0.0.1'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`,
      ],
      { stdio: ['pipe', 'ignore', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitForPort(port, deadlineIn(10_000));
    } finally {
      child.stdin.end();
      await exited;
    }
  });

  it('waitForPort rejects with TimeoutError at its deadline', async () => {
    const port = await findFreePort();
    const started = performance.now();
    await assert.rejects(waitForPort(port, deadlineIn(80)), TimeoutError);
    const took = performance.now() - started;
    assert.ok(took >= 70 && took < 1000, `took ${took} ms`);
  });

  it('waitForPort rejects with CancelledError when its signal fires', async () => {
    const port = await findFreePort();
    const controller = new AbortController();
    const waiting = waitForPort(port, deadlineIn(10_000), controller.signal);
    controller.abort();
    await assert.rejects(waiting, CancelledError);
    await assert.rejects(waitForPort(port, deadlineIn(10_000), controller.signal), CancelledError);
  });
});

describe('createTempDir', () => {
  it('makes a private folder with the prefix, which dispose() removes (twice is fine)', async () => {
    const dir = await createTempDir();
    assert.ok(basename(dir.path).startsWith(TEMP_DIR_PREFIX));
    assert.equal(join(dir.path, '..'), tmpdir());
    if (process.platform !== 'win32') assert.equal(statSync(dir.path).mode & 0o777, 0o700);
    await writeFile(join(dir.path, 'nginx.conf'), 'events {}');
    await dir.dispose();
    assert.equal(existsSync(dir.path), false);
    await dir.dispose();
  });

  it(
    'allowWorkersToEnter lets others traverse but not list (0711)',
    { skip: process.platform === 'win32' },
    async () => {
      const dir = await createTempDir('nginx-ws-unit-');
      try {
        await allowWorkersToEnter(dir.path);
        assert.equal(statSync(dir.path).mode & 0o777, 0o711);
      } finally {
        await dir.dispose();
      }
    },
  );
});

describe('runProcess', () => {
  it('returns exit code and output of a command that fails', async () => {
    const result = await runProcess(
      process.execPath,
      ['-e', 'process.stderr.write("nginx: [emerg] x"); process.exit(3)'],
      {
        deadline: deadlineIn(10_000),
      },
    );
    assert.equal(result.exitCode, 3);
    assert.equal(result.stderr, 'nginx: [emerg] x');
  });

  it('rejects with the spawn error when the executable is missing', async () => {
    await assert.rejects(runProcess('/nonexistent/nginx', ['-V'], { deadline: deadlineIn(5000) }), { code: 'ENOENT' });
  });

  it('kills the process at the deadline and rejects with TimeoutError', async () => {
    let pid = 0;
    await assert.rejects(
      runProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
        deadline: deadlineIn(300),
        onSpawn: (spawned) => (pid = spawned),
      }),
      TimeoutError,
    );
    assert.ok(pid > 0);
    assert.equal(isAlive(pid), false);
  });

  it('kills the process when cancelled and rejects with CancelledError', async () => {
    const controller = new AbortController();
    let pid = 0;
    const running = runProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      deadline: deadlineIn(10_000),
      signal: controller.signal,
      onSpawn: (spawned) => {
        pid = spawned;
        controller.abort();
      },
    });
    await assert.rejects(running, CancelledError);
    assert.equal(isAlive(pid), false);
  });
});

describe('BoundedText', () => {
  it('keeps the first bytes and says it dropped the rest', () => {
    const text = new BoundedText(5);
    text.append(Buffer.from('abc'));
    text.append(Buffer.from('defg'));
    text.append(Buffer.from('h'));
    assert.equal(text.text(), 'abcde');
    assert.equal(text.truncated, true);
  });
});

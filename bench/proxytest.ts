// Benchmark of "Test WebSocket proxy": from the command's start (choosing the location in the
// user's file) to the result, through a real nginx. Baseline in the same process: the same
// handshake straight to a ws backend, without nginx. Reports medians; never fails on a miss.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NodeFileSystem } from '../server/src/node/nodeFileSystem';
import { startBackend } from '../server/src/proxytest/backend';
import { wsHandshake } from '../server/src/proxytest/handshake';
import { chooseLocation, testLocation } from '../server/src/proxytest/testLocation';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 9);
const WARMUP = 2;
const TARGET_MS = 1500;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${(sorted[0] ?? 0).toFixed(0)}–${(sorted[sorted.length - 1] ?? 0).toFixed(0)}`;
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-bench-'));
  try {
    cpSync(path.join(__dirname, '..', 'test', 'fixtures', 'locations'), workDir, { recursive: true });
    interface Samples {
      total: number[];
      startup: number[];
      handshake: number[];
      kinds: Set<string>;
    }
    const results: Record<string, Samples> = {};
    for (const [name, file, location] of [
      ['passing (map idiom)', 'map-idiom.conf', '/socket.io/'],
      ['failing (seed: only proxy_pass)', 'seed.conf', '/ws'],
    ] as const) {
      const entry: Samples = { total: [], startup: [], handshake: [], kinds: new Set<string>() };
      results[name] = entry;
      for (let i = 0; i < WARMUP + ITERATIONS; i++) {
        const started = performance.now();
        const { analysis, choice } = chooseLocation(
          path.join(workDir, file),
          new NodeFileSystem(),
          {},
          { locationPath: location },
        );
        if (!choice) throw new Error(`no ${location} in ${file}`);
        const report = await testLocation({
          choice,
          analysis,
          nginxPath: 'nginx',
          timeoutMs: 15_000,
          webSocketPaths: [],
          severity: {},
        });
        const elapsed = performance.now() - started;
        if (i < WARMUP) continue;
        entry.total.push(elapsed);
        entry.startup.push(report.outcome.timings.nginxStartup ?? 0);
        entry.handshake.push(report.outcome.timings.handshake ?? 0);
        entry.kinds.add(report.outcome.kind);
      }
    }

    // Baseline: the same handshake and echo straight to a ws backend, no nginx.
    const direct: number[] = [];
    const backend = await startBackend();
    try {
      for (let i = 0; i < WARMUP + ITERATIONS; i++) {
        const started = performance.now();
        const result = await wsHandshake(`ws://127.0.0.1:${backend.port}/ws`, { timeoutMs: 5000 });
        if (!result.upgraded) throw new Error('baseline handshake failed');
        if (i >= WARMUP) direct.push(performance.now() - started);
      }
    } finally {
      await backend.close();
    }

    const baseline = median(direct);
    console.log(`Test WebSocket proxy: command start to result (${ITERATIONS} runs after ${WARMUP} warm-ups, ms)`);
    console.log(
      '| case | median | min–max | nginx start-up (median) | handshake (median) | vs direct handshake | target ≤ 1500 ms |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [name, entry] of Object.entries(results)) {
      const total = median(entry.total);
      console.log(
        `| ${name} [${[...entry.kinds].join(',')}] | ${total.toFixed(0)} | ${spread(entry.total)} | ${median(entry.startup).toFixed(0)} (${((median(entry.startup) / total) * 100).toFixed(0)}%) | ${median(entry.handshake).toFixed(0)} | ${(total / baseline).toFixed(0)}× | ${total <= TARGET_MS ? 'pass' : 'MISS'} |`,
      );
    }
    console.log(
      `| baseline: ws handshake + echo, no nginx | ${baseline.toFixed(1)} | ${spread(direct)} | – | – | 1× | – |`,
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

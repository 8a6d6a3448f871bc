// The language-server benchmark: `node --import tsx bench/lsp.ts` after `npm run build`.
//
// Through the real server process (server/out/server.js --stdio, validation debounce off):
// - the time from sending a didChange of a 5,000-line nginx file (bench/lsp-generate.ts: server
//   blocks, a tenth of their WebSocket locations broken) to receiving its publishDiagnostics,
//   over --edits edits after --warmups warm-up edits;
// - the same round trip for an edit in the middle of the ~4 MB config below: typing in a value, and
//   adding then removing a line;
// - the server's resident memory after opening a ~4 MB config (5,000 server blocks, ~120,000
//   lines), from /proc/<pid>/status: VmRSS, and VmHWM for the peak.
// As a baseline in this process: the engine's own work on the same texts (analyzeFile + checkFile),
// and the ratio of the round trip to it: what LSP, JSON and the process boundary add.
// Targets are printed with pass/MISS; a miss never fails the run (a benchmark measures).
//
// Options: --edits N (default 20), --big-edits N (default 10, edits of the 4 MB file), --warmups N (default 5), --keep (leave the generated files),
// --profile (run the edits once more with the server under --cpu-prof and print where its time goes).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzeFile } from '../server/src/core/model/workspace';
import { ParseCache } from '../server/src/core/model/tree';
import { checkFile } from '../server/src/core/rules/check';
import { parseNginxVersion } from '../server/src/core/rules/version';
import { NodeFileSystem } from '../server/src/node/nodeFileSystem';
import { BenchClient } from './lsp-client';
import { generateConfig, serversForLines, type GeneratedFile } from './lsp-generate';
import { median, quantile, summariseProfile } from './stats';

const TARGETS = { roundTripMedianMs: 30, bigRoundTripMedianMs: 100, rssMb: 200 };
/** Pinned: "auto" would run nginx -v, and the findings would depend on the nginx installed. */
const SETTINGS = { nginxVersion: '1.22.1', codeLens: false };
const MB = 2 ** 20;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function spread(values: readonly number[]): string {
  return `min ${fixed(Math.min(...values))}, p10 ${fixed(quantile(values, 0.1))}, p90 ${fixed(quantile(values, 0.9))}, max ${fixed(Math.max(...values))}`;
}

function verdict(value: number, limit: number): string {
  return value <= limit ? 'pass' : 'MISS';
}

/** The text after value edit number `n`: the middle location's read timeout becomes `${3600 + n}s`. */
function editedValue(n: number): string {
  return `${3601 + n}s`;
}

function textAfter(config: GeneratedFile, n: number): string {
  const lines = config.text.split('\n');
  const line = lines[config.edit.line] as string;
  lines[config.edit.line] = line.slice(0, config.edit.start) + editedValue(n) + line.slice(config.edit.end);
  return lines.join('\n');
}

interface RoundTrips {
  readonly samples: number[];
  readonly openMs: number;
  readonly diagnostics: number;
  readonly serverCpuPerEditMs: number;
}

async function measureRoundTrips(
  dir: string,
  config: GeneratedFile,
  warmups: number,
  edits: number,
  nodeFlags: readonly string[] = [],
  kind: 'value' | 'line' = 'value',
): Promise<RoundTrips> {
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, config.text);
  const client = await BenchClient.start(dir, SETTINGS, 0, nodeFlags);
  try {
    const opened = await client.open(file, config.text);
    const samples: number[] = [];
    let cpuAtStart = 0;
    // Each edit replaces the value it wrote before, so the range is always the edit's own.
    let valueLength = config.edit.end - config.edit.start;
    // A line added after the edited one, then taken away again: the lines below it move.
    const lineEnd = (config.text.split('\n')[config.edit.line] as string).length;
    const added = '            add_header X-Edited yes;';
    for (let n = 0; n < warmups + edits; n++) {
      if (n === warmups) cpuAtStart = client.cpuMs();
      const newText = editedValue(n);
      const change =
        kind === 'value'
          ? {
              range: {
                start: { line: config.edit.line, character: config.edit.start },
                end: { line: config.edit.line, character: config.edit.start + valueLength },
              },
              text: newText,
            }
          : n % 2 === 0
            ? {
                range: {
                  start: { line: config.edit.line, character: lineEnd },
                  end: { line: config.edit.line, character: lineEnd },
                },
                text: `\n${added}`,
              }
            : {
                range: {
                  start: { line: config.edit.line, character: lineEnd },
                  end: { line: config.edit.line + 1, character: added.length },
                },
                text: '',
              };
      const result = await client.change(file, change);
      if (kind === 'value') valueLength = newText.length;
      if (result.count !== opened.count)
        throw new Error(`edit ${n} changed the findings: ${opened.count} → ${result.count}`);
      if (n >= warmups) samples.push(result.ms);
    }
    return {
      samples,
      openMs: opened.ms,
      diagnostics: opened.count,
      serverCpuPerEditMs: edits ? (client.cpuMs() - cpuAtStart) / edits : NaN,
    };
  } finally {
    await client.shutdown();
  }
}

/** The same work in this process: what the server does per change, without LSP around it. */
function measureEngine(
  dir: string,
  config: GeneratedFile,
  warmups: number,
  edits: number,
): { wall: number[]; cpu: number[] } {
  const file = path.join(dir, 'nginx.conf');
  let text = config.text;
  const fileSystem = new NodeFileSystem((candidate) => (candidate === file ? text : undefined));
  const parseCache = new ParseCache();
  const nginxVersion = parseNginxVersion(SETTINGS.nginxVersion);
  const wall: number[] = [];
  const cpu: number[] = [];
  const run = (): number => {
    const analysis = analyzeFile(file, fileSystem, {
      workspaceFolders: [dir],
      pathMappings: { 'sites-enabled': 'sites-available' },
      parseCache,
    });
    return (
      checkFile(analysis, { nginxVersion, webSocketPaths: [], severity: {} }).length + analysis.parsed.errors.length
    );
  };
  run();
  for (let n = 0; n < warmups + edits; n++) {
    text = textAfter(config, n);
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    run();
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpuStart);
    if (n >= warmups) {
      wall.push(elapsed);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  return { wall, cpu };
}

/** The edit phase again, the server under --cpu-prof; returns the summary lines. */
async function profileRoundTrips(
  dir: string,
  config: GeneratedFile,
  warmups: number,
  edits: number,
): Promise<string[]> {
  const profileDir = path.join(dir, 'profile');
  await measureRoundTrips(dir, config, warmups, edits, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const [profile] = readdirSync(profileDir).map((name) => path.join(profileDir, name));
  if (!profile) return ['the server wrote no profile'];
  return [
    `server self time over ${warmups + edits} edits, busy time only (${profile}):`,
    ...summariseProfile(profile, 15),
  ];
}

interface Memory {
  readonly idleRssMb: number;
  readonly rssMb: number;
  readonly peakMb: number;
  readonly openMs: number;
  readonly diagnostics: number;
  readonly afterEditRssMb: number;
  readonly afterEditPeakMb: number;
  readonly editMs: number;
}

async function measureMemory(dir: string, config: GeneratedFile): Promise<Memory> {
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, config.text);
  const client = await BenchClient.start(dir, SETTINGS, 0);
  try {
    const idle = client.memory();
    const opened = await client.open(file, config.text);
    const afterOpen = client.memory();
    const edited = await client.change(file, {
      range: {
        start: { line: config.edit.line, character: config.edit.start },
        end: { line: config.edit.line, character: config.edit.end },
      },
      text: editedValue(0),
    });
    const afterEdit = client.memory();
    return {
      idleRssMb: idle.rss / MB,
      rssMb: afterOpen.rss / MB,
      peakMb: afterOpen.peak / MB,
      openMs: opened.ms,
      diagnostics: opened.count,
      afterEditRssMb: afterEdit.rss / MB,
      afterEditPeakMb: afterEdit.peak / MB,
      editMs: edited.ms,
    };
  } finally {
    await client.shutdown();
  }
}

async function main(): Promise<void> {
  const edits = Math.max(1, option('--edits', 20));
  const warmups = option('--warmups', 5);
  const keep = process.argv.includes('--keep');
  const root = mkdtempSync(path.join(tmpdir(), 'nginx-ws-bench-lsp-'));
  const small = generateConfig(serversForLines(5000));
  const big = generateConfig(5000);
  const load = (): string =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');
  console.log('nginx-ws language-server benchmark (server/out/server.js --stdio, debounce 0)');
  console.log(`  node ${process.version}, ${cpus().length} CPU(s), load average at start ${load()}`);
  console.log(
    `  edit file: ${small.lines} lines, ${(small.bytes / 1e3).toFixed(0)} kB, ${small.servers} servers, ${small.brokenLocations} broken WebSocket locations`,
  );
  console.log(
    `  memory file: ${big.lines} lines, ${(big.bytes / 1e6).toFixed(2)} MB, ${big.servers} servers, ${big.brokenLocations} broken WebSocket locations`,
  );
  console.log(`  ${warmups} warm-up edit(s), ${edits} measured; times in ms\n`);

  try {
    // Each its own workspace folder, so that neither file is taken for the other's main config.
    const editDir = path.join(root, 'edit');
    const memoryDir = path.join(root, 'memory');
    mkdirSync(editDir);
    mkdirSync(memoryDir);

    const roundTrips = await measureRoundTrips(editDir, small, warmups, edits);
    const engine = measureEngine(editDir, small, warmups, edits);
    const lspMedian = median(roundTrips.samples);
    const engineMedian = median(engine.wall);
    console.log('didChange → publishDiagnostics, 5,000-line file');
    console.log(`  round trip through the server: median ${fixed(lspMedian)} (${spread(roundTrips.samples)})`);
    console.log(
      `  engine in this process (analyzeFile + checkFile): median ${fixed(engineMedian)} (${spread(engine.wall)}); CPU median ${fixed(median(engine.cpu))}, mean ${fixed(engine.cpu.reduce((sum, value) => sum + value, 0) / engine.cpu.length)}`,
    );
    console.log(`  ratio round trip / engine: ${fixed(lspMedian / engineMedian, 2)}`);
    console.log(`  server CPU per edit (user + system, 10 ms ticks, mean): ${fixed(roundTrips.serverCpuPerEditMs)}`);
    console.log(
      `  ${roundTrips.diagnostics} diagnostics per publish; didOpen → first publish ${fixed(roundTrips.openMs)}`,
    );
    console.log(
      `  target: median <= ${TARGETS.roundTripMedianMs} ms → ${verdict(lspMedian, TARGETS.roundTripMedianMs)}\n`,
    );

    // The same round trip on the 4 MB file, edited in its middle: what a user of a big config waits for.
    const bigDir = path.join(root, 'big');
    mkdirSync(bigDir);
    const bigEdits = Math.max(1, Math.min(edits, option('--big-edits', 10)));
    const bigRoundTrips = await measureRoundTrips(bigDir, big, Math.min(warmups, 2), bigEdits);
    const bigMedian = median(bigRoundTrips.samples);
    console.log(
      `didChange → publishDiagnostics, the ${(big.bytes / 1e6).toFixed(1)} MB file edited at line ${big.edit.line + 1}`,
    );
    console.log(
      `  round trip through the server: median ${fixed(bigMedian)} (${spread(bigRoundTrips.samples)}), ${bigEdits} edits`,
    );
    console.log(
      `  ${bigRoundTrips.diagnostics} diagnostics per publish; didOpen → first publish ${fixed(bigRoundTrips.openMs)}; server CPU per edit ${fixed(bigRoundTrips.serverCpuPerEditMs)}`,
    );
    console.log(
      `  target: median <= ${TARGETS.bigRoundTripMedianMs} ms → ${verdict(bigMedian, TARGETS.bigRoundTripMedianMs)}`,
    );
    // Typing inside a value, and adding or removing a line inside a location: both are answered from the
    // analysis before them (parser/reparse.ts, rules/afterEdit.ts), in different ways; both are what a user waits for.
    const lineRoundTrips = await measureRoundTrips(bigDir, big, Math.min(warmups, 2), bigEdits, [], 'line');
    console.log(
      `  a line added below it, then removed: median ${fixed(median(lineRoundTrips.samples))} (${spread(lineRoundTrips.samples)}), ${bigEdits} edits (the same target)\n`,
    );

    const memory = await measureMemory(memoryDir, big);
    console.log(`server memory, ${(big.bytes / 1e6).toFixed(1)} MB config (/proc/<pid>/status)`);
    console.log(`  before opening: VmRSS ${fixed(memory.idleRssMb, 0)} MB`);
    console.log(
      `  after didOpen and its diagnostics (${memory.diagnostics}, in ${fixed(memory.openMs, 0)} ms): VmRSS ${fixed(memory.rssMb, 0)} MB, VmHWM (peak) ${fixed(memory.peakMb, 0)} MB`,
    );
    console.log(
      `  after one edit (re-analysed in ${fixed(memory.editMs, 0)} ms): VmRSS ${fixed(memory.afterEditRssMb, 0)} MB, VmHWM ${fixed(memory.afterEditPeakMb, 0)} MB`,
    );
    console.log(`  target: RSS after opening <= ${TARGETS.rssMb} MB → ${verdict(memory.rssMb, TARGETS.rssMb)}`);
    console.log(
      `         (peak ${fixed(memory.peakMb, 0)} MB → ${verdict(memory.peakMb, TARGETS.rssMb)} against the same limit)\n`,
    );

    if (process.argv.includes('--profile')) {
      for (const line of await profileRoundTrips(editDir, small, warmups, edits)) console.log(`  ${line}`);
      console.log('');
      console.log(`the same for the ${(big.bytes / 1e6).toFixed(1)} MB file:`);
      const bigProfileDir = path.join(root, 'big-profile');
      mkdirSync(bigProfileDir);
      for (const line of await profileRoundTrips(bigProfileDir, big, 1, Math.min(edits, 5))) console.log(`  ${line}`);
      console.log('');
    }

    console.log(`load average at end ${load()}`);
    console.log(
      'targets: didChange → publishDiagnostics median <= 30 ms (5,000 lines), <= 100 ms (4 MB); server RSS after opening the 4 MB config <= 200 MB (a miss is reported, never fatal)',
    );
  } finally {
    if (keep) console.log(`generated files kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  // Not a missed target: the benchmark could not run (no bundle, a server crash).
  console.error(`bench/lsp.ts failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

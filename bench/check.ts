// The whole pipeline as a CI job runs it: `node --import tsx bench/check.ts` after `npm run build`.
//
// Times `nginx-ws check` (server/out/cli.js, the shipped bundle, on plain node) from process start
// to verdict on the generated 4 MB config (bench/generate.ts: 5,000 servers in 53 files), in both
// forms: the main nginx.conf with its includes, and the same config as one file. Rules included:
// this is what a user waits for. Against it, in the same run and on the same files, `nginx -t` (the
// check users already have), and the ratio of the two medians: the machine's speed moves with its
// neighbours, a ratio measured in one run moves less.
//
// Targets are printed with pass/MISS; a miss never fails the run (a benchmark measures).
// Also: `check DIR` of the 4 MB config plus the shared corpus against the same files named on the
// command line (issue #13: within 1.2 x). And the floors under all of it, each a fresh process: node's
// own start, a check of an empty config, reading and tokenising the config's files, and reading and
// parsing the config with its includes without any model or rule (bench/floor-entry.ts, bundled as
// the CLI is). A ratio target above what the parse floor reaches cannot be met by any rule work.
// Options: --runs N (default 9), --warmups N (default 1), --profile (one more run of each form under
// --cpu-prof, with where its time goes).
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { nginxFilesUnder } from '../server/src/cli/check';
import { generate } from './generate';
import { median, quantile, summariseProfile } from './stats';
import { findNginx, nginxTestFile } from '../test/helpers/nginx';

const CLI = path.resolve(__dirname, '..', 'server', 'out', 'cli.js');
const GENERATED = path.join(__dirname, '.generated');
const FLOOR = path.join(GENERATED, 'floor.js');
const TARGETS = { checkMs: 300, timesFasterThanNginx: 6, directoryRatio: 1.2 };

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

const fixed = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** One `nginx-ws check` process; the version is pinned so that no `nginx -v` is spawned. */
function runCheck(
  file: string,
  nodeFlags: readonly string[] = [],
  extra: readonly string[] = [],
): { ms: number; verdict: string } {
  const start = performance.now();
  const result = spawnSync(
    process.execPath,
    [...nodeFlags, CLI, 'check', '--nginx-version', '1.22.1', ...extra, file],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 2 ** 20,
    },
  );
  const ms = performance.now() - start;
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`nginx-ws check exited ${String(result.status)}: ${result.stderr.trim().slice(0, 400)}`);
  const lines = result.stdout.trim().split('\n');
  return { ms, verdict: lines[lines.length - 1] ?? '' };
}

/** One run of the floor process (bench/floor-entry.ts): `parse NGINX_CONF` or `tokens FILE...`. */
function runFloor(args: readonly string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [FLOOR, ...args], { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`floor.js exited ${String(result.status)}: ${result.stderr.trim()}`);
  return ms;
}

/** One `nginx-ws check` of many files named on the command line. */
function runCheckMany(files: readonly string[]): { ms: number } {
  const start = performance.now();
  const result = spawnSync(process.execPath, [CLI, 'check', '--nginx-version', '1.22.1', ...files], {
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`nginx-ws check exited ${String(result.status)}: ${result.stderr.trim().slice(0, 400)}`);
  return { ms: performance.now() - start };
}

function spread(values: readonly number[]): string {
  return `min ${fixed(Math.min(...values))}, p90 ${fixed(quantile(values, 0.9))}, max ${fixed(Math.max(...values))}`;
}

function main(): void {
  const runs = Math.max(1, option('--runs', 9));
  const warmups = option('--warmups', 1);
  const configs = generate(GENERATED);
  // Bundled as scripts/bundle.mjs bundles the CLI, so that both start the same way.
  esbuild.buildSync({
    entryPoints: [path.join(__dirname, 'floor-entry.ts')],
    outfile: FLOOR,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  const configFiles = nginxFilesUnder(configs.dir, ['flat.conf']);
  const nginx = findNginx();
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log('nginx-ws check benchmark (process start to verdict)');
  console.log(`  node ${process.version}, ${cpus().length} CPU(s), load average at start ${load}`);
  console.log(
    `  config: ${configs.serverCount} servers in ${configs.fileCount} files, ${configs.totalLines} lines, ${(configs.totalBytes / 1e6).toFixed(2)} MB`,
  );
  console.log(`  ${warmups} warm-up(s), ${runs} run(s) each, interleaved; wall-clock ms\n`);

  // The one-file form in a folder of its own: beside the main config, that would be found as the
  // main config (the nearest nginx.conf above the file) and analysed as well.
  const alone = path.join(GENERATED, 'one-file');
  mkdirSync(alone, { recursive: true });
  const single = path.join(alone, 'nginx.conf');
  copyFileSync(configs.flat, single);
  cpSync(path.join(configs.dir, 'snippets'), path.join(alone, 'snippets'), { recursive: true });
  const forms: { name: string; file: string; extra?: readonly string[] }[] = [
    {
      name: 'its folder: nginx.conf and the 52 files it includes, every location checked',
      file: configs.dir,
      extra: ['--exclude', 'flat.conf'],
    },
    { name: 'nginx.conf alone (its own locations checked, includes read)', file: configs.main },
    { name: 'the same config as one file', file: single },
  ];
  const samples = new Map<string, number[]>(forms.map((form) => [form.name, []]));
  const nginxSamples: number[] = [];
  // The floor under every form, in the same run: node starting, and nginx-ws checking an empty config.
  const empty = path.join(GENERATED, 'empty', 'nginx.conf');
  mkdirSync(path.dirname(empty), { recursive: true });
  writeFileSync(empty, 'events {}\n');
  const nodeSamples: number[] = [];
  const emptySamples: number[] = [];
  const tokenSamples: number[] = [];
  const parseSamples: number[] = [];
  const verdicts = new Map<string, string>();
  // Interleaved, so that a slow spell of the machine falls on both sides of the ratio.
  for (let i = 0; i < warmups + runs; i++) {
    for (const form of forms) {
      const { ms, verdict } = runCheck(form.file, [], form.extra ?? []);
      verdicts.set(form.name, verdict);
      if (i >= warmups) samples.get(form.name)?.push(ms);
    }
    const nodeStart = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    const nodeMs = performance.now() - nodeStart;
    const emptyMs = runCheck(empty).ms;
    const tokensMs = runFloor(['tokens', ...configFiles]);
    const parseMs = runFloor(['parse', configs.main]);
    if (i >= warmups) {
      nodeSamples.push(nodeMs);
      emptySamples.push(emptyMs);
      tokenSamples.push(tokensMs);
      parseSamples.push(parseMs);
    }
    if (nginx) {
      const check = nginxTestFile(nginx, configs.main, 120_000);
      if (!check.ok) throw new Error(`nginx -t failed: ${check.output.trim().split('\n')[0] ?? ''}`);
      if (i >= warmups) nginxSamples.push(check.wallMs);
    }
  }

  const nginxMedian = nginxSamples.length ? median(nginxSamples) : NaN;
  for (const form of forms) {
    const values = samples.get(form.name) ?? [];
    const value = median(values);
    const ratio = nginxMedian / value;
    console.log(`nginx-ws check, ${form.name}`);
    console.log(`  median ${fixed(value)} ms (${spread(values)}); verdict: ${verdicts.get(form.name) ?? ''}`);
    console.log(
      `  target <= ${TARGETS.checkMs} ms: ${value <= TARGETS.checkMs ? 'pass' : 'MISS'}` +
        (nginx
          ? `; ${fixed(ratio, 1)} x faster than nginx -t (target >= ${TARGETS.timesFasterThanNginx}: ${ratio >= TARGETS.timesFasterThanNginx ? 'pass' : 'MISS'})`
          : ''),
    );
  }
  if (nginx) console.log(`nginx -t, main config: median ${fixed(nginxMedian)} ms (${spread(nginxSamples)}); ${nginx}`);
  else console.log('nginx -t: skipped, nginx not found');
  console.log(
    `floor: node -e 0 median ${fixed(median(nodeSamples))} ms; nginx-ws check of an empty config median ${fixed(median(emptySamples))} ms (${spread(emptySamples)})`,
  );
  const versusNginx = (value: number): string =>
    nginx ? `; ${fixed(nginxMedian / value, 1)} x faster than nginx -t` : '';
  const tokensMedian = median(tokenSamples);
  const parseMedian = median(parseSamples);
  console.log(
    `floor: read and tokenise the ${configFiles.length} files, nothing else: median ${fixed(tokensMedian)} ms (${spread(tokenSamples)})${versusNginx(tokensMedian)}`,
  );
  console.log(
    `floor: read and parse nginx.conf with its includes, no model and no rule: median ${fixed(parseMedian)} ms (${spread(parseSamples)})${versusNginx(parseMedian)}`,
  );
  if (nginx && nginxMedian / parseMedian < TARGETS.timesFasterThanNginx)
    console.log(
      `  on this machine parsing alone is under ${TARGETS.timesFasterThanNginx} x faster than nginx -t: no rule work can reach the ratio target here`,
    );

  // Issue #13: a directory is found and checked no slower than naming its files one by one.
  const tree = path.join(GENERATED, 'directory');
  rmSync(tree, { recursive: true, force: true });
  cpSync(configs.dir, path.join(tree, 'big'), { recursive: true, filter: (source) => !source.endsWith('flat.conf') });
  const corpus = path.join(__dirname, '..', '..', 'shared', 'corpus');
  const withCorpus = existsSync(corpus);
  if (withCorpus) cpSync(corpus, path.join(tree, 'corpus'), { recursive: true });
  const named = nginxFilesUnder(tree, []);
  const directorySamples: number[] = [];
  const namedSamples: number[] = [];
  for (let i = 0; i < warmups + runs; i++) {
    const directory = runCheck(tree);
    const files = runCheckMany(named);
    if (i >= warmups) {
      directorySamples.push(directory.ms);
      namedSamples.push(files.ms);
    }
  }
  const directoryMedian = median(directorySamples);
  const namedMedian = median(namedSamples);
  const ratio = directoryMedian / namedMedian;
  console.log(
    `nginx-ws check DIR (the 4 MB config${withCorpus ? ' + the shared corpus' : ', no shared corpus beside the repository'}, ${named.length} files)`,
  );
  console.log(`  the directory: median ${fixed(directoryMedian)} ms (${spread(directorySamples)})`);
  console.log(`  the same ${named.length} files named: median ${fixed(namedMedian)} ms (${spread(namedSamples)})`);
  console.log(
    `  ratio ${fixed(ratio, 2)} (target <= ${TARGETS.directoryRatio}: ${ratio <= TARGETS.directoryRatio ? 'pass' : 'MISS'})`,
  );

  if (process.argv.includes('--profile')) {
    for (const form of forms) {
      const dir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-check-prof-'));
      try {
        runCheck(form.file, ['--cpu-prof', `--cpu-prof-dir=${dir}`], form.extra ?? []);
        const profile = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
        console.log(`\nwhere the time goes, ${form.name} (self time):`);
        if (profile) for (const line of summariseProfile(path.join(dir, profile), 15)) console.log(line);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
}

main();

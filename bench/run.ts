// The engine benchmark: `npm run bench` (node --import tsx bench/run.ts; no build needed).
//
// What it times is the engine as the language server ships it: bench/engine.ts bundled by esbuild
// (see there for why not through tsx). The harness itself runs through tsx.
//
// Generates a config of 5,000 server blocks (bench/generate.ts, into the git-ignored
// bench/.generated/) and reports, over several iterations after warm-ups: our parse of it as one
// file; parse + includes + effective model with a cold parse cache; nginx-conf parsing the same
// text (the baseline, in this process); `nginx -t` on it (when nginx is installed); the peak RSS
// of a separate process doing parse + model once; re-analysing an edited 5,000-line main file
// whose includes are cached. Targets are printed with pass/miss, but a miss never fails the run:
// a benchmark is a measurement, not an assertion. On a miss of the parse + model target it
// profiles that step (node --cpu-prof) and prints where the time goes.
//
// Options: --iterations N (default 15), --warmups N (default 3), --no-nginx, --profile (always profile).
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { NginxParser } from 'nginx-conf';
import type * as Engine from './engine';
import { generate, type GeneratedConfigs } from './generate';
import { median, quantile, summariseProfile } from './stats';
import { findNginx, nginxTestFile } from '../test/helpers/nginx';

const GENERATED = path.join(__dirname, '.generated');
const ENGINE_BUNDLE = path.join(GENERATED, 'engine.js');

/** Bundles bench/engine.ts as the server is bundled (esbuild, node20, cjs). */
function bundleEngine(): void {
  buildSync({
    entryPoints: [path.join(__dirname, 'engine.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: ENGINE_BUNDLE,
    logLevel: 'error',
  });
}

let loaded: typeof Engine | undefined;
/** The bundled engine (bundled by the parent process; a child only loads it). */
function engine(): typeof Engine {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require(ENGINE_BUNDLE) as typeof Engine);
}

const TARGETS = {
  parseAndModelMs: 100,
  peakRssMb: 150,
  reanalysisMs: 10,
};

interface Samples {
  wall: number[];
  cpu: number[];
}

interface Row {
  name: string;
  samples?: Samples;
  note?: string;
  target?: { limit: number; unit: string; value: number };
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

function measure(warmups: number, iterations: number, run: (iteration: number) => void): Samples {
  const samples: Samples = { wall: [], cpu: [] };
  for (let i = 0; i < warmups + iterations; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    run(i);
    const wall = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    if (i >= warmups) {
      samples.wall.push(wall);
      samples.cpu.push((cpu.user + cpu.system) / 1000);
    }
  }
  return samples;
}

/** Runs `run` once, adding its times to `samples` when `record`; returns its result. */
function measureOnce<T>(samples: Samples, record: boolean, run: () => T): T {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = run();
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  if (record) {
    samples.wall.push(wall);
    samples.cpu.push((cpu.user + cpu.system) / 1000);
  }
  return result;
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function nginxConfParse(text: string): void {
  let failure: unknown;
  new NginxParser().parse(text, (error) => {
    failure = error;
  });
  if (failure) throw new Error(`nginx-conf failed: ${JSON.stringify(failure)}`);
}

/** `nginx -t` in a private prefix; returns the wall time, or throws with nginx's output. */
function nginxTest(nginx: string, config: string): number {
  const check = nginxTestFile(nginx, config, 120_000);
  if (!check.ok) throw new Error(`nginx -t failed: ${check.output.trim().split('\n').slice(0, 3).join(' | ')}`);
  return check.wallMs;
}

function parseAndModel(main: string): void {
  const { buildConfigModel, buildConfigTree, NodeFileSystem } = engine();
  buildConfigModel(buildConfigTree(main, new NodeFileSystem(), { baseDir: path.dirname(main) }));
}

/** Runs this file again in a fresh process with `args` (and extra node flags); returns its stdout. */
function child(args: string[], nodeFlags: string[] = []): string {
  const result = spawnSync(process.execPath, [...nodeFlags, ...process.execArgv, __filename, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`child ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

/** Child: run parse + model a few times under --cpu-prof. */
function profileChild(main: string): void {
  for (let i = 0; i < 5; i++) parseAndModel(main);
}

function profile(main: string): string[] {
  const dir = path.join(GENERATED, 'profile');
  rmSync(dir, { recursive: true, force: true });
  child(['--profile-child', main], ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  // The main thread's profile is the largest; tsx's loader thread writes a small one too.
  const files = readdirSync(dir)
    .map((name) => path.join(dir, name))
    .sort((a, b) => readFileSync(b).length - readFileSync(a).length);
  const largest = files[0];
  return largest
    ? [
        `profile of 5 x parse + model (${path.relative(process.cwd(), largest)}), self time:`,
        ...summariseProfile(largest, 15),
      ]
    : ['no profile written'];
}

function printTable(rows: readonly Row[]): void {
  const header = ['measure', 'median ms', 'min', 'max', 'p10', 'p90', 'CPU median', 'target', 'result'];
  const lines = rows.map((row) => {
    const samples = row.samples;
    const cells = samples
      ? [
          ms(median(samples.wall)),
          ms(Math.min(...samples.wall)),
          ms(Math.max(...samples.wall)),
          ms(quantile(samples.wall, 0.1)),
          ms(quantile(samples.wall, 0.9)),
          ms(median(samples.cpu)),
        ]
      : ['', '', '', '', '', ''];
    const target = row.target ? `<= ${row.target.limit} ${row.target.unit}` : '';
    const result = row.target ? (row.target.value <= row.target.limit ? 'pass' : 'MISS') : '';
    return [row.name, ...cells, target, result];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)),
  );
  const format = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number),
      )
      .join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
  for (const row of rows) if (row.note) console.log(`  ${row.name}: ${row.note}`);
}

function main(): void {
  const warmups = option('--warmups', 3);
  const iterations = Math.max(1, option('--iterations', 15));
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  const configs: GeneratedConfigs = generate(GENERATED);
  bundleEngine();
  const { parse, buildConfigTree, buildConfigModel, analyzeFile, ParseCache, CachingFileSystem, NodeFileSystem } =
    engine();
  const nginx = process.argv.includes('--no-nginx') ? undefined : findNginx();
  console.log('nginx-ws engine benchmark');
  console.log(`  node ${process.version}, ${cpus().length} CPU(s), load average at start ${load}`);
  console.log(
    `  engine: ${path.relative(process.cwd(), ENGINE_BUNDLE)} (bench/engine.ts bundled by esbuild, as shipped)`,
  );
  console.log(
    `  config: ${configs.serverCount} servers in ${configs.fileCount} files, ${configs.totalLines} lines, ${(configs.totalBytes / 1e6).toFixed(2)} MB (${path.relative(process.cwd(), configs.dir)})`,
  );
  console.log(
    `  single-file form: ${configs.flatText.split('\n').length - 1} lines; edit config main file: ${configs.editMainText.split('\n').length - 1} lines`,
  );
  console.log(
    `  ${warmups} warm-up(s), ${iterations} measured iteration(s); wall-clock ms unless noted; CPU = user + system of this process\n`,
  );

  const rows: Row[] = [];
  const attempt = (name: string, run: () => Row): Row => {
    try {
      const row = run();
      rows.push(row);
      return row;
    } catch (error) {
      const row: Row = { name, note: `error: ${(error as Error).message}` };
      rows.push(row);
      return row;
    }
  };

  const ourParse = attempt('our parse (one 4 MB file)', () => ({
    name: 'our parse (one 4 MB file)',
    samples: measure(warmups, iterations, () => parse(configs.flatText, configs.flat)),
  }));

  const treeSamples: Samples = { wall: [], cpu: [] };
  const modelSamples: Samples = { wall: [], cpu: [] };
  const model = attempt('parse + includes + model (cold cache)', () => {
    const samples = measure(warmups, iterations, (iteration) => {
      // The two steps are also timed apart, to show where the time goes.
      const tree = measureOnce(treeSamples, iteration >= warmups, () =>
        buildConfigTree(configs.main, new NodeFileSystem(), { baseDir: path.dirname(configs.main) }),
      );
      measureOnce(modelSamples, iteration >= warmups, () => buildConfigModel(tree));
    });
    return {
      name: 'parse + includes + model (cold cache)',
      samples,
      target: { limit: TARGETS.parseAndModelMs, unit: 'ms', value: median(samples.wall) },
    };
  });
  if (model.samples) {
    rows.push({ name: '  of which buildConfigTree (parse, includes)', samples: treeSamples });
    rows.push({ name: '  of which buildConfigModel', samples: modelSamples });
  }

  const baseline = attempt('nginx-conf parse (same text)', () => ({
    name: 'nginx-conf parse (same text)',
    samples: measure(warmups, iterations, () => nginxConfParse(configs.flatText)),
  }));
  if (ourParse.samples && baseline.samples) {
    const base = median(baseline.samples.wall);
    baseline.note = `our parse takes ${(median(ourParse.samples.wall) / base).toFixed(2)} x nginx-conf's time (median wall)`;
    // The machine's speed varies with its neighbours; a ratio to work done in this process moves less.
    if (model.samples)
      model.note = `${(median(model.samples.wall) / base).toFixed(2)} x nginx-conf's parse of the same text as one file (median wall, same process)`;
  }

  if (nginx) {
    attempt('nginx -t (same config)', () => {
      // nginx -t takes seconds here: one warm-up and at most five runs keep the benchmark short.
      const wall: number[] = [];
      const runs = Math.min(iterations, 5);
      for (let i = 0; i < Math.min(warmups, 1) + runs; i++) {
        const time = nginxTest(nginx, configs.main);
        if (i >= Math.min(warmups, 1)) wall.push(time);
      }
      return {
        name: 'nginx -t (same config)',
        samples: { wall, cpu: [] },
        note: `${nginx}, ${runs} run(s), a separate process (CPU column not measured)`,
      };
    });
  } else {
    rows.push({ name: 'nginx -t (same config)', note: 'skipped: nginx not found (or --no-nginx)' });
  }

  attempt('peak RSS, parse + model once (bundled, as shipped)', () => {
    // The engine as the language server runs it: one esbuild bundle on plain node, no TypeScript loader.
    const bundle = path.join(GENERATED, 'rss-child.js');
    buildSync({
      entryPoints: [path.join(__dirname, 'rss-child.ts')],
      bundle: true,
      platform: 'node',
      outfile: bundle,
      logLevel: 'error',
    });
    const result = spawnSync(process.execPath, [bundle, configs.main], { encoding: 'utf8', timeout: 300_000 });
    if (result.status !== 0) throw new Error(`rss child failed: ${result.stderr}`);
    const { baselineRss, peakRss } = JSON.parse(result.stdout) as { baselineRss: number; peakRss: number };
    const peakMb = peakRss / 2 ** 20;
    return {
      name: 'peak RSS, parse + model once (bundled, as shipped)',
      target: { limit: TARGETS.peakRssMb, unit: 'MB', value: peakMb },
      note: `peak ${peakMb.toFixed(0)} MB in a separate plain node process running the bundled engine, of which ${(baselineRss / 2 ** 20).toFixed(0)} MB before any work`,
    };
  });

  attempt('re-analyse edited 5,000-line file', () => {
    const cache = new ParseCache();
    let text = configs.editMainText;
    // As the language server reads files: the edited one from its buffer, the rest cached until a watcher says otherwise.
    const fs = new CachingFileSystem((file) => (file === configs.editMain ? text : undefined));
    const editDir = path.dirname(configs.editMain);
    const samples = measure(warmups, Math.max(iterations, 15), (iteration) => {
      text = configs.editMainText.replace(
        configs.editMarker,
        `            proxy_read_timeout ${3600 + iteration + 1}s;`,
      );
      analyzeFile(configs.editMain, fs, { workspaceFolders: [editDir], parseCache: cache, pathMappings: {} });
    });
    return {
      name: 're-analyse edited 5,000-line file',
      samples,
      target: { limit: TARGETS.reanalysisMs, unit: 'ms', value: median(samples.wall) },
      note: 'analyzeFile on the edited main file with a warm ParseCache: its includes (10 conf.d files, snippets) are not parsed again',
    };
  });

  attempt('  of which parsing the edited file', () => ({
    name: '  of which parsing the edited file',
    samples: measure(warmups, Math.max(iterations, 15), (iteration) =>
      parse(configs.editMainText.replace(configs.editMarker, `            proxy_read_timeout ${7200 + iteration}s;`)),
    ),
    note: 'the rest of the re-analysis is following the includes and modelling the whole configuration again',
  }));

  console.log('');
  printTable(rows);
  console.log(
    `\n  load average at end ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    '  targets: parse + model <= 100 ms median, peak RSS <= 150 MB, re-analysis <= 10 ms median (a miss is reported, never fatal)',
  );

  const modelMedian = model.samples ? median(model.samples.wall) : NaN;
  if (process.argv.includes('--profile') || !(modelMedian <= TARGETS.parseAndModelMs)) {
    console.log('');
    try {
      for (const line of profile(configs.main)) console.log(`  ${line}`);
    } catch (error) {
      console.log(`  profiling failed: ${(error as Error).message}`);
    }
  }
}

const mode = process.argv[2];
if (mode === '--profile-child') profileChild(process.argv[3] as string);
else main();

// The editing features' benchmark (issue #12): `node --import tsx bench/editing.ts` after `npm run build`.
//
// Through the real server process (server/out/server.js --stdio), with the ~4 MB config of
// bench/lsp-generate.ts open (5,000 server blocks, ~120,000 lines): the time from sending a request
// to its response, for completion of directives in a location in the middle of the file, completion
// of variables after `$`, hover on a directive name and on a variable, and Format Document of the
// whole file, and the outline and folding ranges VS Code asks for after each edit. As a baseline in this process: parsing the same text (what every request's parse
// cache saves), and each median's ratio to it.
// Targets are printed with pass/MISS; a miss never fails the run (a benchmark measures).
// Options: --runs N (default 30; format runs a fifth as many), --warmups N (default 3).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CodeActionRequest,
  CompletionRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  type Position,
} from 'vscode-languageserver-protocol/node';
import { parse } from '../server/src/core/parser/parser';
import { startServer, type LspClient } from '../test/helpers/lsp';
import { generateConfig } from './lsp-generate';
import { median, quantile } from './stats';

/** completion, hover and format from issue #12; outline, folding and code actions: ours, as VS Code asks for them after edits and cursor moves. */
const TARGETS = { completionMs: 20, hoverMs: 20, formatMs: 500, outlineMs: 100 };

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

async function timed(
  runs: number,
  warmups: number,
  request: () => Promise<unknown>,
  before?: (run: number) => Promise<void>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < warmups + runs; i++) {
    await before?.(i);
    const start = performance.now();
    const result = await request();
    const ms = performance.now() - start;
    if (result === null || result === undefined) throw new Error('the server answered nothing');
    if (i >= warmups) samples.push(ms);
  }
  return samples;
}

async function main(): Promise<void> {
  const runs = Math.max(1, option('--runs', 30));
  const warmups = option('--warmups', 3);
  const config = generateConfig(5000);
  const dir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-bench-editing-'));
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, config.text);
  console.log('nginx-ws editing features benchmark (request → response through the server process)');
  console.log(
    `  node ${process.version}, ${cpus().length} CPU(s), load average at start ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
  console.log(`  file: ${config.lines} lines, ${(config.bytes / 1e6).toFixed(2)} MB, ${config.servers} servers\n`);

  // Baseline in this process: one parse of the same text.
  const parseSamples: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    parse(config.text, file);
    parseSamples.push(performance.now() - start);
  }
  const parseMs = median(parseSamples.slice(2));
  console.log(`baseline: parsing the file in this process, median ${fixed(parseMs)} ms\n`);

  let client: LspClient | undefined;
  try {
    client = await startServer({ workspaceFolders: [dir], settings: { nginxVersion: '1.22.1', codeLens: false } });
    const uri = await client.open(file, config.text);
    await client.waitForDiagnostics(uri, () => true, 120_000);
    const lines = config.text.split('\n');
    const line = config.edit.line; // `proxy_read_timeout 3600s;` in the middle server's /ws/ location
    const upgradeLine = lines.findIndex(
      (text, n) => n < line && n > line - 6 && text.includes('Upgrade $http_upgrade'),
    );
    const lsp = client;
    const at = (position: Position) => ({ textDocument: { uri }, position });
    const results: { name: string; samples: number[]; target: number }[] = [];
    const measure = async (
      name: string,
      target: number,
      request: () => Promise<unknown>,
      count = runs,
      before?: (run: number) => Promise<void>,
    ) => {
      results.push({ name, target, samples: await timed(count, warmups, request, before) });
    };
    // An edit in the middle of the file, and its diagnostics, before each run: the server caches
    // outline and folding per parse, and VS Code asks for them right after an edit.
    const timeoutColumn = (lines[line] as string).indexOf('3600s');
    let written = '3600s';
    const editFirst = async (run: number): Promise<void> => {
      const value = `${3700 + run}s`;
      const since = lsp.mark();
      await lsp.edit(uri, [
        {
          range: {
            start: { line, character: timeoutColumn },
            end: { line, character: timeoutColumn + written.length },
          },
          newText: value,
        },
      ]);
      written = value;
      await lsp.waitForDiagnostics(uri, () => true, { since, deadlineMs: 60_000 });
    };
    await measure('completion: directives in a location', TARGETS.completionMs, () =>
      lsp.connection.sendRequest(CompletionRequest.type, at({ line, character: 12 })),
    );
    const dollar = (lines[upgradeLine] as string).indexOf('$') + 1;
    await measure('completion: variables after $', TARGETS.completionMs, () =>
      lsp.connection.sendRequest(CompletionRequest.type, at({ line: upgradeLine, character: dollar })),
    );
    await measure('hover: a directive name', TARGETS.hoverMs, () =>
      lsp.connection.sendRequest(HoverRequest.type, at({ line, character: 14 })),
    );
    await measure('hover: a variable', TARGETS.hoverMs, () =>
      lsp.connection.sendRequest(HoverRequest.type, at({ line: upgradeLine, character: dollar + 2 })),
    );
    // VS Code asks for these after every edit (outline, breadcrumbs, folding): they share the
    // server's thread with the diagnostics.
    await measure(
      'outline (document symbols) of the whole file, after an edit',
      TARGETS.outlineMs,
      () => lsp.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }),
      runs,
      editFirst,
    );
    await measure(
      'folding ranges of the whole file, after an edit',
      TARGETS.outlineMs,
      () => lsp.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } }),
      runs,
      editFirst,
    );
    // Asked by VS Code on every cursor move: it must reuse the edit's analysis, not redo it.
    const published = lsp.latestDiagnostics(uri);
    const broken = published.find((d) => d.severity === 1) ?? published[0];
    if (!broken) throw new Error('the generated config has no diagnostics to ask quick fixes for');
    await measure('code actions at a diagnostic (quick fixes)', TARGETS.completionMs, () =>
      lsp.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: broken.range,
        context: { diagnostics: [broken] },
      }),
    );
    await measure(
      'Format Document, the whole 4 MB file',
      TARGETS.formatMs,
      () =>
        lsp.connection.sendRequest(DocumentFormattingRequest.type, {
          textDocument: { uri },
          options: { tabSize: 4, insertSpaces: true },
        }),
      Math.max(1, Math.round(runs / 5)),
    );
    for (const { name, samples, target } of results) {
      const m = median(samples);
      console.log(name);
      console.log(
        `  median ${fixed(m)} ms (min ${fixed(Math.min(...samples))}, p90 ${fixed(quantile(samples, 0.9))}, max ${fixed(Math.max(...samples))}), ${samples.length} runs; ${fixed(m / parseMs, 2)} x a parse`,
      );
      console.log(`  target <= ${target} ms: ${m <= target ? 'pass' : 'MISS'}`);
    }
  } finally {
    await client?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

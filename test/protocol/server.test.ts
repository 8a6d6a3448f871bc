// Protocol-level tests: the bundled language server (server/out/server.js, from `npm run build`)
// as a real process, spoken to over LSP the way VS Code's client does (test/helpers/lsp.ts).
// Fixtures are workspaces under test/fixtures/protocol/, copied to a temp folder per test; a
// `<name>.expected.json` beside a workspace lists the diagnostics its `open` file must get.
// Nothing sleeps: every step waits for the message it needs, with a deadline.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import {
  DiagnosticSeverity,
  FileChangeType,
  TextDocumentSyncKind,
  WatchKind,
  type CodeAction,
  type Diagnostic,
  type Range,
} from 'vscode-languageserver-protocol/node';
import {
  applyWorkspaceEdit,
  codesOf,
  describeDiagnostics,
  fileOf,
  messageOf,
  processExists,
  SERVER_SCRIPT,
  severityName,
  startServer,
  uriOf,
  type LspClient,
  type NginxWsSettings,
  type StartOptions,
} from '../helpers/lsp';
import { fixturePath, repoRoot } from '../helpers/paths';
import { textAt } from '../helpers/text';

const FIXTURES = fixturePath('protocol');
const FIX_ALL_KIND = 'source.fixAll.nginx-ws';
/** Pinned so that results do not depend on the nginx installed here ("auto" has its own test). */
const SETTINGS: NginxWsSettings = { nginxVersion: '1.22.1' };

// ---- helpers -----------------------------------------------------------------------------------

/** A temp copy of a fixture workspace, removed after the test. */
function workspace(t: TestContext, name: string): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), `nginx-ws-protocol-${name}-`)));
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(
  t: TestContext,
  folder: string,
  settings: NginxWsSettings = SETTINGS,
  options: Partial<StartOptions> = {},
): Promise<LspClient> {
  const client = await startServer({ workspaceFolders: [folder], settings, ...options });
  t.after(() => client.dispose());
  return client;
}

/**
 * Debian's layout in a temp folder, removed after the test: `nginx.conf` with `include sites-enabled/*`
 * (and `conf.d/*.conf`), each site written in sites-available/ and enabled by a relative symlink.
 */
function debianLayout(t: TestContext, sites: Record<string, string>, confD: Record<string, string> = {}): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'nginx-ws-protocol-debian-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const folder of ['sites-available', 'sites-enabled', 'conf.d']) mkdirSync(path.join(dir, folder));
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    'events {}\nhttp {\n    include sites-enabled/*;\n    include conf.d/*.conf;\n}\n',
  );
  for (const [name, text] of Object.entries(sites)) {
    writeFileSync(path.join(dir, 'sites-available', name), text);
    symlinkSync(path.join('..', 'sites-available', name), path.join(dir, 'sites-enabled', name));
  }
  for (const [name, text] of Object.entries(confD)) writeFileSync(path.join(dir, 'conf.d', name), text);
  return dir;
}

/** A server on port 80 with one location /ws/ proxying to 127.0.0.1:3000, with `lines` in it. */
function wsServer(lines: readonly string[]): string {
  return [
    'server {',
    '    listen 80;',
    '    location /ws/ {',
    '        proxy_pass http://127.0.0.1:3000;',
    ...lines.map((line) => `        ${line}`),
    '    }',
    '}',
    '',
  ].join('\n');
}

/** 0-based index of the first line (from `from`) that contains `needle`. */
function lineOf(text: string, needle: string, from = 0): number {
  const index = text.split(/\r?\n/).findIndex((line, number) => number >= from && line.includes(needle));
  if (index < 0) throw new Error(`no line contains ${JSON.stringify(needle)}`);
  return index;
}

/** The range of the first occurrence of `needle` on its line. */
function rangeOf(text: string, needle: string): Range {
  const line = lineOf(text, needle);
  const character = (text.split(/\r?\n/)[line] as string).indexOf(needle);
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

/** Lines from `location <path> {` to its closing brace (0-based, inclusive), for indented fixtures. */
function blockLines(text: string, header: string): { first: number; last: number } {
  const lines = text.split(/\r?\n/);
  const first = lineOf(text, header);
  const indent = /^\s*/.exec(lines[first] as string)?.[0] ?? '';
  const last = lines.findIndex((line, number) => number > first && line === `${indent}}`);
  if (last < 0) throw new Error(`no closing brace for ${header}`);
  return { first, last };
}

function severe(diagnostic: Diagnostic): boolean {
  return diagnostic.severity === DiagnosticSeverity.Error || diagnostic.severity === DiagnosticSeverity.Warning;
}

function withCode(diagnostics: readonly Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.find((diagnostic) => diagnostic.code === code);
  if (!found) throw new Error(`no ${code} diagnostic among: ${describeDiagnostics(diagnostics)}`);
  return found;
}

function titles(actions: readonly CodeAction[]): string {
  return (
    actions
      .map((action) => `"${action.title}" (${action.kind ?? 'no kind'}${action.isPreferred ? ', preferred' : ''})`)
      .join(', ') || 'none'
  );
}

/** Rule findings carry a link to their page: docs/rules/<code>.md in the extension. */
function assertRuleDoc(t: TestContext, diagnostic: Diagnostic): void {
  const code = String(diagnostic.code);
  const href = diagnostic.codeDescription?.href;
  assert.ok(href, `${code} has no codeDescription.href`);
  assert.match(href, /^file:\/\//, `${code}: href ${href} is not a file URL`);
  const doc = fileOf(href);
  // The server finds the pages from where its bundle is: server/out/server.js → the extension root.
  const extensionRoot = path.resolve(path.dirname(SERVER_SCRIPT), '..', '..');
  assert.equal(
    doc,
    path.join(extensionRoot, 'docs', 'rules', `${code}.md`),
    `${code}: href ${href} is not its rule page`,
  );
  // The pages are being written alongside: check the file once it exists.
  if (existsSync(doc)) assert.ok(readFileSync(doc, 'utf8').trim().length > 0, `${doc} is empty`);
  else t.diagnostic(`docs/rules/${code}.md does not exist yet; only the href's shape was checked`);
}

// ---- expectations beside the fixtures ----------------------------------------------------------

interface ExpectedRelated {
  readonly file: string;
  readonly line: number;
  readonly text?: string;
  readonly message: string;
}

interface ExpectedDiagnostic {
  readonly code: string;
  readonly severity: string;
  /** 1-based. */
  readonly line: number;
  /** The text the range covers. */
  readonly text: string;
  /** A part of the message. */
  readonly message?: string;
  readonly related?: readonly ExpectedRelated[];
}

interface Expectation {
  readonly about: string;
  readonly open: string;
  readonly settings: NginxWsSettings;
  readonly diagnostics: readonly ExpectedDiagnostic[];
}

const expectationFiles = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.expected.json'))
  .sort();

function compareExpected(a: ExpectedDiagnostic, b: ExpectedDiagnostic): number {
  return a.line - b.line || a.code.localeCompare(b.code) || a.text.localeCompare(b.text);
}

/** The published diagnostics in the expectation's shape (messages checked separately). */
function observed(dir: string, text: string, diagnostics: readonly Diagnostic[]): ExpectedDiagnostic[] {
  return diagnostics.map((diagnostic) => ({
    code: String(diagnostic.code),
    severity: severityName(diagnostic),
    line: diagnostic.range.start.line + 1,
    text: textAt(text, diagnostic.range),
    ...(diagnostic.relatedInformation
      ? {
          related: diagnostic.relatedInformation.map((related) => {
            const file = fileOf(related.location.uri);
            return {
              file: path.relative(dir, file).split(path.sep).join('/'),
              line: related.location.range.start.line + 1,
              text: textAt(readFileSync(file, 'utf8'), related.location.range),
              message: related.message,
            };
          }),
        }
      : {}),
  }));
}

// ---- the tests ---------------------------------------------------------------------------------

describe('language server over stdio: lifecycle', () => {
  it('initialize announces incremental sync, the code action kinds and CodeLens; initialized registers for settings changes', async (t) => {
    const client = await start(t, workspace(t, 'one-broken-location'));
    const result = client.initializeResult;
    assert.ok(result, 'no initialize result');
    assert.equal(result.serverInfo?.name, 'nginx-ws');
    assert.equal(result.capabilities.textDocumentSync, TextDocumentSyncKind.Incremental);
    const codeActions = result.capabilities.codeActionProvider;
    assert.ok(codeActions && typeof codeActions === 'object', 'codeActionProvider must list its kinds');
    assert.deepEqual([...(codeActions.codeActionKinds ?? [])].sort(), ['quickfix', 'refactor.rewrite', FIX_ALL_KIND]);
    assert.ok(result.capabilities.codeLensProvider, 'no codeLensProvider');
    const registration = await client.waitFor(
      () => [...client.registrations.values()].find((entry) => entry.method === 'workspace/didChangeConfiguration'),
      'a workspace/didChangeConfiguration registration',
    );
    assert.deepEqual(registration.registerOptions, { section: 'nginxWs' });
  });

  it('shutdown then exit ends the process with code 0 and leaves nothing running', async (t) => {
    const dir = workspace(t, 'one-broken-location');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    await client.waitForDiagnostics(uri);
    const pid = client.pid;
    const status = await client.shutdown();
    assert.deepEqual(status, { code: 0, signal: null });
    assert.equal(processExists(pid), false, `server process ${pid} still exists after exit`);
  });

  it('a client that takes no dynamic registrations still gets diagnostics, and the server keeps running', async (t) => {
    const dir = workspace(t, 'included-snippet');
    // workspace/configuration but no dynamic registration of anything: what a minimal editor
    // client declares. A registration sent anyway is refused, as such a client would.
    const client = await start(t, dir, SETTINGS, {
      refuseRegistrations: true,
      capabilities: (defaults) => ({
        ...defaults,
        workspace: {
          ...defaults.workspace,
          didChangeConfiguration: { dynamicRegistration: false },
          didChangeWatchedFiles: { dynamicRegistration: false },
        },
      }),
    });
    const file = path.join(dir, 'conf.d', 'app.conf');
    const uri = await client.open(file, readFileSync(file, 'utf8').replace('include snippets/websocket.conf;', ''));
    const { diagnostics } = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    assert.ok(codesOf(diagnostics).includes('ws-missing-upgrade'));
    assert.deepEqual(client.refusedRegistrations, [], 'the server sent registrations the client did not declare');
    assert.ok((await client.codeLenses(uri)).length > 0, 'the server still answers');
    assert.deepEqual(await client.shutdown(), { code: 0, signal: null });
  });

  it('a server whose registration is refused keeps running', async (t) => {
    const dir = workspace(t, 'included-snippet');
    const client = await start(t, dir, SETTINGS, { refuseRegistrations: true });
    const uri = await client.open(path.join(dir, 'conf.d', 'app.conf'));
    await client.waitForDiagnostics(uri);
    await client.waitFor(
      () =>
        client.refusedRegistrations.some((entry) => entry.method === 'workspace/didChangeWatchedFiles')
          ? true
          : undefined,
      'the file-watcher registration',
    );
    assert.ok((await client.codeLenses(uri)).length > 0, 'the server still answers after the refusal');
    assert.deepEqual(await client.shutdown(), { code: 0, signal: null });
  });

  it('fails with a clear message, not a hang, when the bundle is missing', async () => {
    await assert.rejects(
      startServer({
        workspaceFolders: [FIXTURES],
        serverScript: path.join(repoRoot, 'server', 'out', 'no-such-server.js'),
      }),
      /does not exist\. Run `npm run build`/,
    );
  });

  it('a server that dies during initialize fails the test at once, with its stderr', async (t) => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'nginx-ws-protocol-crash-')));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const script = path.join(dir, 'crashing-server.js');
    writeFileSync(script, "process.stderr.write('cannot start: boom\\n');\nprocess.exit(3);\n");
    const started = performance.now();
    await assert.rejects(startServer({ workspaceFolders: [dir], serverScript: script }), (error: Error) => {
      assert.match(error.message, /exited \(code 3, signal null\) before answering initialize/);
      assert.match(error.message, /cannot start: boom/);
      return true;
    });
    assert.ok(performance.now() - started < 5000, 'not by waiting for the deadline');
  });
});

describe('language server over stdio: diagnostics on didOpen', () => {
  for (const file of expectationFiles) {
    const name = file.replace(/\.expected\.json$/, '');
    const expectation = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Expectation;
    it(`${name}: ${expectation.about}`, async (t) => {
      const dir = workspace(t, name);
      const client = await start(t, dir, expectation.settings);
      const opened = path.join(dir, expectation.open);
      const text = readFileSync(opened, 'utf8');
      const uri = await client.open(opened, text);
      const { diagnostics } = await client.waitForDiagnostics(uri);

      const actual = observed(dir, text, diagnostics);
      const expected = expectation.diagnostics.map(({ message: _message, ...rest }) => rest);
      assert.deepEqual([...actual].sort(compareExpected), [...expected].sort(compareExpected));
      for (const want of expectation.diagnostics) {
        if (!want.message) continue;
        const got = diagnostics.find(
          (diagnostic) => diagnostic.code === want.code && diagnostic.range.start.line === want.line - 1,
        );
        const message = got ? messageOf(got) : undefined;
        assert.ok(
          message?.includes(want.message),
          `${want.code} on line ${want.line}: message ${JSON.stringify(message)} lacks ${JSON.stringify(want.message)}`,
        );
      }
      for (const diagnostic of diagnostics) {
        assert.equal(diagnostic.source, 'nginx-ws');
        if (!String(diagnostic.code).startsWith('ws-')) continue;
        assertRuleDoc(t, diagnostic);
        assert.deepEqual(
          diagnostic.data,
          { code: diagnostic.code, line: diagnostic.range.start.line },
          'data must let a quick fix find the finding again',
        );
      }
      assert.deepEqual(client.serverErrors(), []);
    });
  }
});

describe('language server over stdio: code actions', () => {
  it('the preferred quick fix for a diagnostic, applied with didChange, clears that diagnostic', async (t) => {
    const dir = workspace(t, 'one-broken-location');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    const { diagnostics } = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    const missing = withCode(diagnostics, 'ws-missing-connection');

    const actions = await client.codeActions(uri, missing.range, { diagnostics: [missing], only: ['quickfix'] });
    const preferred = actions.filter((action) => action.isPreferred);
    assert.equal(preferred.length, 1, `expected one preferred fix, got: ${titles(actions)}`);
    const fix = preferred[0] as CodeAction;
    assert.equal(fix.kind, 'quickfix');
    assert.deepEqual(codesOf(fix.diagnostics ?? []), ['ws-missing-connection']);
    assert.deepEqual(Object.keys(fix.edit?.changes ?? {}), [uri], 'the fix edits only this file');
    assert.ok(
      actions.some(
        (action) => action.title === 'Fix all WebSocket problems in this file' && action.kind === 'quickfix',
      ),
      `two fixable findings: "Fix all WebSocket problems in this file" should be offered, got: ${titles(actions)}`,
    );

    const changed = await client.applyEdit(fix.edit ?? {});
    assert.ok(
      changed.get(uri)?.includes('\n            proxy_set_header Connection "upgrade";\n'),
      'the line goes into the location with its indentation',
    );
    const after = await client.waitForDiagnostics(uri);
    assert.equal(after.version, 2);
    assert.ok(
      !codesOf(after.diagnostics).includes('ws-missing-connection'),
      `still reported: ${describeDiagnostics(after.diagnostics)}`,
    );
    assert.ok(codesOf(after.diagnostics).includes('ws-http-version'), 'the other finding stays until it is fixed');
    assert.deepEqual(client.serverErrors(), []);
  });

  it('the map-idiom fix edits the main config too (opened unsaved, as VS Code does) and clears the finding', async (t) => {
    const dir = workspace(t, 'map-in-main');
    const client = await start(t, dir);
    const appUri = await client.open(path.join(dir, 'conf.d', 'app.conf'));
    const mainUri = uriOf(path.join(dir, 'nginx.conf'));
    const { diagnostics } = await client.waitForDiagnostics(appUri, (list) => list.length > 0);
    const missing = withCode(diagnostics, 'ws-missing-connection');

    const actions = await client.codeActions(appUri, missing.range, { diagnostics: [missing], only: ['quickfix'] });
    const viaMap = actions.find(
      (action) => action.title.includes('$connection_upgrade') && action.title.includes('map'),
    );
    assert.ok(viaMap?.edit?.changes, `no map-idiom fix among: ${titles(actions)}`);
    assert.deepEqual(
      Object.keys(viaMap.edit.changes).sort(),
      [appUri, mainUri].sort(),
      'the map goes into nginx.conf, the header line into app.conf',
    );

    // nginx.conf is not open: like VS Code, the harness opens it with the edit applied (unsaved).
    const changed = await client.applyEdit(viaMap.edit);
    assert.match(
      changed.get(mainUri) ?? '',
      /http \{\n {4}map \$http_upgrade \$connection_upgrade \{\n {8}default upgrade;/,
    );
    const after = await client.waitForDiagnostics(appUri, (list) => !list.some(severe));
    assert.ok(
      !codesOf(after.diagnostics).includes('ws-undefined-variable'),
      `the map is seen: ${describeDiagnostics(after.diagnostics)}`,
    );
    const main = await client.waitForDiagnostics(mainUri);
    assert.deepEqual(
      main.diagnostics.filter(severe),
      [],
      `nginx.conf after the fix: ${describeDiagnostics(main.diagnostics)}`,
    );
  });

  it("a site enabled by a symlink (Debian's layout), opened at sites-available: diagnostics, related lines and the fix are on the opened file", async (t) => {
    const dir = debianLayout(t, {
      app: wsServer([
        'proxy_http_version 1.1;',
        'proxy_set_header Upgrade $http_upgrade;',
        'include no-such-snippet.conf;',
      ]),
    });
    const site = path.join(dir, 'sites-available', 'app');
    const client = await start(t, dir);
    const uri = await client.open(site);
    const { diagnostics } = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    const missing = withCode(diagnostics, 'ws-missing-connection');
    assert.equal(missing.range.start.line, 2, 'on the location line of the opened file');
    const elsewhere = diagnostics
      .flatMap((diagnostic) => diagnostic.relatedInformation ?? [])
      .map((related) => related.location.uri)
      .filter((related) => related !== uri && related !== uriOf(path.join(dir, 'nginx.conf')));
    assert.deepEqual(elsewhere, [], 'related lines of the site point into the opened file, not through the symlink');
    assert.ok(
      diagnostics.some(
        (diagnostic) =>
          diagnostic.code === 'include-unreadable' && messageOf(diagnostic).includes('no-such-snippet.conf'),
      ),
      `the unreadable include of the opened file is reported: ${describeDiagnostics(diagnostics)}`,
    );

    const actions = await client.codeActions(uri, missing.range, { diagnostics: [missing], only: ['quickfix'] });
    const fix = actions.find((action) => action.isPreferred);
    assert.ok(fix?.edit, `no preferred fix among: ${titles(actions)}`);
    assert.deepEqual(
      Object.keys(fix.edit.changes ?? {}),
      [uri],
      'the fix edits the opened file, not sites-enabled/app',
    );
    const changed = await client.applyEdit(fix.edit);
    assert.ok(changed.get(uri)?.includes('        proxy_set_header Connection "upgrade";\n'));
    const after = await client.waitForDiagnostics(uri);
    assert.ok(
      !codesOf(after.diagnostics).includes('ws-missing-connection'),
      `still reported: ${describeDiagnostics(after.diagnostics)}`,
    );
    assert.deepEqual(client.serverErrors(), []);
  });

  it('source.fixAll.nginx-ws, applied, leaves no error or warning and parses clean', async (t) => {
    const dir = workspace(t, 'several-broken');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    const before = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    assert.ok(
      before.diagnostics.filter(severe).length >= 4,
      `the fixture should start broken: ${describeDiagnostics(before.diagnostics)}`,
    );

    const whole: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const actions = await client.codeActions(uri, whole, { only: [FIX_ALL_KIND], triggerKind: 2 });
    assert.equal(actions.length, 1, `fix-on-save asks only for ${FIX_ALL_KIND}: ${titles(actions)}`);
    const fixAll = actions[0] as CodeAction;
    assert.equal(fixAll.kind, FIX_ALL_KIND);
    // The same edits as a pure application gives: checks the harness's incremental changes too.
    const expectedText = applyWorkspaceEdit(new Map([[uri, client.document(uri).text]]), fixAll.edit ?? {}).get(uri);

    const changed = await client.applyEdit(fixAll.edit ?? {});
    assert.equal(changed.get(uri), expectedText);
    const after = await client.waitForDiagnostics(uri);
    assert.deepEqual(
      after.diagnostics.filter(severe),
      [],
      `left after fix-all: ${describeDiagnostics(after.diagnostics)}`,
    );
    assert.ok(
      !after.diagnostics.some((diagnostic) => !String(diagnostic.code).startsWith('ws-')),
      'the fixed text parses clean',
    );
    const again = await client.codeActions(uri, whole, { only: [FIX_ALL_KIND], triggerKind: 2 });
    assert.deepEqual(again, [], 'nothing left to fix');
  });

  it('source.fixAll.nginx-ws clears a location whose Upgrade and Connection values are both swapped', async (t) => {
    const dir = workspace(t, 'both-swapped');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    await client.waitForDiagnostics(uri, (list) => list.length > 0);
    const whole: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const [fixAll] = await client.codeActions(uri, whole, { only: [FIX_ALL_KIND] });
    assert.ok(fixAll?.edit, 'no fix-all action');
    await client.applyEdit(fixAll.edit);
    const after = await client.waitForDiagnostics(uri);
    assert.deepEqual(
      after.diagnostics.filter(severe),
      [],
      `left after one fix-all: ${describeDiagnostics(after.diagnostics)}`,
    );
  });

  it('"Enable WebSocket proxying here" is offered on a plain proxy location, which has no diagnostics', async (t) => {
    const dir = workspace(t, 'one-broken-location');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    const text = client.document(uri).text;
    const { diagnostics } = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    const plain = blockLines(text, 'location / {');
    const inPlain = diagnostics.filter(
      (diagnostic) => diagnostic.range.start.line >= plain.first && diagnostic.range.start.line <= plain.last,
    );
    assert.deepEqual(inPlain, [], 'a plain HTTP proxy gets no diagnostic');

    const at = rangeOf(text, 'location / {');
    const refactors = await client.codeActions(uri, at, { only: ['refactor.rewrite'] });
    const enable = refactors.find((action) => action.title.includes('Enable WebSocket proxying here'));
    assert.ok(enable?.edit, `no "Enable WebSocket proxying here" among: ${titles(refactors)}`);
    assert.equal(enable.kind, 'refactor.rewrite');
    const unfiltered = await client.codeActions(uri, at);
    assert.ok(
      unfiltered.some((action) => action.title === enable.title),
      'offered when the client asks for every kind, too',
    );
    const onStatic = await client.codeActions(uri, rangeOf(text, 'location /static/ {'), {
      only: ['refactor.rewrite'],
    });
    assert.deepEqual(onStatic, [], 'a location that does not proxy is not offered it');

    await client.applyEdit(enable.edit);
    const after = await client.waitForDiagnostics(uri);
    const nowText = client.document(uri).text;
    const enabled = blockLines(nowText, 'location / {');
    const block = nowText
      .split('\n')
      .slice(enabled.first, enabled.last + 1)
      .join('\n');
    assert.match(block, /proxy_set_header Upgrade \$http_upgrade;/);
    assert.match(block, /proxy_http_version 1\.1;/);
    const inEnabled = after.diagnostics.filter(
      (diagnostic) => diagnostic.range.start.line >= enabled.first && diagnostic.range.start.line <= enabled.last,
    );
    assert.deepEqual(
      inEnabled.filter(severe),
      [],
      `the enabled location is complete: ${describeDiagnostics(inEnabled)}`,
    );
  });
});

describe('language server over stdio: editing and settings', () => {
  it('typing inside values and lines: after each edit the diagnostics are those of a fresh open of the same text', async (t) => {
    // The server answers such edits from its findings before them (rules/afterEdit.ts, parser/reparse.ts):
    // a value a location reads (its read timeout, Connection, path), one no rule reads (add_header), one
    // the whole file reads (the map's value), and lines added to and removed from a location.
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'nginx-ws-protocol-typing-')));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'nginx.conf');
    const server = (connection: string, timeout: string): string =>
      `    server {\n        listen 127.0.0.1:80;\n        add_header X-Site a;\n        location /ws/ {\n            proxy_pass http://app;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection ${connection};\n            proxy_read_timeout ${timeout};\n        }\n    }\n`;
    const text =
      "events {}\nhttp {\n    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n    upstream app { server 127.0.0.1:1; }\n" +
      server('$connection_upgrade', '3600s') +
      server('close', '30s') +
      server('$connection_upgrade', '60s') +
      '}\n';
    writeFileSync(file, text);
    const client = await start(t, dir);
    const uri = await client.open(file, text);
    await client.waitForDiagnostics(uri, (list) => list.length > 0);
    const describeAll = (list: readonly Diagnostic[]): string[] =>
      list
        .map((d) =>
          JSON.stringify([d.code, d.severity, d.message, d.range, d.relatedInformation ?? [], d.data ?? null]),
        )
        .sort();
    const typing: [string, string][] = [
      ['proxy_read_timeout 30s', 'proxy_read_timeout 3s'],
      ['proxy_read_timeout 3s', 'proxy_read_timeout 3600s'],
      ['Connection close', 'Connection clos'],
      ['Connection clos', 'Connection upgrade'],
      ['add_header X-Site a', 'add_header X-Site abc'],
      ['location /ws/', 'location /w/'],
      ['default upgrade', 'default upgrad'],
      ['default upgrad', 'default upgrade'],
      // Lines added and removed inside a location: its body parsed again, its findings judged again.
      ['proxy_read_timeout 3600s;', 'proxy_read_timeout 3600s;\n            proxy_set_header Connection close;'],
      ['proxy_set_header Connection close;', ''],
      [
        'location /w/ {',
        'location /w/ {\n            location /w/inner/ { proxy_pass http://app; proxy_set_header Upgrade $http_upgrade; }',
      ],
    ];
    for (const [from, to] of typing) {
      const current = client.document(uri).text;
      const offset = current.indexOf(from);
      assert.ok(offset >= 0, from);
      const lines = current.slice(0, offset).split('\n');
      const line = lines.length - 1;
      const character = (lines[line] as string).length;
      await client.edit(uri, [
        { range: { start: { line, character }, end: { line, character: character + from.length } }, newText: to },
      ]);
      const edited = await client.waitForDiagnostics(uri);
      const fresh = await start(t, dir);
      const freshUri = await fresh.open(file, client.document(uri).text);
      const expected = await fresh.waitForDiagnostics(freshUri, (list) => list.length > 0);
      assert.deepEqual(describeAll(edited.diagnostics), describeAll(expected.diagnostics), `after "${to}"`);
    }
    assert.deepEqual(client.serverErrors(), []);
  });

  it('a file taken for nginx by its name that does not read as nginx (Apache) gets one note; edited into nginx, its findings', async (t) => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'nginx-ws-protocol-apache-')));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'sites-available', '000-default.conf');
    mkdirSync(path.dirname(file));
    const apache =
      '<VirtualHost *:80>\n\tServerName example.test\n\tProxyPass /ws/ ws://127.0.0.1:3000/\n</VirtualHost>\n';
    writeFileSync(file, apache);
    const client = await start(t, dir);
    const uri = await client.open(file);
    const { diagnostics } = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    assert.equal(diagnostics.length, 1, describeDiagnostics(diagnostics));
    const [note] = diagnostics;
    assert.equal(note?.severity, DiagnosticSeverity.Information);
    assert.match(messageOf(note as Diagnostic), /^This file does not read as nginx configuration/);
    assert.equal(textAt(apache, (note as Diagnostic).range), '<VirtualHost *:80>');

    // The same file as nginx: a fragment (no nginx.conf around it), so the WebSocket mistakes are warnings.
    const nginx =
      'server {\n    location /ws/ {\n        proxy_pass http://127.0.0.1:3000;\n        proxy_set_header Upgrade $http_upgrade;\n    }\n}\n';
    await client.edit(uri, [
      { range: { start: { line: 0, character: 0 }, end: { line: 4, character: 0 } }, newText: nginx },
    ]);
    const after = await client.waitForDiagnostics(uri, (list) =>
      list.some((diagnostic) => diagnostic.code !== undefined),
    );
    assert.deepEqual(codesOf(after.diagnostics.filter(severe)).sort(), ['ws-http-version', 'ws-missing-connection']);
  });

  it('after a parse error is fixed by an edit, only the rule findings remain', async (t) => {
    const dir = workspace(t, 'parse-error');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    const { diagnostics } = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    const parseError = withCode(diagnostics, 'missing-semicolon');
    assert.equal(parseError.severity, DiagnosticSeverity.Error);
    await client.edit(uri, [{ range: { start: parseError.range.end, end: parseError.range.end }, newText: ';' }]);
    const after = await client.waitForDiagnostics(uri);
    assert.deepEqual(codesOf(after.diagnostics).sort(), ['ws-http-version', 'ws-missing-connection']);
  });

  it('an included file that is not open changes on disk: didChangeWatchedFiles revalidates the document', async (t) => {
    const dir = workspace(t, 'included-snippet');
    const client = await start(t, dir);
    const snippet = path.join(dir, 'snippets', 'websocket.conf');
    const uri = await client.open(path.join(dir, 'conf.d', 'app.conf'));
    const first = await client.waitForDiagnostics(uri);
    assert.deepEqual(first.diagnostics, [], 'the snippet supplies every WebSocket line');

    await client.waitFor(() => (client.isWatched(snippet) ? true : undefined), `a file watcher covering ${snippet}`);
    // One RelativePattern per folder the analysis read: the main config's, conf.d and snippets.
    const watched = client
      .fileWatchers()
      .map((watcher) =>
        typeof watcher.globPattern === 'string'
          ? watcher.globPattern
          : [
              fileOf(
                typeof watcher.globPattern.baseUri === 'string'
                  ? watcher.globPattern.baseUri
                  : watcher.globPattern.baseUri.uri,
              ),
              watcher.globPattern.pattern,
            ],
      )
      .sort();
    assert.deepEqual(
      watched,
      [
        [dir, '*'],
        [path.join(dir, 'conf.d'), '*'],
        [path.join(dir, 'snippets'), '*'],
      ].sort(),
    );

    const original = readFileSync(snippet, 'utf8');
    writeFileSync(snippet, original.replace('proxy_set_header Upgrade $http_upgrade;\n', ''));
    let mark = client.mark();
    await client.notifyFileChanged(snippet);
    const broken = await client.waitForDiagnostics(uri, (list) => list.length > 0, { since: mark });
    assert.deepEqual(codesOf(broken.diagnostics), ['ws-missing-upgrade']);
    assert.equal(withCode(broken.diagnostics, 'ws-missing-upgrade').severity, DiagnosticSeverity.Error);

    writeFileSync(snippet, original);
    mark = client.mark();
    await client.notifyFileChanged(snippet);
    const repaired = await client.waitForDiagnostics(uri, (list) => list.length === 0, { since: mark });
    assert.deepEqual(repaired.diagnostics, []);
  });

  it('a file read through a symlink (sites-enabled/maps -> sites-available/maps) changes on disk: its folder is watched and the document sees the new text', async (t) => {
    const dir = debianLayout(
      t,
      { maps: "map $http_upgrade $connection_upgrade {\n    default upgrade;\n    '' close;\n}\n" },
      {
        'ws.conf': wsServer([
          'proxy_http_version 1.1;',
          'proxy_set_header Upgrade $http_upgrade;',
          'proxy_set_header Connection $connection_upgrade;',
          'proxy_read_timeout 3600s;',
        ]),
      },
    );
    const maps = path.join(dir, 'sites-available', 'maps');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'conf.d', 'ws.conf'));
    const first = await client.waitForDiagnostics(uri);
    assert.deepEqual(first.diagnostics, [], 'the map is read through the symlink');

    // An editor's watcher reports the change at the file's own path, not at the symlink's.
    await client.waitFor(() => (client.isWatched(maps) ? true : undefined), `a file watcher covering ${maps}`);
    writeFileSync(maps, '# the map moved elsewhere\n');
    const mark = client.mark();
    await client.notifyFileChanged(maps);
    const broken = await client.waitForDiagnostics(uri, (list) => list.length > 0, { since: mark });
    assert.deepEqual(codesOf(broken.diagnostics), ['ws-undefined-variable']);
    assert.deepEqual(client.serverErrors(), []);
  });

  it('a file appears in, then leaves, a folder an include glob points into that had no match: the document is revalidated both times', async (t) => {
    const dir = workspace(t, 'empty-include-folder');
    mkdirSync(path.join(dir, 'maps'));
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    const first = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    assert.deepEqual(codesOf(first.diagnostics), ['ws-undefined-variable']);

    // Nothing was read from maps/, yet it is watched: that is where the missing map would come from.
    const mapFile = path.join(dir, 'maps', 'upgrade.conf');
    await client.waitFor(
      () => (client.isWatched(mapFile, WatchKind.Create) ? true : undefined),
      `a watcher for ${mapFile}`,
    );
    writeFileSync(mapFile, "map $http_upgrade $connection_upgrade {\n    default upgrade;\n    '' close;\n}\n");
    let mark = client.mark();
    await client.notifyFileChanged(mapFile, FileChangeType.Created);
    const fixed = await client.waitForDiagnostics(uri, (list) => list.length === 0, { since: mark });
    assert.deepEqual(fixed.diagnostics, []);

    rmSync(mapFile);
    mark = client.mark();
    await client.notifyFileChanged(mapFile, FileChangeType.Deleted);
    const again = await client.waitForDiagnostics(uri, (list) => list.length > 0, { since: mark });
    assert.deepEqual(codesOf(again.diagnostics), ['ws-undefined-variable']);
  });

  it('an included file open in the editor: didChange on it revalidates the document that includes it; closing it unsaved reverts to disk', async (t) => {
    const dir = workspace(t, 'included-snippet');
    const client = await start(t, dir);
    const snippet = path.join(dir, 'snippets', 'websocket.conf');
    const appUri = await client.open(path.join(dir, 'conf.d', 'app.conf'));
    await client.waitForDiagnostics(appUri);
    const snippetUri = await client.open(snippet);
    await client.waitForDiagnostics(snippetUri);

    let mark = client.mark();
    await client.replaceText(
      snippetUri,
      client.document(snippetUri).text.replace('proxy_set_header Upgrade $http_upgrade;\n', ''),
    );
    const broken = await client.waitForDiagnostics(appUri, (list) => list.length > 0, { since: mark });
    assert.deepEqual(codesOf(broken.diagnostics), ['ws-missing-upgrade']);

    mark = client.mark();
    await client.close(snippetUri);
    const reverted = await client.waitForDiagnostics(appUri, (list) => list.length === 0, { since: mark });
    assert.deepEqual(reverted.diagnostics, [], 'the file on disk still has the Upgrade line');
  });

  it('nginxWs.nginxVersion "1.29.7" drops the missing proxy_http_version finding, not the explicit HTTP/1.0 one', async (t) => {
    const dir = workspace(t, 'version-dependent');
    const client = await start(t, dir, { nginxVersion: '1.22.1' });
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    const text = client.document(uri).text;
    const before = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    assert.deepEqual(
      before.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.range.start.line]),
      [
        ['ws-http-version', lineOf(text, 'location /ws/')],
        ['ws-http-version', lineOf(text, 'proxy_http_version 1.0;')],
      ],
    );
    assert.ok(
      client.configurationItems.some((item) => item.scopeUri === uri && item.section === 'nginxWs'),
      'settings are pulled per document',
    );

    const requests = client.configurationRequests;
    await client.updateSettings({ nginxVersion: '1.29.7' });
    const after = await client.waitForDiagnostics(uri, (list) => list.length === 1);
    assert.deepEqual(
      after.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.range.start.line]),
      [['ws-http-version', lineOf(text, 'proxy_http_version 1.0;')]],
    );
    assert.ok(client.configurationRequests > requests, 'the server pulled the settings again');
    await client.waitFor(
      () => (client.codeLensRefreshes > 0 ? true : undefined),
      'a workspace/codeLens/refresh request',
    );
  });

  it('nginxWs.severity overrides a rule\'s severity, and "off" silences it', async (t) => {
    const dir = workspace(t, 'one-broken-location');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    const before = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    assert.equal(withCode(before.diagnostics, 'ws-missing-connection').severity, DiagnosticSeverity.Error);

    await client.updateSettings({ ...SETTINGS, severity: { 'ws-missing-connection': 'hint' } });
    const lowered = await client.waitForDiagnostics(uri, (list) =>
      list.some(
        (diagnostic) => diagnostic.code === 'ws-missing-connection' && diagnostic.severity === DiagnosticSeverity.Hint,
      ),
    );
    assert.equal(
      withCode(lowered.diagnostics, 'ws-http-version').severity,
      DiagnosticSeverity.Error,
      'other rules keep theirs',
    );

    await client.updateSettings({
      ...SETTINGS,
      severity: { 'ws-missing-connection': 'off', 'ws-read-timeout': 'off' },
    });
    const silenced = await client.waitForDiagnostics(uri, (list) => list.length === 1);
    assert.deepEqual(codesOf(silenced.diagnostics), ['ws-http-version']);
  });

  it('nginxWs.nginxVersion "auto" asks the nginx installed here', async (t) => {
    const probe = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
    const version = /nginx\/(\d+\.\d+\.\d+)/.exec(`${probe.stderr ?? ''}${probe.stdout ?? ''}`)?.[1];
    if (probe.error || !version) {
      t.skip('no nginx on PATH');
      return;
    }
    const dir = workspace(t, 'one-broken-location');
    const client = await start(t, dir, { nginxVersion: 'auto' });
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    const { diagnostics } = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
    const defaultsToHttp11 = major > 1 || (major === 1 && (minor > 29 || (minor === 29 && patch >= 7)));
    if (defaultsToHttp11) assert.ok(!codesOf(diagnostics).includes('ws-http-version'));
    else
      assert.match(
        messageOf(withCode(diagnostics, 'ws-http-version')),
        new RegExp(`nginx ${version.replace(/\./g, '\\.')} speaks HTTP/1\\.0`),
      );
  });

  it('# nginx-ws-disable-next-line silences the next line: one code, or every code', async (t) => {
    const dir = workspace(t, 'one-broken-location');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    await client.waitForDiagnostics(uri, (list) => list.length === 3);
    const header = lineOf(client.document(uri).text, 'location /ws/');

    const at = { line: header, character: 0 };
    await client.edit(uri, [
      { range: { start: at, end: at }, newText: '        # nginx-ws-disable-next-line ws-missing-connection\n' },
    ]);
    const one = await client.waitForDiagnostics(uri);
    assert.deepEqual(codesOf(one.diagnostics).sort(), ['ws-http-version', 'ws-read-timeout']);
    assert.ok(
      one.diagnostics.every((diagnostic) => diagnostic.range.start.line === header + 1),
      'the findings moved down with the location',
    );

    const comment = rangeOf(client.document(uri).text, '# nginx-ws-disable-next-line ws-missing-connection');
    await client.edit(uri, [{ range: comment, newText: '# nginx-ws-disable-next-line' }]);
    const all = await client.waitForDiagnostics(uri);
    assert.deepEqual(all.diagnostics, []);
  });

  it('CodeLens "Test WebSocket proxy" sits on each proxied location, and nginxWs.codeLens false removes them', async (t) => {
    const dir = workspace(t, 'one-broken-location');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    const text = client.document(uri).text;
    const lenses = await client.codeLenses(uri);
    assert.deepEqual(
      lenses.map((lens) => [
        textAt(text, lens.range),
        lens.command?.title,
        lens.command?.command,
        lens.command?.arguments,
      ]),
      [
        ['location /', 'Test WebSocket proxy', 'nginxWs.testProxy', [uri, lineOf(text, 'location / {')]],
        ['location /ws/', 'Test WebSocket proxy', 'nginxWs.testProxy', [uri, lineOf(text, 'location /ws/ {')]],
      ],
      'one lens per location that proxies; none on /static/',
    );
    await client.updateSettings({ ...SETTINGS, codeLens: false });
    assert.deepEqual(await client.codeLenses(uri), []);
  });

  it("didClose clears the document's diagnostics and its file watchers", async (t) => {
    const dir = workspace(t, 'included-snippet');
    const client = await start(t, dir);
    const uri = await client.open(path.join(dir, 'conf.d', 'app.conf'));
    await client.replaceText(uri, client.document(uri).text.replace('include snippets/websocket.conf;', ''));
    await client.waitForDiagnostics(uri, (list) => list.length > 0);
    await client.waitFor(() => (client.fileWatchers().length > 0 ? true : undefined), 'file watchers');

    const mark = client.mark();
    await client.close(uri);
    const cleared = await client.waitForDiagnostics(uri, (list) => list.length === 0, { since: mark });
    assert.deepEqual(cleared.diagnostics, []);
    await client.waitFor(
      () => (client.fileWatchers().length === 0 ? true : undefined),
      'the watchers to go with the last open document',
    );
  });
});

describe('language server over --node-ipc', () => {
  it('initializes, publishes diagnostics, answers code actions and exits cleanly over an IPC channel', async (t) => {
    const dir = workspace(t, 'one-broken-location');
    const client = await start(t, dir, SETTINGS, { transport: 'ipc' });
    assert.equal(client.initializeResult?.serverInfo?.name, 'nginx-ws');
    const uri = await client.open(path.join(dir, 'nginx.conf'));
    const { diagnostics } = await client.waitForDiagnostics(uri, (list) => list.length > 0);
    const missing = withCode(diagnostics, 'ws-missing-connection');
    const actions = await client.codeActions(uri, missing.range, { diagnostics: [missing], only: ['quickfix'] });
    assert.ok(
      actions.some((action) => action.isPreferred),
      `no preferred fix over IPC: ${titles(actions)}`,
    );
    const pid = client.pid;
    assert.deepEqual(await client.shutdown(), { code: 0, signal: null });
    assert.equal(processExists(pid), false);
  });
});

// The nginx-ws command line, as a pipeline runs it: the bundled server/out/cli.js (npm run build).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'server', 'out', 'cli.js');
const fixtures = path.join(root, 'test', 'fixtures', 'locations');
let workDir = '';

function nginxWs(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: workDir, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(() => {
  assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
  workDir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-cli-tests-'));
  cpSync(fixtures, workDir, { recursive: true });
});
after(() => rmSync(workDir, { recursive: true, force: true }));

describe('nginx-ws check', () => {
  test('prints file:line:col: severity: message [code] and exits 1 on errors', () => {
    const result = nginxWs('check', 'dropped.conf');
    assert.equal(result.status, 1, result.stderr);
    assert.match(
      result.stdout,
      /^dropped\.conf:10:13: error: WebSocket upgrade will fail here: .* \[ws-dropped-headers\]$/m,
    );
  });

  test('reports what nginx -t rejects too, with the typo fix in JSON; --extra-directive declares a module directive', () => {
    writeFileSync(
      path.join(workDir, 'general.conf'),
      'events {}\nhttp {\n  server {\n    listen 80;\n    location / {\n      proxy_pas http://127.0.0.1:9000;\n      my_knob on;\n    }\n  }\n}\n',
    );
    const text = nginxWs('check', '--nginx-version', '1.22.1', 'general.conf');
    assert.equal(text.status, 1, text.stderr);
    assert.match(
      text.stdout,
      /^general\.conf:6:7: error: unknown directive "proxy_pas": did you mean "proxy_pass"\? \[nginx-unknown-directive\]$/m,
    );
    assert.match(text.stdout, /^general\.conf:7:7: information: unknown directive "my_knob"/m);
    const json = JSON.parse(
      nginxWs('check', '--format', 'json', '--nginx-version', '1.22.1', 'general.conf').stdout,
    ) as {
      code: string;
      line: number;
      fix?: { description: string; edits: { newText: string }[] };
    }[];
    const typo = json.find((finding) => finding.code === 'nginx-unknown-directive' && finding.line === 6);
    assert.equal(typo?.fix?.description, 'Change to proxy_pass');
    assert.equal(typo?.fix?.edits[0]?.newText, 'proxy_pass');
    const declared = nginxWs('check', '--nginx-version', '1.22.1', '--extra-directive', 'my_knob', 'general.conf');
    assert.doesNotMatch(declared.stdout, /my_knob/);
  });

  test('exits 0 when there are only warnings or notes', () => {
    const result = nginxWs('check', 'map-idiom.conf');
    assert.equal(result.status, 0, result.stdout);
  });

  test('--format json gives objects with file, 1-based line/column and end, severity, code, message', () => {
    const result = nginxWs('check', '--format', 'json', '--nginx-version', '1.22.1', 'seed.conf');
    assert.equal(result.status, 0, 'name-only evidence gives warnings');
    const findings = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      findings
        .filter((finding) => finding.severity === 'warning')
        .map((finding) => finding.code)
        .sort(),
      ['ws-http-version', 'ws-missing-connection', 'ws-missing-upgrade'],
    );
    const first = findings[0] as Record<string, unknown>;
    for (const key of ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message'])
      assert.ok(key in first, key);
    assert.equal(first.source, 'nginx-ws');
    assert.equal(first.line, 5);
    assert.equal(first.column, 9);
  });

  test('--nginx-version 1.29.7 drops only the missing proxy_http_version finding', () => {
    const result = nginxWs('check', '--format', 'json', '--nginx-version', '1.29.7', 'seed.conf');
    const findings = JSON.parse(result.stdout) as Array<{ code: string }>;
    assert.ok(!findings.some((finding) => finding.code === 'ws-http-version'));
    assert.ok(findings.some((finding) => finding.code === 'ws-missing-upgrade'));
  });

  test('--fix writes the preferred fixes; the file then checks clean', () => {
    const copy = path.join(workDir, 'fix-me.conf');
    cpSync(path.join(workDir, 'dropped.conf'), copy);
    const result = nginxWs('check', '--fix', 'fix-me.conf');
    assert.equal(result.status, 0, result.stdout);
    assert.match(
      readFileSync(copy, 'utf8'),
      /proxy_set_header Upgrade \$http_upgrade;\n\s+proxy_set_header Connection "upgrade";\n\s+proxy_set_header Host \$host;/,
    );
  });

  test('a parse error is an error finding with its code', () => {
    const broken = path.join(workDir, 'broken-syntax.conf');
    cpSync(path.join(workDir, 'seed.conf'), broken);
    const text = readFileSync(broken, 'utf8').replace(
      'proxy_pass http://127.0.0.1:9000;',
      'proxy_pass http://127.0.0.1:9000',
    );
    writeFileSync(broken, text);
    const result = nginxWs('check', 'broken-syntax.conf');
    assert.equal(result.status, 1);
    assert.match(result.stdout, /\[missing-semicolon\]/);
  });

  test('usage errors exit 2 with a message', () => {
    assert.equal(nginxWs('check').status, 2);
    assert.equal(nginxWs('check', '--format', 'xml', 'seed.conf').status, 2);
    assert.equal(nginxWs('frobnicate').status, 2);
    assert.match(nginxWs('check', '--bogus', 'seed.conf').stderr, /Usage:/);
  });

  test('--version prints the package version; --help, for a command too, the usage with exit 0', () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    assert.deepEqual(nginxWs('--version'), { status: 0, stdout: `nginx-ws ${version}\n`, stderr: '' });
    for (const args of [['--help'], ['check', '--help'], ['test', '-h']]) {
      const result = nginxWs(...args);
      assert.equal(result.status, 0, args.join(' '));
      assert.match(result.stdout, /^Usage:\n {2}nginx-ws --version \| --help\n {2}nginx-ws check FILE/);
    }
  });
});

describe('nginx-ws test', () => {
  test('a broken location fails: exit 1, and --json says status, what the backend saw and the diagnosis', () => {
    const result = nginxWs('test', 'seed.conf', '--location', '/ws', '--json');
    assert.equal(result.status, 1, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as {
      result: string;
      status: number;
      backendSaw: { httpVersion: string; upgrade: string | null };
      diagnosis: Array<{ code: string; fix: string | null }>;
    };
    assert.equal(report.result, 'failed');
    assert.equal(report.status, 426);
    assert.equal(report.backendSaw.httpVersion, '1.0');
    assert.ok(report.diagnosis.some((entry) => entry.code === 'ws-missing-upgrade'));
    // The fix to apply, as the editor's quick fix would (issue #11).
    assert.match(report.diagnosis.find((entry) => entry.code === 'ws-missing-upgrade')?.fix ?? '', /Upgrade/);
    const text = nginxWs('test', 'seed.conf', '--location', '/ws');
    assert.match(text.stdout, /^Fix to apply \(nginx-ws check --fix writes it\):\n {2}\S/m);
  });

  test('a working location passes: exit 0 with the echo', () => {
    const result = nginxWs('test', 'map-idiom.conf', '--location', '/socket.io/');
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Result: PASSED/);
    assert.match(result.stdout, /Echo: sent "(.+)", received "\1"/);
  });

  test("a site enabled by a symlink (Debian's layout), tested at sites-available/app: every line it names is in that file", () => {
    const dir = mkdtempSync(path.join(workDir, 'symlinked-'));
    mkdirSync(path.join(dir, 'sites-available'));
    mkdirSync(path.join(dir, 'sites-enabled'));
    writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\nhttp {\n    include sites-enabled/*;\n}\n');
    writeFileSync(
      path.join(dir, 'sites-available', 'app'),
      'server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:3000;\n        proxy_set_header Upgrade $http_upgrade;\n    }\n}\n',
    );
    symlinkSync(path.join('..', 'sites-available', 'app'), path.join(dir, 'sites-enabled', 'app'));
    const site = path.join(dir, 'sites-available', 'app');
    const result = nginxWs('test', site, '--location', '/ws/');
    assert.equal(result.status, 1, result.stdout + result.stderr);
    // The backend saw HTTP/1.0 and Connection: close: the two errors, each with its fix, at the site's lines.
    assert.match(result.stdout, new RegExp(`^Test WebSocket proxy: location /ws/ \\(${site}:3\\)$`, 'm'));
    assert.match(result.stdout, new RegExp(`^ {2}\\[ws-http-version\\] error at ${site}:3: `, 'm'));
    assert.match(result.stdout, new RegExp(`^ {2}\\[ws-missing-connection\\] error at ${site}:3: `, 'm'));
    assert.match(
      result.stdout,
      new RegExp(`^ {2}Add "proxy_http_version 1\\.1;" \\(ws-http-version, ${site}:4\\)$`, 'm'),
    );
    assert.doesNotMatch(result.stdout, /sites-enabled/);
  });

  test('an unknown location, a missing file, a missing nginx: exit 2 with what to do', () => {
    const unknown = nginxWs('test', 'seed.conf', '--location', '/nope');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /Proxied locations:\n {2}location \/ws/);
    const missing = nginxWs('test', 'missing.conf', '--location', '/ws');
    assert.equal(missing.status, 2);
    // What to do is in the message; the usage, there for a mistyped command line, is not.
    for (const result of [unknown, missing]) assert.doesNotMatch(result.stderr, /Usage:/);
    const noNginx = nginxWs('test', 'seed.conf', '--location', '/ws', '--nginx', '/nonexistent/nginx');
    assert.equal(noNginx.status, 2);
    assert.match(noNginx.stdout, /install/i);
  });
});

// "Test WebSocket proxy" end to end below the editor: the user's config → the test config → a real
// nginx (Debian's) and a real ws backend → the report, and the quick fix closing the loop.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { applyEdits } from '../../server/src/core/fixes/apply';
import { fixAllEdits } from '../../server/src/core/fixes/fixes';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import { NodeFileSystem } from '../../server/src/node/nodeFileSystem';
import { chooseLocation, testLocation, type LocationTestReport } from '../../server/src/proxytest/testLocation';

const fixtures = path.join(__dirname, '..', 'fixtures', 'locations');
let workDir = '';

before(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-location-tests-'));
  cpSync(fixtures, workDir, { recursive: true });
});
after(() => rmSync(workDir, { recursive: true, force: true }));

async function run(relativeFile: string, locationPath: string): Promise<LocationTestReport> {
  const file = path.join(workDir, relativeFile);
  const { analysis, choice, choices } = chooseLocation(
    file,
    new NodeFileSystem(),
    { workspaceFolders: [workDir] },
    { locationPath },
  );
  assert.ok(choice, `no location ${locationPath} among ${choices.map((entry) => entry.label).join(', ')}`);
  return testLocation({ choice, analysis, nginxPath: 'nginx', timeoutMs: 15_000, webSocketPaths: [], severity: {} });
}

function codes(report: LocationTestReport): string[] {
  return report.findings.filter((finding) => finding.severity !== 'information').map((finding) => finding.code);
}

describe('Test WebSocket proxy against a real nginx', () => {
  test('seed: only proxy_pass → 426 from the backend, which saw HTTP/1.0 and no Upgrade; the fix makes it pass', async () => {
    const report = await run('seed.conf', '/ws');
    assert.equal(report.outcome.kind, 'failed', report.details.join('\n'));
    assert.equal(report.outcome.handshake?.status, 426);
    assert.equal(report.outcome.backendSaw?.httpVersion, '1.0');
    assert.equal(report.outcome.backendSaw?.upgrade, null);
    assert.deepEqual(codes(report).sort(), ['ws-http-version', 'ws-missing-connection', 'ws-missing-upgrade']);
    assert.match(report.details.join('\n'), /Why: nginx spoke HTTP\/1\.0 .*Upgrade header was not passed on/);

    // The quick fix the editor offers, applied to the same file.
    const file = path.join(workDir, 'seed.conf');
    const { analysis } = chooseLocation(file, new NodeFileSystem(), {}, { locationPath: '/ws' });
    const edits = fixAllEdits(report.findings, analysis, parseNginxVersion(report.outcome.nginxVersion ?? ''));
    writeFileSync(file, applyEdits(readFileSync(file, 'utf8'), edits));
    const fixed = await run('seed.conf', '/ws');
    assert.equal(fixed.outcome.kind, 'passed', fixed.details.join('\n'));
    assert.equal(fixed.outcome.handshake?.status, 101);
    assert.equal(fixed.outcome.handshake?.echo?.received, fixed.outcome.handshake?.echo?.sent);
    assert.equal(fixed.outcome.backendSaw?.httpVersion, '1.1');
  });

  test('inherited headers dropped by a local proxy_set_header → fails, and the diagnosis points at that line', async () => {
    const report = await run('dropped.conf', '/live');
    assert.equal(report.outcome.kind, 'failed', report.details.join('\n'));
    assert.equal(report.outcome.backendSaw?.upgrade, null);
    const dropped = report.findings.find((finding) => finding.code === 'ws-dropped-headers');
    assert.ok(dropped, 'ws-dropped-headers explains it');
    assert.equal(dropped.range.start.line, 9, 'the local proxy_set_header Host line');
  });

  test('the map idiom with its map → passes', async () => {
    const report = await run('map-idiom.conf', '/socket.io/');
    assert.equal(report.outcome.kind, 'passed', report.details.join('\n'));
    assert.match(report.outcome.configText ?? '', /map \$http_upgrade \$connection_upgrade/);
  });

  test('proxy_http_version 1.0 → fails: the strict backend refuses an HTTP/1.0 handshake', async () => {
    const report = await run('http10.conf', '/ws');
    assert.equal(report.outcome.kind, 'failed', report.details.join('\n'));
    assert.equal(report.outcome.backendSaw?.httpVersion, '1.0');
    assert.equal(report.outcome.handshake?.status, 400);
    assert.deepEqual(codes(report), ['ws-http-version']);
  });

  test('an upstream block (with TLS server directives left out) → passes, regex location reached by a generated path', async () => {
    const report = await run('upstream.conf', '~ ^/chat/(room|lobby)/ws$');
    assert.equal(report.outcome.kind, 'passed', report.details.join('\n'));
    assert.equal(report.requestPath, '/chat/room/ws');
    assert.match(
      report.outcome.configText ?? '',
      /upstream chat_backend \{\n\s+server 127\.0\.0\.1:\d+;\n\s+keepalive 16;/,
    );
    assert.doesNotMatch(report.outcome.configText ?? '', /ssl_certificate|10\.0\.0\.5/);
  });

  test('a named location is reached through try_files → passes', async () => {
    const report = await run('named.conf', '@app');
    assert.equal(report.outcome.kind, 'passed', report.details.join('\n'));
  });

  test('a location in an included file, inheriting from the main config and its server → passes', async () => {
    const report = await run(path.join('included', 'conf.d', 'app.conf'), '/updates');
    assert.equal(report.outcome.kind, 'passed', report.details.join('\n'));
    assert.equal(report.outcome.backendSaw?.url, '/events', 'the URI part of proxy_pass is kept');
    const lines = report.outcome.configText?.split('\n') ?? [];
    const versionLine = lines.findIndex((line) => line.trim() === 'proxy_http_version 1.1;');
    assert.ok(versionLine >= 0, 'the http-level proxy_http_version is copied');
  });

  test('a config error is mapped back to the user file and line', async () => {
    const file = path.join(workDir, 'broken.conf');
    writeFileSync(
      file,
      'events {}\nhttp {\n    server {\n        location /ws {\n            proxy_pass http://127.0.0.1:9000;\n            proxy_buffer_size 4q;\n        }\n    }\n}\n',
    );
    const report = await run('broken.conf', '/ws');
    assert.equal(report.outcome.kind, 'config-error', report.details.join('\n'));
    const mapped = report.nginxErrors.find((error) => error.source);
    assert.equal(mapped?.source?.file, file);
    assert.equal(mapped?.source?.line, 5);
  });

  test('a missing nginx → environment error that says how to install it', async () => {
    const file = path.join(workDir, 'seed.conf');
    const { analysis, choice } = chooseLocation(file, new NodeFileSystem(), {}, { locationPath: '/ws' });
    assert.ok(choice);
    const report = await testLocation({
      choice,
      analysis,
      nginxPath: '/nonexistent/nginx',
      timeoutMs: 5000,
      webSocketPaths: [],
      severity: {},
    });
    assert.equal(report.outcome.kind, 'environment-error');
    assert.match(report.summary, /apt-get install nginx/);
  });
});

describe('Test WebSocket proxy reproduces the levels a location inherits (issue #11)', () => {
  test('a conf.d fragment whose three lines stand at its top (http level) passes, as it does in nginx', async () => {
    writeFileSync(
      path.join(workDir, 'top-level.conf'),
      [
        'proxy_http_version 1.1;',
        'proxy_set_header Upgrade $http_upgrade;',
        'proxy_set_header Connection "upgrade";',
        '',
        'server {',
        '    listen 80;',
        '    location /ws/ {',
        '        proxy_pass http://127.0.0.1:9000;',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
    const report = await run('top-level.conf', '/ws/');
    assert.equal(report.outcome.kind, 'passed', report.details.join('\n'));
    assert.equal(report.outcome.handshake?.status, 101);
  });

  test('a variable set in another block is declared for the test, and the report says so', async () => {
    writeFileSync(
      path.join(workDir, 'set-elsewhere.conf'),
      [
        'server {',
        '    listen 80;',
        '    location /other/ {',
        '        set $ws_upgrade $http_upgrade;',
        '        proxy_pass http://127.0.0.1:9001;',
        '    }',
        '    location /ws/ {',
        '        proxy_pass http://127.0.0.1:9000;',
        '        proxy_http_version 1.1;',
        '        proxy_set_header Upgrade $http_upgrade;',
        '        proxy_set_header Connection "upgrade";',
        '        proxy_set_header X-Seen $ws_upgrade;',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
    const report = await run('set-elsewhere.conf', '/ws/');
    assert.equal(report.outcome.kind, 'passed', report.details.join('\n'));
    assert.ok(
      report.rewrites.some((line) => /\$ws_upgrade is set by "set" elsewhere/.test(line)),
      report.rewrites.join('\n'),
    );
  });

  test('a location with no sign of a WebSocket, tested, is explained by the rules', async () => {
    writeFileSync(
      path.join(workDir, 'plain.conf'),
      'server {\n    listen 80;\n    location /app/ {\n        proxy_pass http://127.0.0.1:9000;\n    }\n}\n',
    );
    const report = await run('plain.conf', '/app/');
    assert.equal(report.outcome.kind, 'failed');
    assert.deepEqual(codes(report).sort(), ['ws-http-version', 'ws-missing-connection', 'ws-missing-upgrade']);
  });
});

describe('Test WebSocket proxy on templates and incomplete configs (issue #11)', () => {
  const template = [
    'server {',
    '    listen ${NGINX_PORT};',
    '    server_name ${DOMAIN};',
    '    include snippets/missing-headers.conf;',
    '    location /ws/ {',
    '        proxy_pass http://${APP_HOST}:${APP_PORT};',
    '        proxy_http_version 1.1;',
    '        proxy_set_header Upgrade $http_upgrade;',
    '        proxy_set_header Connection "upgrade";',
    '        proxy_read_timeout ${WS_TIMEOUT};',
    '        proxy_set_header X-App ${APP_NAME};',
    '    }',
    '}',
    '',
  ].join('\n');

  test('never starts nginx with a literal ${...}; names what it substituted and the missing include before the verdict', async () => {
    writeFileSync(path.join(workDir, 'app.conf.template'), template);
    const file = path.join(workDir, 'app.conf.template');
    const { analysis, choice } = chooseLocation(
      file,
      new NodeFileSystem(),
      { workspaceFolders: [workDir] },
      { locationPath: '/ws/' },
    );
    assert.ok(choice);
    const report = await testLocation({
      choice,
      analysis,
      nginxPath: 'nginx',
      timeoutMs: 15_000,
      webSocketPaths: [],
      severity: {},
      templateValues: { WS_TIMEOUT: '120s' },
    });
    assert.equal(report.outcome.kind, 'passed', report.details.join('\n'));
    assert.deepEqual(
      report.placeholders.map((entry) => `${entry.name}=${entry.value}:${entry.source}`),
      // proxy_pass, listen and server_name are replaced by the test's own: only what it copies counts.
      ['WS_TIMEOUT=120s:given', 'APP_NAME=localhost:unset'],
    );
    const details = report.details.join('\n');
    const verdict = details.indexOf('Result:');
    assert.ok(
      details.indexOf('Template placeholder ${WS_TIMEOUT} = "120s" (as given)') >= 0 &&
        details.indexOf('Template placeholder ${WS_TIMEOUT}') < verdict,
      details,
    );
    assert.ok(details.indexOf('Template placeholder ${APP_NAME} is unset') < verdict);
    assert.ok(
      details.indexOf('Include not resolved:') >= 0 && details.indexOf('Include not resolved:') < verdict,
      details,
    );
    assert.equal(report.unresolvedIncludes.length, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildTestConfig, rewriteProxyPass, samplePathForRegex } from '../../server/src/proxytest/buildConfig';
import { analyzeFile } from '../../server/src/core/model/workspace';
import { MemoryFileSystem } from '../helpers/fileSystems';

describe('samplePathForRegex: a request path a location regex matches', () => {
  const cases: Array<[pattern: string, caseInsensitive: boolean, expected: string | undefined]> = [
    ['^/chat/(room|lobby)/ws$', false, '/chat/room/ws'],
    ['^/socket\\.io/', false, '/socket.io/'],
    ['(/jellyfin)?/socket', true, '/socket'],
    ['^/api/[1-9]\\d*/stream$', false, '/api/1/stream'],
    ['^/(?<tenant>[a-z]+)/ws$', false, '/a/ws'],
    ['^/ws/.+$', false, '/ws/x'],
    ['\\.php$', false, '/.php'],
  ];
  for (const [pattern, caseInsensitive, expected] of cases) {
    test(`${pattern} → ${String(expected)}`, () => {
      const sample = samplePathForRegex(pattern, caseInsensitive);
      assert.equal(sample, expected);
      if (sample) assert.ok(new RegExp(pattern.replace('(?<', '(?<'), caseInsensitive ? 'i' : '').test(sample));
    });
  }
  test('an unsupported construct gives undefined rather than a path that does not match', () => {
    assert.equal(samplePathForRegex('^/(?!admin)x$', false), undefined);
  });
});

describe('rewriteProxyPass: aimed at the backend, URI kept', () => {
  const backend = '127.0.0.1:5000';
  const upstreams = new Set(['app']);
  const cases: Array<[value: string, expected: string, note: RegExp | undefined]> = [
    ['http://10.0.0.1:9000', 'http://127.0.0.1:5000', undefined],
    ['http://10.0.0.1:9000/socket/', 'http://127.0.0.1:5000/socket/', undefined],
    ['http://app', 'http://app', undefined],
    ['http://app/ws', 'http://app/ws', undefined],
    ['https://secure.example:8443/ws', 'http://127.0.0.1:5000/ws', /TLS/],
    ['http://$upstream_host:$port/x', 'http://127.0.0.1:5000/x', undefined],
    ['http://unix:/run/app.sock:/ws', 'http://127.0.0.1:5000/ws', undefined],
    ['http://[::1]:3000/ws', 'http://127.0.0.1:5000/ws', undefined],
  ];
  for (const [value, expected, note] of cases) {
    test(value, () => {
      const result = rewriteProxyPass(value, backend, upstreams);
      assert.equal(result.value, expected);
      if (note) assert.match(result.note ?? '', note);
      else assert.equal(result.note, undefined);
    });
  }
});

test('the test config of a location 10,000 levels deep: every level written, indentation capped', () => {
  const depth = 10000;
  const text = `http {\nserver {\n${'location /a {\n'.repeat(depth)}location /ws/ { proxy_pass http://b; }\n${'}\n'.repeat(depth)}}\n}\n`;
  const analysis = analyzeFile('/d/nginx.conf', new MemoryFileSystem({ '/d/nginx.conf': text }), {
    workspaceFolders: ['/d'],
  });
  const ws = analysis.locations.find((location) => location.path === '/ws/');
  assert.ok(ws);
  const config = buildTestConfig(analysis, ws, {
    backendPort: 9,
    listenPort: 10,
    isolation: { main: [], events: [], http: [] },
  });
  const lines = config.text.split('\n');
  assert.equal(lines.filter((line) => line.trim() === 'location /a {').length, depth);
  assert.equal(
    lines.filter((line) => line.trim() === '}').length - lines.filter((line) => line.endsWith('{')).length,
    0,
  );
  assert.ok(Math.max(...lines.map((line) => line.length - line.trimStart().length)) <= 48, 'indentation is capped');
});

describe('the test config reproduces what the location inherits (issue #11)', () => {
  const build = (files: Record<string, string>, file: string, path: string) => {
    const analysis = analyzeFile(file, new MemoryFileSystem(files), { workspaceFolders: ['/d'] });
    const location = analysis.locations.find((candidate) => candidate.path === path);
    assert.ok(location);
    return buildTestConfig(analysis, location, {
      backendPort: 9,
      listenPort: 10,
      isolation: { main: [], events: [], http: [] },
      templateValues: { TIMEOUT: '99s' },
      environment: {},
    });
  };

  test("a conf.d fragment's top-level lines are written at http level", () => {
    const config = build(
      {
        '/d/conf.d/ws.conf':
          'proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;\nserver {\n  location /ws/ { proxy_pass http://b; }\n}\n',
      },
      '/d/conf.d/ws.conf',
      '/ws/',
    );
    const http = config.text.slice(config.text.indexOf('http {'), config.text.indexOf('server {'));
    assert.match(http, /proxy_http_version 1\.1;/);
    assert.match(http, /proxy_set_header Upgrade \$http_upgrade;/);
  });

  test('a variable set in another block is declared, one defined nowhere is not (nginx refuses both configs alike)', () => {
    const config = build(
      {
        '/d/site.conf':
          'server {\n  location /a/ { set $tenant a; proxy_pass http://a; }\n  location /ws/ { proxy_pass http://b; proxy_set_header X-Tenant $tenant; proxy_set_header X-Other $nowhere; }\n}\n',
      },
      '/d/site.conf',
      '/ws/',
    );
    assert.match(config.text, /map "" \$tenant \{ default ""; \}/);
    assert.doesNotMatch(config.text, /\$nowhere \{/);
    assert.ok(config.rewrites.some((line) => line.startsWith('$tenant is set by "set" elsewhere')));
  });

  test('template placeholders are replaced, never written as ${...}', () => {
    const config = build(
      { '/d/app.conf': 'server {\n  location /ws/ { proxy_pass http://${HOST}; proxy_read_timeout ${TIMEOUT}; }\n}\n' },
      '/d/app.conf',
      '/ws/',
    );
    assert.doesNotMatch(config.text, /\$\{[A-Z_]+\}/);
    assert.match(config.text, /proxy_read_timeout 99s;/);
  });
});

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

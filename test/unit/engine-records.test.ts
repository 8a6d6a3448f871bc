// The engine keeps a file's directives as records in typed arrays and makes Directive and
// ConfigNode objects only when asked (server/src/core/parser/parser.ts, model/tree.ts). These
// tests pin down what that must not change: names come back as written however many there are,
// a quoted name is the same name, the same directive or node is always the same object, and the
// model reads directives through includes exactly as through the objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfigModel } from '../../server/src/core/model/effective';
import { buildConfigTree } from '../../server/src/core/model/tree';
import { parse } from '../../server/src/core/parser/parser';
import type { ParsedFileImpl } from '../../server/src/core/parser/records';
import { analyzeFile } from '../../server/src/core/model/workspace';
import { checkFile } from '../../server/src/core/rules/check';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import { MemoryFileSystem } from '../helpers/fileSystems';

test('records: thousands of distinct names are interned and read back as written', () => {
  // Far more names than the intern table starts with (it doubles as it fills), repeated so that
  // each is found again, in an order that collides in any small table.
  const names = Array.from({ length: 3000 }, (_, i) => `d${(i * 7919) % 3000}_${i % 13 ? 'x' : 'long_name_here'}`);
  const text = [...names, ...names.slice().reverse()].map((name, i) => `${name} ${i};`).join('\n');
  const parsed = parse(text) as ParsedFileImpl;
  assert.deepEqual(parsed.errors, []);
  const read = parsed.directives.map((directive) => directive.name);
  assert.deepEqual(read, [...names, ...names.slice().reverse()]);
  assert.equal(parsed.syntax.names.length, new Set(names).size);
});

test('records: a quoted or escaped directive name is the same name as the plain one', () => {
  const parsed = parse(
    'proxy_pass http://a;\n"proxy_pass" http://b;\n\'proxy_pass\' http://c;\nproxy_pass\\\\ x;\n',
  ) as ParsedFileImpl;
  assert.deepEqual(
    parsed.directives.map((directive) => directive.name),
    ['proxy_pass', 'proxy_pass', 'proxy_pass', 'proxy_pass\\'],
  );
  assert.equal(parsed.syntax.names.length, 2);
  // The model keys its rules by name index: the quoted form must count as proxy_pass there too.
  const tree = buildConfigTree(
    '/c/site.conf',
    new MemoryFileSystem({
      '/c/site.conf': 'server { location /ws/ { "proxy_pass" http://b; } }\n',
    }),
    { baseDir: '/c', rootContext: 'http' },
  );
  const [location] = buildConfigModel(tree).locations;
  assert.equal(location?.proxyPass?.value, 'http://b');
});

test('records: a directive is one object, however it is reached', () => {
  const parsed = parse('http {\n  server {\n    location / { proxy_pass http://a; }\n  }\n}\n');
  const http = parsed.directives[0];
  assert.ok(http?.block);
  assert.equal(parsed.directives[0], http);
  const server = http.block.children[0];
  assert.equal(http.block.children[0], server);
  const location = server?.block?.children[0];
  const proxyPass = location?.block?.children[0];
  assert.equal(proxyPass?.name, 'proxy_pass');
  assert.equal(proxyPass?.parent, location);
  assert.equal(location?.parent, server);
  assert.equal(server?.parent, http);
  assert.equal(http.parent, undefined);
  // Words are made once too: rules compare and cache by identity.
  assert.equal(proxyPass?.args[0], proxyPass?.args[0]);
  assert.equal(proxyPass?.argValue(0), 'http://a');
  assert.equal(proxyPass?.argValue(1), undefined);
  assert.equal(proxyPass?.argValue(-1), undefined);
});

test('records: a nameless "{" hands its directives to the enclosing block, in order', () => {
  const parsed = parse('server {\n  a 1;\n  { b 2; { c 3; } }\n  d 4;\n}\ne 5;\n');
  assert.deepEqual(
    parsed.errors.map((error) => error.code),
    ['unexpected-open-brace', 'unexpected-open-brace'],
  );
  const server = parsed.directives[0];
  assert.deepEqual(
    server?.block?.children.map((child) => child.name),
    ['a', 'b', 'c', 'd'],
  );
  assert.ok(server?.block?.children.every((child) => child.parent === server));
  assert.deepEqual(
    parsed.directives.map((directive) => directive.name),
    ['server', 'e'],
  );
});

test('records: an included snippet read in many places gives each place its own nodes, made once', () => {
  const fs = new MemoryFileSystem({
    '/c/nginx.conf':
      'http {\n  server {\n    location /a/ { proxy_pass http://a; include ws.conf; }\n    location /b/ { proxy_pass http://b; include ws.conf; }\n  }\n}\n',
    '/c/ws.conf': 'proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;\n',
  });
  const tree = buildConfigTree('/c/nginx.conf', fs, { baseDir: '/c' });
  const model = buildConfigModel(tree);
  const [a, b] = model.locations;
  assert.ok(a && b);
  const lineA = a.headers.lines[0];
  const lineB = b.headers.lines[0];
  assert.equal(lineA?.node.file, '/c/ws.conf');
  // One parsed directive, two nodes: each knows its own location and include.
  assert.equal(lineA?.node.directive, lineB?.node.directive);
  assert.notEqual(lineA?.node, lineB?.node);
  assert.equal(lineA?.node.parent, a.node);
  assert.equal(lineB?.node.parent, b.node);
  assert.equal(lineA?.node.via?.directive.name, 'include');
  assert.equal(lineA?.node.via?.parent, a.node);
  // The same node every time it is asked for, through the model or the tree.
  assert.equal(a.headers.lines[0]?.node, lineA?.node);
  const fromTree = a.node.children.find((child) => child.directive.name === 'proxy_set_header');
  assert.equal(fromTree, lineA?.node);
  assert.equal(a.proxyHttpVersion?.node.parent, a.node);
  assert.equal(a.server, b.server);
  assert.equal(a.server?.directive.name, 'server');
  assert.equal(tree.inclusions.get('/c/ws.conf')?.length, 2);
  assert.equal(tree.inclusions.get('/c/ws.conf')?.[1]?.via?.parent, b.node);
});

test('records: named captures are read from the argument itself, never from the text after it', () => {
  const fs = new MemoryFileSystem({
    '/c/site.conf':
      'server {\n  location /plain { # (?<in_comment>x)\n    set $y "(?<in_value>x)";\n  }\n  location ~ ^/(?<real>[a-z]+)$ { }\n}\n',
  });
  const tree = buildConfigTree('/c/site.conf', fs, { baseDir: '/c', rootContext: 'http' });
  const model = buildConfigModel(tree);
  assert.deepEqual([...model.variables.keys()].sort(), ['real', 'y']);
  assert.equal(model.variables.get('real')?.[0]?.kind, 'capture');
});

test('records: locations nested 20,000 deep (nginx accepts that) are modelled and checked without overflowing', () => {
  const depth = 20000;
  const text = `http {\nserver {\n${'location /a {\n'.repeat(depth)}location /ws/ { proxy_pass http://b; proxy_set_header Upgrade $http_upgrade; }\n${'}\n'.repeat(depth)}}\n}\n`;
  const fs = new MemoryFileSystem({ '/d/nginx.conf': text });
  const analysis = analyzeFile('/d/nginx.conf', fs, { workspaceFolders: ['/d'] });
  assert.equal(analysis.model.locations.length, depth + 1);
  const innermost = analysis.model.locations[depth];
  assert.equal(innermost?.path, '/ws/');
  assert.equal(innermost?.enclosing, analysis.model.locations[depth - 1]);
  const codes = checkFile(analysis, {
    nginxVersion: parseNginxVersion('1.22.1'),
    webSocketPaths: [],
    severity: {},
  }).map((finding) => finding.code);
  assert.ok(codes.includes('ws-missing-connection'), codes.join(', '));
});

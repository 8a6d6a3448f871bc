// Include resolution and context over the fixture trees in test/fixtures/trees/: relative paths
// against the main config's folder, globs, cycles, the depth limit, path mappings, re-rooting of
// absolute server paths, and the context a fragment is read in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { defaultSettings } from '../../server/src/core/config/settings';
import { parse } from '../../server/src/core/parser/parser';
import {
  annotatedContext,
  buildConfigTree,
  contextOfBlock,
  inferContext,
  ParseCache,
  type ConfigNode,
  type ConfigTree,
  type ContextName,
} from '../../server/src/core/model/tree';
import { JailedFileSystem, MemoryFileSystem } from '../helpers/fileSystems';
import { fixturePath } from '../helpers/paths';

const treesDir = fixturePath('trees');
const SITES_MAPPING = defaultSettings().pathMappings;

function treeOf(
  name: string,
  options: { pathMappings?: Record<string, string>; maxDepth?: number; parseCache?: ParseCache } = {},
): { tree: ConfigTree; root: string; fs: JailedFileSystem } {
  const root = path.join(treesDir, name);
  const fs = new JailedFileSystem(root);
  const tree = buildConfigTree(path.join(root, 'nginx.conf'), fs, { baseDir: root, ...options });
  return { tree, root, fs };
}

function allNodes(nodes: readonly ConfigNode[]): ConfigNode[] {
  return nodes.flatMap((node) => [node, ...allNodes(node.children)]);
}

function includeNodes(tree: ConfigTree): ConfigNode[] {
  return allNodes(tree.children).filter((node) => node.directive.name === 'include');
}

/** Paths relative to the fixture root, for readable expectations. */
function relative(root: string, files: Iterable<string>): string[] {
  return [...files].map((file) => path.relative(root, file));
}

test('include: a relative path resolves against the main config folder, not the including file', () => {
  const { tree, root } = treeOf('relative-to-main-dir');
  assert.deepEqual(tree.includeProblems, []);
  assert.deepEqual(relative(root, tree.files.keys()), ['nginx.conf', 'conf.d/app.conf', 'snippets/ws-headers.conf']);
  const snippetInclude = includeNodes(tree).find(
    (node) => node.directive.args[0]?.value === 'snippets/ws-headers.conf',
  );
  assert.deepEqual(relative(root, snippetInclude?.include?.files ?? []), ['snippets/ws-headers.conf']);
  assert.equal(snippetInclude?.file, path.join(root, 'conf.d', 'app.conf'));
});

test("include: included directives take the include's place, parent and context, and point to their file", () => {
  const { tree, root } = treeOf('relative-to-main-dir');
  const location = allNodes(tree.children).find((node) => node.directive.name === 'location');
  assert.ok(location);
  assert.deepEqual(
    location.children.map((node) => [
      node.directive.name,
      path.relative(root, node.file),
      node.via?.directive.name ?? '',
    ]),
    [
      ['proxy_pass', 'conf.d/app.conf', ''],
      ['include', 'conf.d/app.conf', ''],
      ['proxy_http_version', 'snippets/ws-headers.conf', 'include'],
      ['proxy_set_header', 'snippets/ws-headers.conf', 'include'],
      ['proxy_set_header', 'snippets/ws-headers.conf', 'include'],
    ],
  );
  for (const child of location.children) assert.equal(child.parent, location);
  assert.deepEqual(
    tree.inclusions.get(path.join(root, 'snippets', 'ws-headers.conf'))?.map((inclusion) => inclusion.context),
    ['location'],
  );
  assert.deepEqual(
    tree.inclusions.get(path.join(root, 'conf.d', 'app.conf'))?.map((inclusion) => inclusion.context),
    ['http'],
  );
});

test('include: globs match in glob(3) order, skip hidden and non-matching files, may match nothing', () => {
  const { tree, root } = treeOf('globs');
  const byPattern = new Map(includeNodes(tree).map((node) => [node.directive.args[0]?.value, node.include]));
  assert.deepEqual(relative(root, byPattern.get('conf.d/*.conf')?.files ?? []), [
    'conf.d/10-first.conf',
    'conf.d/B.conf',
    'conf.d/a.conf',
    'conf.d/b.conf',
  ]);
  assert.equal(byPattern.get('conf.d/*.conf')?.isGlob, true);
  assert.deepEqual(byPattern.get('empty.d/*.conf')?.files, []);
  assert.equal(byPattern.get('empty.d/*.conf')?.problem, undefined);
  assert.deepEqual(relative(root, byPattern.get('conf.d/[ab]*.conf')?.files ?? []), ['conf.d/a.conf', 'conf.d/b.conf']);
});

test('include: a missing plain file is a problem, a glob matching nothing is not', () => {
  const { tree } = treeOf('globs');
  assert.deepEqual(
    tree.includeProblems.map((problem) => [
      problem.node.directive.args[0]?.value,
      /does not exist/.test(problem.message),
    ]),
    [['conf.d/missing.conf', true]],
  );
});

test('include: a file included twice gives two sets of nodes, in include order', () => {
  const { tree, root } = treeOf('globs');
  const listens = allNodes(tree.children)
    .filter((node) => node.directive.name === 'listen')
    .map((node) => node.directive.args[0]?.value);
  assert.deepEqual(listens, ['8004', '8003', '8001', '8002', '8001', '8002']);
  assert.equal(tree.inclusions.get(path.join(root, 'conf.d', 'a.conf'))?.length, 2);
});

test('include: a cycle is detected and reported, and the rest is read once', () => {
  const { tree, root } = treeOf('cycle');
  assert.deepEqual(relative(root, tree.files.keys()), ['nginx.conf', 'a.conf', 'b.conf']);
  assert.equal(tree.includeProblems.length, 1);
  const problem = tree.includeProblems[0];
  assert.equal(path.relative(root, problem?.node.file ?? ''), 'b.conf');
  assert.match(problem?.message ?? '', /includes itself/);
  assert.deepEqual(
    allNodes(tree.children).map((node) => node.directive.name),
    ['events', 'http', 'include', 'server_names_hash_bucket_size', 'include', 'client_max_body_size', 'include'],
  );
});

test('include: a file that includes itself is a cycle', () => {
  const { tree } = treeOf('self-include');
  assert.equal(tree.includeProblems.length, 1);
  assert.match(tree.includeProblems[0]?.message ?? '', /includes itself/);
});

test('include: the depth limit stops a long chain and says so', () => {
  const limited = treeOf('depth-chain', { maxDepth: 3 });
  assert.deepEqual(relative(limited.root, limited.tree.files.keys()), ['nginx.conf', 'level1.conf', 'level2.conf']);
  assert.equal(limited.tree.includeProblems.length, 1);
  assert.match(limited.tree.includeProblems[0]?.message ?? '', /deeper than 3/);

  const unlimited = treeOf('depth-chain');
  assert.equal(unlimited.tree.files.size, 7);
  assert.deepEqual(unlimited.tree.includeProblems, []);
});

test('include: sites-enabled/* is read from sites-available/ with the default mapping', () => {
  const mapped = treeOf('sites-enabled-mapping', { pathMappings: SITES_MAPPING });
  const include = includeNodes(mapped.tree)[0]?.include;
  assert.deepEqual(relative(mapped.root, include?.files ?? []), ['sites-available/chat.example']);
  assert.equal(include?.resolvedPattern, path.join(mapped.root, 'sites-available', '*'));
  assert.equal(
    mapped.tree.inclusions.get(path.join(mapped.root, 'sites-available', 'chat.example'))?.[0]?.context,
    'http',
  );

  const unmapped = treeOf('sites-enabled-mapping', { pathMappings: {} });
  assert.deepEqual(includeNodes(unmapped.tree)[0]?.include?.files, []);
  assert.deepEqual(unmapped.tree.includeProblems, []);
});

test('include: absolute server paths missing here are re-rooted under the main config folder', () => {
  const { tree, root, fs } = treeOf('reroot-absolute');
  const byPattern = new Map(includeNodes(tree).map((node) => [node.directive.args[0]?.value, node.include]));
  assert.deepEqual(relative(root, byPattern.get('/etc/nginx/conf.d/*.conf')?.files ?? []), ['conf.d/site.conf']);
  assert.deepEqual(relative(root, byPattern.get('/etc/nginx/snippets/proxy.conf')?.files ?? []), [
    'snippets/proxy.conf',
  ]);
  // A re-rooted glob keeps its folder: "*.conf" beside nginx.conf (stray.conf) must not match.
  assert.deepEqual(byPattern.get('/etc/nginx/no-such-dir/*.conf')?.files, []);
  assert.ok(!fs.reads.includes(path.join(root, 'stray.conf')));
  assert.deepEqual(tree.includeProblems, []);
});

test('include: an absolute path that exists is read as is', () => {
  const fs = new MemoryFileSystem({
    '/srv/nginx/nginx.conf': 'http { server { location /ws { include /opt/shared/ws.conf; } } }',
    '/opt/shared/ws.conf': 'proxy_set_header Upgrade $http_upgrade;',
    '/srv/nginx/opt/shared/ws.conf': 'proxy_set_header X-Decoy 1;',
  });
  const tree = buildConfigTree('/srv/nginx/nginx.conf', fs, { baseDir: '/srv/nginx' });
  assert.deepEqual([...tree.files.keys()], ['/srv/nginx/nginx.conf', '/opt/shared/ws.conf']);
  assert.deepEqual(tree.includeProblems, []);
});

test('include: a missing absolute plain file is a problem with the path in its message', () => {
  const fs = new MemoryFileSystem({
    '/srv/nginx/nginx.conf': 'http { include /etc/letsencrypt/options-ssl-nginx.conf; }',
  });
  const tree = buildConfigTree('/srv/nginx/nginx.conf', fs, { baseDir: '/srv/nginx' });
  assert.equal(tree.includeProblems.length, 1);
  assert.match(tree.includeProblems[0]?.message ?? '', /\/etc\/letsencrypt\/options-ssl-nginx\.conf/);
});

test('include: an include inside a map is a map entry, not followed', () => {
  const fs = new MemoryFileSystem({
    '/t/nginx.conf': 'http { map $a $b { include /t/map-entries.conf; default 0; } }',
    '/t/map-entries.conf': 'x 1;',
  });
  const tree = buildConfigTree('/t/nginx.conf', fs, { baseDir: '/t' });
  assert.deepEqual([...tree.files.keys()], ['/t/nginx.conf']);
});

const CONTEXTS: [string, ContextName][] = [
  ['http', 'http'],
  ['server', 'server'],
  ['location', 'location'],
  ['if', 'if'],
  ['limit_except', 'limit_except'],
  ['upstream', 'upstream'],
  ['events', 'events'],
  ['stream', 'stream'],
  ['map', 'map'],
  ['types', 'map'],
  ['geo', 'map'],
  ['split_clients', 'map'],
  ['match', 'map'],
  ['charset_map', 'map'],
  ['content_by_lua_block', 'other'],
  ['mail', 'other'],
];

for (const [block, context] of CONTEXTS) {
  test(`contextOfBlock(${block}) is ${context}`, () => {
    assert.equal(contextOfBlock(block), context);
  });
}

const INFERRED: [string, string, ContextName][] = [
  ['a top-level server block', 'server { listen 80; }', 'http'],
  ['an upstream', 'upstream app { server 127.0.0.1:3000; }', 'http'],
  ['a map', 'map $a $b { default 0; }', 'http'],
  ['a bare location', 'location /ws { proxy_pass http://a; }', 'server'],
  ['bare listen and server_name', 'listen 80;\nserver_name a;', 'server'],
  ['bare proxy_* lines', 'proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;', 'location'],
  ['proxy_* lines then a location', 'proxy_set_header Host $host;\nlocation / { }', 'server'],
  ['a location then a server', 'location / { }\nserver { }', 'http'],
  ['a whole config', 'events { }\nhttp { }', 'main'],
  ['worker_processes', 'worker_processes 1;', 'main'],
  ['an empty file', '', 'main'],
];

for (const [name, text, context] of INFERRED) {
  test(`inferContext: ${name} -> ${context}`, () => {
    assert.equal(inferContext(parse(text).directives), context);
  });
}

const ANNOTATIONS: [string, ContextName | undefined][] = [
  ['# nginx-ws: context=server', 'server'],
  ['#nginx-ws:context=location', 'location'],
  ['# nginx-ws: Context = HTTP', 'http'],
  ['# nginx-ws: context=main', 'main'],
  ['# nginx-ws: context=banana', undefined],
  ['# context=server', undefined],
];

for (const [comment, context] of ANNOTATIONS) {
  test(`annotatedContext(${JSON.stringify(comment)}) is ${context}`, () => {
    assert.equal(annotatedContext(parse(`${comment}\nproxy_pass http://a;`).comments), context);
  });
}

test('fragment context: annotation beats inference, an explicit rootContext beats both', () => {
  const fs = new MemoryFileSystem({
    '/w/inferred.conf': 'location / { proxy_pass http://a; }',
    '/w/annotated.conf': '# nginx-ws: context=location\nlocation /nested { proxy_pass http://a; }',
    '/w/main.conf': 'events {}\nhttp {}',
  });
  const inferred = buildConfigTree('/w/inferred.conf', fs, { baseDir: '/w' });
  assert.deepEqual([inferred.rootContext, inferred.rootContextSource], ['server', 'inferred']);
  const annotated = buildConfigTree('/w/annotated.conf', fs, { baseDir: '/w' });
  assert.deepEqual([annotated.rootContext, annotated.rootContextSource], ['location', 'annotation']);
  const main = buildConfigTree('/w/main.conf', fs, { baseDir: '/w' });
  assert.deepEqual([main.rootContext, main.rootContextSource], ['main', 'main']);
  const forced = buildConfigTree('/w/inferred.conf', fs, { baseDir: '/w', rootContext: 'http' });
  assert.equal(forced.rootContext, 'http');
});

test('parse cache: unchanged files keep their parse, a changed file is parsed again', () => {
  const files: Record<string, string> = {
    '/c/nginx.conf': 'http { include /c/site.conf; }',
    '/c/site.conf': 'server { listen 80; }',
  };
  const cache = new ParseCache();
  const first = buildConfigTree('/c/nginx.conf', new MemoryFileSystem(files), { baseDir: '/c', parseCache: cache });
  const second = buildConfigTree(
    '/c/nginx.conf',
    new MemoryFileSystem({ ...files, '/c/nginx.conf': 'http { include /c/site.conf; gzip on; }' }),
    {
      baseDir: '/c',
      parseCache: cache,
    },
  );
  assert.equal(second.files.get('/c/site.conf'), first.files.get('/c/site.conf'));
  assert.notEqual(second.files.get('/c/nginx.conf'), first.files.get('/c/nginx.conf'));
  assert.equal(cache.get('/c/site.conf', files['/c/site.conf'] as string), first.files.get('/c/site.conf'));
  cache.delete('/c/site.conf');
  assert.notEqual(cache.get('/c/site.conf', files['/c/site.conf'] as string), first.files.get('/c/site.conf'));
});

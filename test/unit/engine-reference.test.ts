// The engine's tree and model (records, scopes, values made on demand) against plain reference
// implementations (test/helpers/referenceTree.ts, referenceModel.ts: the first, straightforward
// versions). On every config the project has, the shared corpus, and seeded random configs with
// includes, globs, cycles and missing files: the same nodes in the same places with the same
// contexts and includes, and the same locations with the same effective settings, header lines,
// dropped lines and definitions, down to the same node objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { generateConfig } from '../../bench/lsp-generate';
import type { ConfigModel } from '../../server/src/core/model/effective';
import { buildConfigModel } from '../../server/src/core/model/effective';
import type { ConfigFileSystem } from '../../server/src/core/model/fileSystem';
import {
  buildConfigTree,
  type ConfigNode,
  type ConfigTree,
  type ContextName,
  type IncludeResolution,
} from '../../server/src/core/model/tree';
import { JailedFileSystem, MemoryFileSystem } from '../helpers/fileSystems';
import { confFilesDeep, corpusDir, corpusSkipReason, fixturesDir } from '../helpers/paths';
import { pick, randomInt, seededRandom } from '../helpers/random';
import { referenceModel, type ReferenceLocation } from '../helpers/referenceModel';
import { referenceTree, type ReferenceNode, type ReferenceTree } from '../helpers/referenceTree';
import { defaultSettings } from '../../server/src/core/config/settings';

function describe(node: ConfigNode | ReferenceNode | undefined): string {
  if (!node) return '-';
  const directive = node.directive;
  return `${path.basename(node.file)}:${directive.range.start.line + 1} ${[directive.name, ...directive.args.map((arg) => arg.raw)].join(' ')}`;
}

function resolution(include: IncludeResolution | undefined): unknown {
  return include && [include.pattern, include.resolvedPattern, include.files, include.isGlob, include.problem];
}

/** The engine's tree against the reference, level by level: names, places, contexts, parents, includes. */
function compareTrees(label: string, tree: ConfigTree, reference: ReferenceTree): void {
  assert.equal(tree.rootContext, reference.rootContext, `${label}: root context`);
  assert.deepEqual([...tree.files.keys()], reference.files, `${label}: files read`);
  const walk = (
    ours: readonly ConfigNode[],
    theirs: readonly ReferenceNode[],
    parent: ConfigNode | undefined,
    where: string,
  ): void => {
    assert.deepEqual(ours.map(describe), theirs.map(describe), `${label}: children of ${where}`);
    ours.forEach((node, index) => {
      const expected = theirs[index] as ReferenceNode;
      const at = `${label}: ${describe(node)}`;
      assert.equal(node.context, expected.context, `${at}: context`);
      assert.equal(node.file, expected.file, `${at}: file`);
      assert.equal(node.parent, parent, `${at}: parent`);
      assert.equal(describe(node.via), describe(expected.via), `${at}: via`);
      assert.deepEqual(resolution(node.include), resolution(expected.include), `${at}: include`);
      assert.equal(node.children, node.children, `${at}: children are made once`);
      walk(node.children, expected.children, node, describe(node));
    });
  };
  walk(tree.children, reference.children, undefined, 'the top level');
  const inclusions = (
    map: ReadonlyMap<string, readonly { context: string; via: ConfigNode | ReferenceNode | undefined }[]>,
  ): unknown =>
    [...map.entries()].map(([file, list]) => [
      file,
      list.map((inclusion) => `${inclusion.context} ${describe(inclusion.via)}`),
    ]);
  assert.deepEqual(inclusions(tree.inclusions), inclusions(reference.inclusions), `${label}: inclusions`);
  assert.deepEqual(
    tree.includeProblems.map((problem) => `${describe(problem.node)}: ${problem.message}`),
    reference.includeProblems.map((problem) => `${describe(problem.node)}: ${problem.message}`),
    `${label}: include problems`,
  );
}

/** Both sides as text, for a readable diff, then node identity where text cannot tell. */
function compare(label: string, model: ConfigModel, reference: ReturnType<typeof referenceModel>): void {
  const nodes = (list: readonly (ConfigNode | undefined)[]): string[] => list.map(describe);
  const ours = model.locations.map((location) => ({
    node: describe(location.node),
    kind: location.kind,
    modifier: location.modifier,
    path: location.path,
    server: describe(location.server),
    enclosing: location.enclosing ? model.locations.indexOf(location.enclosing) : -1,
    proxyPass: describe(location.proxyPass?.node),
    proxyPassValue: location.proxyPass?.value,
    version: describe(location.proxyHttpVersion?.node),
    versionValue: location.proxyHttpVersion?.value,
    timeout: describe(location.proxyReadTimeout?.node),
    headerLines: location.headers.lines.map((line) => `${describe(line.node)} [${line.key}]`),
    headerLevel: describe(location.headers.level),
    dropped: nodes(location.headers.dropped.map((line) => line.node)),
    unresolved: nodes(location.unresolvedIncludes),
  }));
  const theirs = reference.locations.map((location: ReferenceLocation) => ({
    node: describe(location.node),
    kind: location.kind,
    modifier: location.modifier,
    path: location.path,
    server: describe(location.server),
    enclosing: location.enclosing ? reference.locations.indexOf(location.enclosing) : -1,
    proxyPass: describe(location.proxyPass),
    proxyPassValue: location.proxyPass ? (location.proxyPass.directive.args[0]?.value ?? '') : undefined,
    version: describe(location.proxyHttpVersion),
    versionValue: location.proxyHttpVersion ? (location.proxyHttpVersion.directive.args[0]?.value ?? '') : undefined,
    timeout: describe(location.proxyReadTimeout),
    headerLines: location.headerLines.map(
      (line) => `${describe(line)} [${(line.directive.args[0]?.value ?? '').toLowerCase()}]`,
    ),
    headerLevel: describe(location.headerLevel),
    dropped: nodes(location.dropped),
    unresolved: nodes(location.unresolvedIncludes),
  }));
  assert.deepEqual(ours, theirs, `${label}: locations`);
  model.locations.forEach((location, index) => {
    const expected = reference.locations[index] as ReferenceLocation;
    assert.equal(location.node, expected.node, `${label}: location ${index} is the same node`);
    assert.equal(location.proxyPass?.node, expected.proxyPass, `${label}: proxy_pass ${index} is the same node`);
    assert.equal(location.headers.level, expected.headerLevel, `${label}: header level ${index}`);
  });
  const definitions = (map: ReadonlyMap<string, readonly { node: ConfigNode; kind: string }[]>): unknown =>
    [...map.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, list]) => [name, list.map((definition) => `${definition.kind} ${describe(definition.node)}`)]);
  assert.deepEqual(definitions(model.variables), definitions(reference.variables), `${label}: variables`);
  const entries = (map: ReadonlyMap<string, ConfigNode>): unknown =>
    [...map.entries()].map(([name, node]) => [name, describe(node)]);
  assert.deepEqual(entries(model.maps), entries(reference.maps), `${label}: maps`);
  assert.deepEqual(entries(model.upstreams), entries(reference.upstreams), `${label}: upstreams`);
  assert.deepEqual(nodes(model.servers), nodes(reference.servers), `${label}: servers`);
}

interface CheckOptions {
  readonly rootContext?: ContextName;
  readonly pathMappings?: Readonly<Record<string, string>>;
  readonly maxDepth?: number;
}

function check(label: string, file: string, fs: ConfigFileSystem, options: CheckOptions = {}): number {
  const treeOptions = { baseDir: path.dirname(file), ...options };
  const tree = buildConfigTree(file, fs, treeOptions);
  // The engine's model first, so that nothing the reference asks for has been made already.
  const model = buildConfigModel(tree);
  compare(label, model, referenceModel(tree));
  compareTrees(label, tree, referenceTree(file, fs, treeOptions));
  return model.locations.length;
}

test('engine = reference: the include fixture trees, with path mappings and a low depth limit', () => {
  const trees = path.join(fixturesDir, 'trees');
  for (const main of confFilesDeep(trees).filter((file) => path.basename(file) === 'nginx.conf')) {
    const fs = new JailedFileSystem(path.dirname(main));
    const label = path.relative(trees, main);
    check(label, main, fs);
    check(`${label} (mapped)`, main, fs, { pathMappings: defaultSettings().pathMappings });
    check(`${label} (depth 2)`, main, fs, { maxDepth: 2 });
  }
});

test('engine = reference: every .conf file among the fixtures, as a root', () => {
  const fs = new JailedFileSystem(fixturesDir);
  let locations = 0;
  const files = confFilesDeep(fixturesDir);
  for (const file of files) locations += check(path.relative(fixturesDir, file), file, fs);
  assert.ok(files.length > 50 && locations > 100, `${files.length} files, ${locations} locations`);
});

test('engine = reference: the shared corpus', { skip: corpusSkipReason() }, () => {
  const fs = new JailedFileSystem(corpusDir);
  let locations = 0;
  for (const file of confFilesDeep(corpusDir)) locations += check(path.relative(corpusDir, file), file, fs);
  assert.ok(locations > 50, `${locations} locations`);
});

test("engine = reference: the LSP benchmark's generated config", () => {
  const fs = new MemoryFileSystem({ '/g/nginx.conf': generateConfig(60).text });
  const locations = check('generated', '/g/nginx.conf', fs);
  assert.ok(locations >= 60, `${locations} locations`);
});

/** A random config: blocks of every kind the model cares about, nested at random, with includes. */
function randomConfig(random: () => number, depth: number, context: string): string {
  const lines: string[] = [];
  const count = 1 + randomInt(random, 6);
  const header = pick(random, [
    'Upgrade $http_upgrade',
    'Connection "upgrade"',
    'Host $host',
    'X-Id $request_id',
    'CONNECTION $c',
  ]);
  const leaves = [
    `proxy_pass http://b${randomInt(random, 3)};`,
    `proxy_http_version 1.${randomInt(random, 2)};`,
    `proxy_read_timeout ${randomInt(random, 4000)}s;`,
    `proxy_set_header ${header};`,
    `proxy_set_header ${header};`,
    `set $v${randomInt(random, 4)} x;`,
    `js_set $J${randomInt(random, 3)} f;`,
    `include ${pick(random, ['snip/a.conf', 'snip/*.conf', '/r/snip/b.conf', 'missing.conf', 'snip/none-*.conf'])};`,
    `server_name ~^(?<sub${randomInt(random, 3)}>\\w+)\\.example$;`,
    `rewrite ^/(?P<Part>.*)$ /$part;`,
  ];
  const location = (): string =>
    `location ${pick(random, ['/', '/ws/', '= /x', '~ ^/(?<id>\\d+)$', '~*\\.php$', '^~ /s/', '@named', '=/glued'])} {`;
  // Locations and ifs most often: they are what the model is about.
  const blocks = [
    location,
    location,
    location,
    location,
    () => 'if ($http_upgrade) {',
    () => 'if ($request_method = POST) {',
    () => 'limit_except GET {',
    () => 'server {',
    () => 'http {',
    () => `map $a $m${randomInt(random, 3)} {`,
    () => `upstream u${randomInt(random, 3)} {`,
    () => `geo $remote_addr $g${randomInt(random, 2)} {`,
    () => 'split_clients "$x" $split {',
    () => pick(random, ['events {', 'stream {', 'types {']),
  ];
  for (let i = 0; i < count; i++) {
    if (depth < 5 && random() < 0.5) {
      lines.push(pick(random, blocks)());
      lines.push(randomConfig(random, depth + 1, context));
      lines.push('}');
    } else {
      lines.push(pick(random, leaves));
    }
  }
  return lines.join('\n');
}

test('engine = reference: 400 seeded random configs with includes, cycles and missing files', () => {
  const random = seededRandom(0x6d0de1);
  const contexts: (ContextName | undefined)[] = [undefined, 'main', 'http', 'server', 'location'];
  let locations = 0;
  for (let n = 0; n < 400; n++) {
    // Most roots are a whole config, so that locations sit in servers as nginx wants them.
    const body = randomConfig(random, 1, 'main');
    const root = random() < 0.7 ? `http {\n${randomConfig(random, 2, 'http')}\nserver {\n${body}\n}\n}` : body;
    const fs = new MemoryFileSystem({
      '/r/nginx.conf': root,
      '/r/snip/a.conf': randomConfig(random, 2, 'location'),
      '/r/snip/b.conf': randomConfig(random, 3, 'location'),
    });
    const rootContext = pick(random, contexts);
    locations += check(`random config ${n}`, '/r/nginx.conf', fs, rootContext ? { rootContext } : {});
  }
  assert.ok(locations > 1500, `${locations} locations`);
});

// A workspace file analysed where nginx reads it: finding the main config (the setting, then
// nginx.conf above the file, then any nginx.conf in the workspace), the context the file is
// included in, and fragments read on their own. Fixture: test/fixtures/trees/workspace/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { defaultSettings } from '../../server/src/core/config/settings';
import {
  analyzeFile,
  includeFolder,
  mainConfigCandidates,
  type WorkspaceOptions,
} from '../../server/src/core/model/workspace';
import { ParseCache } from '../../server/src/core/model/tree';
import { JailedFileSystem, MemoryFileSystem } from '../helpers/fileSystems';
import { corpusDir, corpusSkipReason, fixturePath } from '../helpers/paths';
import { locationFile } from '../../server/src/core/model/effective';

const workspace = fixturePath('trees', 'workspace');
const file = (...parts: string[]): string => path.join(workspace, ...parts);
const rel = (absolute: string | undefined): string | undefined =>
  absolute === undefined ? undefined : path.relative(workspace, absolute);
const baseOptions: WorkspaceOptions = { workspaceFolders: [workspace], pathMappings: defaultSettings().pathMappings };

interface DiscoveryCase {
  name: string;
  file: string[];
  options?: WorkspaceOptions;
  mainConfig: string | undefined;
  context: string;
  /** Paths (modifier and path) of the locations written in the file. */
  locations: string[];
}

const DISCOVERY: DiscoveryCase[] = [
  {
    name: 'a conf.d file: nginx.conf above it includes it in http',
    file: ['etc', 'nginx', 'conf.d', 'app.conf'],
    mainConfig: 'etc/nginx/nginx.conf',
    context: 'http',
    locations: ['/ws', '/'],
  },
  {
    name: 'a snippet included inside a location is location context',
    file: ['etc', 'nginx', 'snippets', 'websocket.conf'],
    mainConfig: 'etc/nginx/nginx.conf',
    context: 'location',
    locations: [],
  },
  {
    name: 'a sites-available file reached through sites-enabled/*',
    file: ['etc', 'nginx', 'sites-available', 'chat.conf'],
    mainConfig: 'etc/nginx/nginx.conf',
    context: 'http',
    locations: ['/chat'],
  },
  {
    name: 'the same file with no path mapping is read on its own, context inferred',
    file: ['etc', 'nginx', 'sites-available', 'chat.conf'],
    options: { workspaceFolders: [workspace], pathMappings: {} },
    mainConfig: undefined,
    context: 'http',
    locations: ['/chat'],
  },
  {
    name: 'the main config named by the setting (relative to the workspace folder)',
    file: ['custom', 'vhosts', 'site.conf'],
    options: { ...baseOptions, mainConfig: 'custom/main-server.conf' },
    mainConfig: 'custom/main-server.conf',
    context: 'http',
    locations: ['/api'],
  },
  {
    name: 'the main config named by the setting as an absolute path',
    file: ['custom', 'vhosts', 'site.conf'],
    options: { ...baseOptions, mainConfig: file('custom', 'main-server.conf') },
    mainConfig: 'custom/main-server.conf',
    context: 'http',
    locations: ['/api'],
  },
  {
    name: 'without the setting, a file no nginx.conf includes is read on its own',
    file: ['custom', 'vhosts', 'site.conf'],
    mainConfig: undefined,
    context: 'http',
    locations: ['/api'],
  },
  {
    name: 'a setting that does not include the file falls through to nginx.conf above',
    file: ['etc', 'nginx', 'conf.d', 'app.conf'],
    options: { ...baseOptions, mainConfig: 'custom/main-server.conf' },
    mainConfig: 'etc/nginx/nginx.conf',
    context: 'http',
    locations: ['/ws', '/'],
  },
  {
    name: 'an nginx.conf elsewhere in the workspace that includes the file (../shared-sites/*.conf)',
    file: ['shared-sites', 'portal.conf'],
    mainConfig: 'deploy/nginx.conf',
    context: 'http',
    locations: ['/'],
  },
  {
    name: 'an orphan with a bare location is server context',
    file: ['etc', 'nginx', 'unused', 'orphan.conf'],
    mainConfig: undefined,
    context: 'server',
    locations: ['/orphan'],
  },
  {
    name: 'an annotated fragment of bare proxy lines is location context, modelled as one location',
    file: ['fragments', 'annotated-location.conf'],
    mainConfig: undefined,
    context: 'location',
    locations: [''],
  },
  {
    name: 'a main config itself',
    file: ['etc', 'nginx', 'nginx.conf'],
    mainConfig: undefined,
    context: 'main',
    locations: [],
  },
];

for (const { name, file: parts, options, mainConfig, context, locations } of DISCOVERY) {
  test(`analyzeFile: ${name}`, () => {
    const target = file(...parts);
    const analysis = analyzeFile(target, new JailedFileSystem(workspace), options ?? baseOptions);
    assert.equal(rel(analysis.mainConfig), mainConfig);
    assert.equal(analysis.context, context);
    assert.equal(analysis.file, target);
    assert.equal(analysis.parsed.file, target);
    assert.deepEqual(
      analysis.locations.map((location) => location.modifier + location.path),
      locations,
    );
    assert.ok(analysis.dependencies.includes(target));
  });
}

test('analyzeFile: a location of a conf.d file sees the headers of a snippet it includes, pointing to the snippet', () => {
  const analysis = analyzeFile(
    file('etc', 'nginx', 'conf.d', 'app.conf'),
    new JailedFileSystem(workspace),
    baseOptions,
  );
  const ws = analysis.locations.find((location) => location.path === '/ws');
  assert.ok(ws);
  assert.deepEqual(
    ws.headers.lines.map((line) => [line.name, line.value?.value, rel(line.node.file)]),
    [
      ['Upgrade', '$http_upgrade', 'etc/nginx/snippets/websocket.conf'],
      ['Connection', '$connection_upgrade', 'etc/nginx/snippets/websocket.conf'],
    ],
  );
  assert.equal(ws.proxyHttpVersion?.value, '1.1');
  // The map in the main config is in scope for the conf.d file.
  assert.ok(analysis.model.maps.has('connection_upgrade'));
  assert.deepEqual(analysis.dependencies.map(rel).sort(), [
    'etc/nginx/conf.d/app.conf',
    'etc/nginx/nginx.conf',
    'etc/nginx/sites-available/chat.conf',
    'etc/nginx/snippets/websocket.conf',
  ]);
});

test('analyzeFile: an unsaved editor buffer is analysed instead of the file on disk', () => {
  const target = file('etc', 'nginx', 'conf.d', 'app.conf');
  const buffer = 'server {\n    location /live {\n        proxy_pass http://127.0.0.1:9010;\n    }\n}\n';
  const fs = new JailedFileSystem(workspace, (candidate) => (candidate === target ? buffer : undefined));
  const analysis = analyzeFile(target, fs, baseOptions);
  assert.equal(analysis.parsed.text, buffer);
  assert.deepEqual(
    analysis.locations.map((location) => location.path),
    ['/live'],
  );
});

test('analyzeFile: with a shared parse cache, a second analysis reuses every unchanged file', () => {
  const cache = new ParseCache();
  const target = file('etc', 'nginx', 'conf.d', 'app.conf');
  const first = analyzeFile(target, new JailedFileSystem(workspace), { ...baseOptions, parseCache: cache });
  const second = analyzeFile(target, new JailedFileSystem(workspace), { ...baseOptions, parseCache: cache });
  for (const [name, parsed] of first.tree.files) assert.equal(second.tree.files.get(name), parsed, rel(name));
});

test('mainConfigCandidates: the setting first, then nginx.conf above, then the workspace, never the file itself', () => {
  const candidates = mainConfigCandidates(file('etc', 'nginx', 'conf.d', 'app.conf'), new JailedFileSystem(workspace), {
    ...baseOptions,
    mainConfig: 'custom/main-server.conf',
  });
  assert.deepEqual(candidates.map(rel), ['custom/main-server.conf', 'etc/nginx/nginx.conf', 'deploy/nginx.conf']);
  const self = mainConfigCandidates(file('etc', 'nginx', 'nginx.conf'), new JailedFileSystem(workspace), baseOptions);
  assert.deepEqual(self.map(rel), ['deploy/nginx.conf']);
});

test('includeFolder: where a file matching an include pattern would appear', () => {
  assert.equal(includeFolder('/ws/conf.d/*.conf'), '/ws/conf.d');
  assert.equal(includeFolder('/ws/snippets/websocket.conf'), '/ws/snippets');
  assert.equal(includeFolder('/ws/sites/*/app.conf'), '/ws/sites');
  assert.equal(includeFolder('/ws/[ab]*/x/*.conf'), '/ws');
  assert.equal(includeFolder('/nginx.conf'), '/');
});

test('analyzeFile: includeFolders names the folders of globs with no match and of missing files', () => {
  const fs = new MemoryFileSystem({
    '/ws/nginx.conf':
      'http {\n  include maps/*.conf;\n  include conf.d/*.conf;\n  server { location / { include snippets/missing.conf; } }\n}\n',
    '/ws/conf.d/a.conf': 'server_names_hash_bucket_size 64;\n',
  });
  const analysis = analyzeFile('/ws/nginx.conf', fs, { workspaceFolders: ['/ws'] });
  assert.deepEqual([...analysis.includeFolders].sort(), ['/ws/conf.d', '/ws/maps', '/ws/snippets']);
  assert.deepEqual(analysis.dependencies, ['/ws/nginx.conf', '/ws/conf.d/a.conf']);
});

test('locations read before the model (a file without location, if or limit_except skips building it) are the model’s', () => {
  const trees = fixturePath('trees');
  const files = [
    ...readdirSync(trees, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.conf'))
      .map((entry) => path.join(entry.parentPath, entry.name)),
    ...(corpusSkipReason()
      ? []
      : readdirSync(corpusDir)
          .filter((name) => name.endsWith('.conf'))
          .map((name) => path.join(corpusDir, name))),
  ];
  assert.ok(files.length > 20, `${files.length} files`);
  let withoutLocations = 0;
  for (const file of files) {
    const root = file.startsWith(corpusDir) ? corpusDir : trees;
    const analysis = analyzeFile(file, new JailedFileSystem(root), { workspaceFolders: [path.dirname(file)] });
    const first = analysis.locations;
    const fromModel = analysis.model.locations.filter((location) => locationFile(location) === analysis.parsed.file);
    assert.deepEqual(
      first.map((location) => location.node),
      fromModel.map((location) => location.node),
      path.relative(root, file),
    );
    if (!first.length) withoutLocations++;
  }
  // Main configs of maps and includes: the case the shortcut is for.
  assert.ok(withoutLocations > 0);
});

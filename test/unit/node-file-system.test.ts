// NodeFileSystem.readFile reads ASCII files through a faster path than UTF-8 decoding: the text
// must be the same as readFileSync(file, 'utf8') gives, for ASCII and for anything else. glob expands
// as glob(3) does for nginx's include, directory listings standing in for a stat per entry.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { NodeFileSystem } from '../../server/src/node/nodeFileSystem';

let dir = '';
before(() => (dir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-readfile-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const CASES: [string, Buffer][] = [
  ['ascii', Buffer.from('http {\n    server { listen 80; }\n}\n')],
  ['empty', Buffer.alloc(0)],
  ['latin letters in UTF-8', Buffer.from('# café, Größe\nserver_name ü.example;\n')],
  ['emoji (outside the BMP)', Buffer.from('add_header X-Mood "😀";\n')],
  ['a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('events {}\n')])],
  ['invalid UTF-8 (a lone 0xff)', Buffer.from([0x23, 0x20, 0xff, 0x0a])],
  ['CRLF line ends', Buffer.from('events {}\r\nhttp {}\r\n')],
];

for (const [name, bytes] of CASES)
  test(`readFile: ${name} reads as UTF-8 decoding gives it`, () => {
    const file = path.join(dir, `${name.replace(/\W+/g, '-')}.conf`);
    writeFileSync(file, bytes);
    assert.equal(new NodeFileSystem().readFile(file), readFileSync(file, 'utf8'));
  });

test('readFile: a missing file is undefined, not an exception', () => {
  assert.equal(new NodeFileSystem().readFile(path.join(dir, 'missing.conf')), undefined);
});

test('readFile: an open editor buffer is read before the disk', () => {
  const file = path.join(dir, 'open.conf');
  writeFileSync(file, 'events {}\n');
  assert.equal(
    new NodeFileSystem((candidate) => (candidate === file ? 'unsaved' : undefined)).readFile(file),
    'unsaved',
  );
});

test('glob: files only, sorted, dot entries left out, symlinks followed, folders of a middle segment', () => {
  const root = path.join(dir, 'globbed');
  for (const folder of ['conf.d', 'sites/a', 'sites/b', 'sites/.hidden', 'sites/c.conf'])
    mkdirSync(path.join(root, folder), { recursive: true });
  for (const file of ['conf.d/b.conf', 'conf.d/a.conf', 'conf.d/.dot.conf', 'conf.d/B.conf', 'conf.d/notes.txt'])
    writeFileSync(path.join(root, file), 'events {}\n');
  for (const file of ['sites/a/app.conf', 'sites/b/app.conf', 'sites/.hidden/app.conf', 'sites/plain.conf'])
    writeFileSync(path.join(root, file), 'events {}\n');
  symlinkSync(path.join(root, 'conf.d', 'a.conf'), path.join(root, 'conf.d', 'link.conf'));
  symlinkSync(path.join(root, 'sites', 'a'), path.join(root, 'sites', 'linked'));
  symlinkSync(path.join(root, 'missing.conf'), path.join(root, 'conf.d', 'dangling.conf'));
  const disk = new NodeFileSystem();
  const rel = (pattern: string): string[] =>
    disk.glob(path.join(root, pattern)).map((file) => path.relative(root, file).split(path.sep).join('/'));
  assert.deepEqual(rel('conf.d/*.conf'), ['conf.d/B.conf', 'conf.d/a.conf', 'conf.d/b.conf', 'conf.d/link.conf']);
  assert.deepEqual(rel('conf.d/.*.conf'), ['conf.d/.dot.conf']);
  assert.deepEqual(rel('conf.d/[ab].conf'), ['conf.d/a.conf', 'conf.d/b.conf']);
  assert.deepEqual(rel('sites/*/app.conf'), ['sites/a/app.conf', 'sites/b/app.conf', 'sites/linked/app.conf']);
  // A folder named like a file is not a file.
  assert.deepEqual(rel('sites/*.conf'), ['sites/plain.conf']);
  assert.deepEqual(rel('nowhere/*.conf'), []);
  assert.deepEqual(rel('conf.d/a.conf'), ['conf.d/a.conf']);
});

test('glob: skipFolders keeps a workspace search out of node_modules, and an include glob enters it', () => {
  const root = path.join(dir, 'workspace');
  for (const folder of ['deploy/nginx', 'node_modules/pkg', 'node_modules/.bin'])
    mkdirSync(path.join(root, folder), { recursive: true });
  writeFileSync(path.join(root, 'deploy', 'nginx', 'nginx.conf'), 'events {}\n');
  writeFileSync(path.join(root, 'node_modules', 'pkg', 'nginx.conf'), 'events {}\n');
  const disk = new NodeFileSystem();
  const rel = (files: string[]): string[] => files.map((file) => path.relative(root, file).split(path.sep).join('/'));
  const pattern = path.join(root, '*', '*', 'nginx.conf');
  assert.deepEqual(rel(disk.glob(pattern, { skipFolders: new Set(['node_modules']) })), ['deploy/nginx/nginx.conf']);
  assert.deepEqual(rel(disk.glob(pattern)), ['deploy/nginx/nginx.conf', 'node_modules/pkg/nginx.conf']);
  // A folder named in the pattern itself is entered: only a `*` skips it.
  assert.deepEqual(
    rel(disk.glob(path.join(root, 'node_modules', '*', 'nginx.conf'), { skipFolders: new Set(['node_modules']) })),
    ['node_modules/pkg/nginx.conf'],
  );
});

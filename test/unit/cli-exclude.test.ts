// `nginx-ws check DIR --exclude PATTERN` reads PATTERN as a .gitignore line does: a bare name at any
// depth (the top folder included), `dir/` a folder, `/name` anchored at DIR. On a real folder.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { nginxFilesUnder } from '../../server/src/cli/check';

let dir = '';
const FILES = ['nginx.conf', 'flat.conf', 'conf.d/site.conf', 'conf.d/flat.conf', 'old/site.conf', 'old/deep/x.conf'];

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-exclude-'));
  for (const file of FILES) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), 'events {}\n');
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

const found = (exclude: string[]): string[] =>
  nginxFilesUnder(dir, exclude).map((file) => path.relative(dir, file).split(path.sep).join('/'));

test('no --exclude: every nginx file, sorted', () => {
  assert.deepEqual(found([]), [
    'conf.d/flat.conf',
    'conf.d/site.conf',
    'flat.conf',
    'nginx.conf',
    'old/deep/x.conf',
    'old/site.conf',
  ]);
});

test('a bare name leaves it out at every depth, the top folder too', () => {
  assert.deepEqual(found(['flat.conf']), ['conf.d/site.conf', 'nginx.conf', 'old/deep/x.conf', 'old/site.conf']);
});

test('/name is anchored at the folder checked', () => {
  assert.deepEqual(found(['/flat.conf']), [
    'conf.d/flat.conf',
    'conf.d/site.conf',
    'nginx.conf',
    'old/deep/x.conf',
    'old/site.conf',
  ]);
});

test('dir/ leaves out the folder and all below it', () => {
  assert.deepEqual(found(['old/']), ['conf.d/flat.conf', 'conf.d/site.conf', 'flat.conf', 'nginx.conf']);
});

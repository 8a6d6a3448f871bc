// Run folders of the end-to-end tests: sortable names, and pruning that keeps the newest.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pruneOldRuns, runFolderName } from '../e2e/support/results';

describe('run folders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-results-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('runFolderName sorts by start time and has no characters paths dislike', () => {
    const earlier = runFolderName('websocket-proxy', new Date('2026-01-31T09:05:00.000Z'));
    const later = runFolderName('websocket-proxy', new Date('2026-01-31T10:00:00.000Z'));
    assert.equal(earlier, 'run-2026-01-31T09-05-00-000Z-websocket-proxy');
    assert.ok(earlier < later);
  });

  test('pruneOldRuns leaves room for one more run and never touches other entries', () => {
    for (const hour of ['01', '02', '03', '04']) {
      mkdirSync(join(dir, runFolderName('x', new Date(`2026-01-31T${hour}:00:00.000Z`))));
    }
    mkdirSync(join(dir, 'build'));
    writeFileSync(join(dir, 'notes.txt'), '');
    pruneOldRuns(dir, 3);
    assert.deepEqual(readdirSync(dir).sort(), [
      'build',
      'notes.txt',
      'run-2026-01-31T03-00-00-000Z-x',
      'run-2026-01-31T04-00-00-000Z-x',
    ]);
  });

  test('pruneOldRuns accepts a folder that does not exist yet', () => {
    assert.doesNotThrow(() => pruneOldRuns(join(dir, 'missing')));
  });
});

// Run folders under test-results/: named by start time so they sort, the newest few kept for
// inspection (logs, screenshots, the edited workspace copy), older ones removed.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const RUNS_KEPT = 5;

/** `run-2026-01-31T12-00-00-000Z-<name>`: sortable, unique per start, safe in paths. */
export function runFolderName(name: string, now = new Date()): string {
  return `run-${now.toISOString().replace(/[:.]/g, '-')}-${name}`;
}

/** Removes all but the newest `keep` run folders of `dir`, to make room for one more run. */
export function pruneOldRuns(dir: string, keep = RUNS_KEPT): void {
  if (!existsSync(dir)) return;
  const runs = readdirSync(dir)
    .filter((name) => name.startsWith('run-'))
    .sort();
  for (const name of runs.slice(0, Math.max(0, runs.length - keep + 1))) {
    rmSync(join(dir, name), { recursive: true, force: true, maxRetries: 3 });
  }
}

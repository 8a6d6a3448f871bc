import { readdirSync } from 'node:fs';
import * as path from 'node:path';

/** Folders that hold dependencies or build output, never a config of the project's own. */
const SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn', '.vscode-test', 'out', 'dist', 'target', '.venv']);

/**
 * The `nginx.conf` files under `folder` (at most `limit`, at most `depth` folders down), in name
 * order: the whole configs of a workspace, for symbol search across them.
 */
export function mainConfigsUnder(folder: string, limit = 50, depth = 6): string[] {
  const found: string[] = [];
  const walk = (dir: string, level: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable: nothing of it can be searched
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (found.length >= limit) return;
      if (entry.isDirectory()) {
        if (level < depth && !SKIPPED.has(entry.name)) walk(path.join(dir, entry.name), level + 1);
      } else if (entry.name === 'nginx.conf') found.push(path.join(dir, entry.name));
    }
  };
  walk(folder, 0);
  return found;
}

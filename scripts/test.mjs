// Runs the test pyramid: unit, protocol (real language server over LSP), nginx (real nginx and
// ws), then the end-to-end suites in a real VS Code. `node scripts/test.mjs unit nginx` runs only
// those layers. Exits non-zero when any layer fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const NODE_LAYERS = ['unit', 'protocol', 'nginx'];
const ALL_LAYERS = [...NODE_LAYERS, 'e2e'];
const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const layers = requested.length ? requested : ALL_LAYERS;
for (const layer of layers) {
  if (!ALL_LAYERS.includes(layer)) {
    console.error(`Unknown test layer "${layer}". Layers: ${ALL_LAYERS.join(', ')}.`);
    process.exit(2);
  }
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

let failed = false;
const files = layers
  .filter((layer) => NODE_LAYERS.includes(layer))
  .flatMap((layer) => testFiles(join(root, 'test', layer)));
if (files.length) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) failed = true;
}
if (layers.includes('e2e')) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'e2e', 'run.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);

// The UI test's workspace is the bundled example (the README's screenshots come from it): the
// fixture's nginx files must stay the same as examples/vite-hmr's.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const ROOT = join(__dirname, '..', '..');

describe('e2e fixture workspaces', () => {
  for (const file of ['nginx.conf', 'conf.d/vite.conf']) {
    test(`vite-hmr/${file} is examples/vite-hmr/${file}`, () => {
      assert.equal(
        readFileSync(join(ROOT, 'test', 'fixtures', 'e2e-workspaces', 'vite-hmr', file), 'utf8'),
        readFileSync(join(ROOT, 'examples', 'vite-hmr', file), 'utf8'),
        'update test/fixtures/e2e-workspaces/vite-hmr (and the UI expectations in test/e2e/ui/smoke.ts) with the example',
      );
    });
  }
});

// The main job on the bundled example (examples/vite-hmr): what the editor shows, the proxied
// handshake through a real nginx (it fails, and why), the quick fixes applied to a copy, and the
// handshake again (it works). Run with `npm run demo` after `bash scripts/setup.sh`.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'server', 'out', 'cli.js');
const example = join(root, 'examples', 'vite-hmr');
const copy = mkdtempSync(join(tmpdir(), 'nginx-ws-demo-'));

function step(title) {
  console.log(`\n=== ${title}`);
}
function run(args) {
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status;
}

let exitCode = 1;
try {
  cpSync(example, copy, { recursive: true });
  const site = join(copy, 'conf.d', 'vite.conf');

  step('1. Diagnostics the editor shows for conf.d/vite.conf');
  run(['check', site]);

  step('2. The proxied WebSocket handshake through a real nginx, as configured');
  const before = run(['test', site, '--location', '/__vite_hmr']);
  console.log(
    `(exit code ${before}: ${before === 1 ? 'the handshake failed, as the diagnostics predicted' : 'unexpected'})`,
  );

  step('3. Applying the quick fixes to a copy of the example');
  run(['check', '--fix', site]);
  console.log(readFileSync(site, 'utf8'));

  step('4. The handshake again, after the fix');
  const after = run(['test', site, '--location', '/__vite_hmr']);
  console.log(
    `(exit code ${after}: ${after === 0 ? '101 Switching Protocols and the echo came back' : 'still failing'})`,
  );
  exitCode = before === 1 && after === 0 ? 0 : 1;
} finally {
  rmSync(copy, { recursive: true, force: true });
}
console.log(
  exitCode === 0 ? '\nDemo finished: the fix makes the WebSocket work.' : '\nDemo did not go as expected (see above).',
);
process.exit(exitCode);

// `npm run try`: the packaged extension in the offline VS Code (code-server), on a fresh copy of
// examples/vite-hmr, for a person to click through in a browser. Prints the URL and serves until
// Ctrl+C, then stops code-server and removes everything it made.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createIsolatedDirs, isolatedEnv, removeIsolatedTmp } from './support/isolation';
import { installedToolchain, REPO_ROOT } from './support/toolchain';
import { installVsix, startCodeServer, UI_TEST_SETTINGS } from './ui/code-server';
import { buildShippedExtension } from './ui/package-vsix';

async function main(): Promise<void> {
  const install = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'install-vscode.mjs')], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('Installing VS Code (code-server) failed; see above.');
  // Inside the repository (git-ignored), so that packaging finds the project's own vsce.
  mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
  const root = mkdtempSync(join(REPO_ROOT, 'test-results', 'try-'));
  const dirs = createIsolatedDirs(join(root, 'state'));
  const env = isolatedEnv(dirs);
  const workspace = join(root, 'vite-hmr');
  cpSync(join(REPO_ROOT, 'examples', 'vite-hmr'), workspace, { recursive: true });
  const serverDirs = {
    userDataDir: join(root, 'user-data'),
    extensionsDir: join(root, 'extensions'),
    configFile: join(root, 'code-server.yaml'),
    logFile: join(root, 'code-server.log'),
  };
  mkdirSync(serverDirs.userDataDir, { recursive: true });
  let stop = async (): Promise<void> => undefined;
  const cleanUp = async (): Promise<void> => {
    await stop();
    removeIsolatedTmp(dirs);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const build = await buildShippedExtension(join(root, 'build'));
    const toolchain = installedToolchain();
    await installVsix(toolchain, build.vsix, serverDirs, env);
    const server = await startCodeServer(toolchain, serverDirs, env, {
      ...UI_TEST_SETTINGS,
      'editor.occurrencesHighlight': 'singleFile',
    });
    stop = () => server.stop();
    console.log(`\nnginx-ws is installed in VS Code at:\n\n  ${server.url}/?folder=${encodeURIComponent(workspace)}\n`);
    console.log('Open conf.d/vite.conf, try the lightbulb and "nginx: Test WebSocket proxy". Ctrl+C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`try: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

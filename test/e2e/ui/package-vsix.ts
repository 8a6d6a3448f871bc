// Builds .vsix files with `vsce package --no-dependencies`, in a folder the caller owns: the
// shipped extension (production bundles, the .vscodeignore allow-list), which both the suite and
// the UI walk test, and the UI harness's stand-in. The repository is never packaged in place, and
// its client/out and server/out are never written.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { withDeadline } from '../support/processes';
import { REPO_ROOT } from '../support/toolchain';

const VSCE_TIMEOUT_MS = 120_000;
const BUNDLE_TIMEOUT_MS = 60_000;

type Manifest = Record<string, unknown>;

function repositoryManifest(): Manifest {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
}

/**
 * vsce warns about (and in a terminal asks to confirm) a missing LICENSE, and the README is the
 * extension's page; while the repository has neither, staged builds get placeholders.
 */
function stageDocuments(stagingDir: string): void {
  for (const [file, placeholder] of [
    ['language-configuration.json', '{}\n'],
    ['README.md', '# nginx-ws\n\nBuild packaged by the UI test harness (test/e2e/ui/package-vsix.ts).\n'],
    ['LICENSE', 'MIT License (placeholder written by the UI test harness)\n'],
  ] as const) {
    if (existsSync(join(REPO_ROOT, file))) copyFileSync(join(REPO_ROOT, file), join(stagingDir, file));
    else writeFileSync(join(stagingDir, file), placeholder);
  }
  if (existsSync(join(REPO_ROOT, 'CHANGELOG.md')))
    copyFileSync(join(REPO_ROOT, 'CHANGELOG.md'), join(stagingDir, 'CHANGELOG.md'));
}

/** Folders the manifest points into (grammar, icon); a missing one fails vsce with a clear message. */
function stageAssets(stagingDir: string): void {
  for (const folder of ['syntaxes', 'images']) {
    if (existsSync(join(REPO_ROOT, folder))) {
      cpSync(join(REPO_ROOT, folder), join(stagingDir, folder), { recursive: true });
    }
  }
}

async function vscePackage(stagingDir: string, manifest: Manifest, vsixName: string): Promise<string> {
  writeFileSync(join(stagingDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const vsix = join(stagingDir, vsixName);
  const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  await withDeadline(
    runCollectingOutput(process.execPath, [vsce, 'package', '--no-dependencies', '--out', vsix], stagingDir),
    VSCE_TIMEOUT_MS,
    'Timed out running vsce package',
  );
  return vsix;
}

export interface ShippedBuild {
  /** The extension as packaged (package.json, bundles, assets): the suite's extensionDevelopmentPath. */
  extensionDir: string;
  vsix: string;
  bytes: number;
}

/**
 * Top-level files and folders the .vscodeignore allow-list lets into the package (`!images/*.png`
 * → images), besides client/ and server/, whose bundles are built here. Pure.
 */
export function allowListedTopLevel(vscodeignore: string): string[] {
  const entries = new Set<string>(['package.json', '.vscodeignore']);
  for (const line of vscodeignore.split('\n')) {
    const pattern = line.trim();
    if (!pattern.startsWith('!')) continue;
    const first = pattern.slice(1).replace(/^\//, '').split('/')[0];
    if (first && !/[*?[{]/.test(first) && first !== 'client' && first !== 'server') entries.add(first);
  }
  return [...entries].sort();
}

/**
 * Builds the extension exactly as shipped, in `buildDir` (under the repository, so that npx finds
 * its vsce): `node scripts/bundle.mjs --production` run in `buildDir/extension`, where client/src
 * and server/src are links to the repository's sources, so the bundles land there and never
 * overwrite the client/out and server/out that others may be using; then the allow-listed assets,
 * and `npx vsce package --no-dependencies` with the repository's .vscodeignore.
 */
export async function buildShippedExtension(buildDir: string): Promise<ShippedBuild> {
  const extensionDir = join(buildDir, 'extension');
  const sources = ['client/src', 'server/src'];
  for (const source of sources) {
    mkdirSync(dirname(join(extensionDir, source)), { recursive: true });
    symlinkSync(join(REPO_ROOT, source), join(extensionDir, source), 'dir');
  }
  try {
    await withDeadline(
      runCollectingOutput(process.execPath, [join(REPO_ROOT, 'scripts', 'bundle.mjs'), '--production'], extensionDir),
      BUNDLE_TIMEOUT_MS,
      'Timed out running scripts/bundle.mjs --production',
    );
  } finally {
    for (const source of sources) rmSync(join(extensionDir, source), { force: true });
  }
  for (const entry of allowListedTopLevel(readFileSync(join(REPO_ROOT, '.vscodeignore'), 'utf8'))) {
    if (existsSync(join(REPO_ROOT, entry)))
      cpSync(join(REPO_ROOT, entry), join(extensionDir, entry), { recursive: true });
  }
  const manifest = repositoryManifest();
  const vsix = join(buildDir, `${String(manifest.name)}-${String(manifest.version)}.vsix`);
  await withDeadline(
    runCollectingOutput('npx', ['--no', '--', 'vsce', 'package', '--no-dependencies', '--out', vsix], extensionDir),
    VSCE_TIMEOUT_MS,
    'Timed out running npx vsce package',
  );
  return { extensionDir, vsix, bytes: statSync(vsix).size };
}

/**
 * The repository's manifest (languages, grammar, settings) around a stand-in client
 * (self-test-extension/extension.ts) with a known warning, quick fix and command.
 */
export async function packageSelfTestVsix(stagingDir: string): Promise<string> {
  const manifest = repositoryManifest();
  // Only what an installed extension reads: no workspaces, scripts, dev tooling or CLI.
  for (const field of ['workspaces', 'scripts', 'devDependencies', 'dependencies', 'bin']) delete manifest[field];
  manifest.main = './extension.js';
  const contributes = (manifest.contributes ?? {}) as Record<string, unknown>;
  contributes.commands = [{ command: 'nginxWsSelfTest.hello', title: 'Say hello', category: 'nginx-ws self-test' }];
  delete contributes.menus;
  manifest.contributes = contributes;
  await esbuild.build({
    entryPoints: [join(__dirname, 'self-test-extension', 'extension.ts')],
    outfile: join(stagingDir, 'extension.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  stageDocuments(stagingDir);
  stageAssets(stagingDir);
  return vscePackage(stagingDir, manifest, 'nginx-ws-self-test.vsix');
}

function runCollectingOutput(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolveRun()
        : reject(new Error(`${command} ${args.join(' ')} failed (exit code ${code}):\n${output}`)),
    );
  });
}

// Builds .vsix files for the UI tests with `vsce package --no-dependencies`, in a staging folder
// the caller owns (and removes): the repository itself is never packaged in place.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { withDeadline } from '../support/processes';
import { REPO_ROOT } from '../support/toolchain';

const VSCE_TIMEOUT_MS = 120_000;

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

/** The current build as shipped: package.json and the bundles from scripts/bundle.mjs. */
export async function packageRepositoryVsix(stagingDir: string): Promise<string> {
  for (const folder of ['client/out', 'server/out']) {
    const source = join(REPO_ROOT, folder);
    if (!existsSync(source)) throw new Error(`${folder} is missing: run node scripts/bundle.mjs first`);
    mkdirSync(join(stagingDir, folder), { recursive: true });
    for (const file of readdirSync(source).filter((name) => name.endsWith('.js'))) {
      copyFileSync(join(source, file), join(stagingDir, folder, file));
    }
  }
  stageDocuments(stagingDir);
  stageAssets(stagingDir);
  return vscePackage(stagingDir, repositoryManifest(), 'nginx-ws.vsix');
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
      code === 0 ? resolveRun() : reject(new Error(`vsce package failed (exit code ${code}):\n${output}`)),
    );
  });
}

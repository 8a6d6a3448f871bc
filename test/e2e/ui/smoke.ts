// UI tests of a packaged build: install the .vsix into code-server, open a fixture workspace in
// Chromium and walk through what a person does, saving a screenshot of each step under
// test-results/ui/<run>/.
//
//   node --import tsx test/e2e/run.ts --ui path/to/nginx-ws.vsix   the smoke walk on a packaged build
//   node --import tsx test/e2e/run.ts --ui-package                  ...on the current build, packaged now
//   node --import tsx test/e2e/run.ts --ui-self-test                ...on a stand-in build (harness check)
//
// startUiRun() and the steps in steps.ts are the building blocks; runUiSmoke() is one walk
// through them with expectations passed in (UiExpectations), to be tightened once the
// extension's diagnostics, quick fixes and commands are final.
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertChromium, launchBrowser, type Browser } from '../support/browser';
import { createIsolatedDirs, isolatedEnv, removeIsolatedTmp } from '../support/isolation';
import { cleanupOnInterrupt, raceWithTimeout } from '../support/processes';
import { pruneOldRuns, runFolderName } from '../support/results';
import { installedToolchain, REPO_ROOT } from '../support/toolchain';
import { installVsix, startCodeServer, type RunningCodeServer } from './code-server';
import { packageRepositoryVsix, packageSelfTestVsix } from './package-vsix';
import {
  chooseAction,
  clickFirstSquiggle,
  openFile,
  openProblems,
  openQuickFixes,
  openWorkbench,
  runCommand,
  UiSession,
  waitForNoSquiggles,
  waitForNotification,
  waitForSquiggles,
  type Severity,
} from './steps';

const RESULTS_DIR = join(REPO_ROOT, 'test-results', 'ui');
const WORKSPACES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'e2e-workspaces');

function say(message: string): void {
  console.log(`[ui] ${message}`);
}

export interface UiRun {
  session: UiSession;
  /** The fresh copy of the fixture workspace the window has open. */
  workspace: string;
  /** test-results/ui/<run>/: screenshots, code-server's log. */
  resultsDir: string;
  server: RunningCodeServer;
  close(): Promise<void>;
}

/**
 * Installs `vsix` into a fresh code-server, copies the fixture workspace, starts the server and
 * Chromium and opens the workbench on the copy. Call close() when done (it ends everything).
 */
export async function startUiRun(vsix: string, options: { workspace: string; name: string }): Promise<UiRun> {
  const toolchain = installedToolchain();
  assertChromium();
  if (!existsSync(vsix)) throw new Error(`No .vsix at ${vsix}`);
  pruneOldRuns(RESULTS_DIR);
  const resultsDir = join(RESULTS_DIR, runFolderName(options.name));
  const stateDir = join(resultsDir, 'state');
  const workspace = join(resultsDir, options.workspace);
  cpSync(join(WORKSPACES_DIR, options.workspace), workspace, { recursive: true });
  const dirs = createIsolatedDirs(stateDir);
  const env = isolatedEnv(dirs);
  const codeServerDirs = {
    userDataDir: join(stateDir, 'user-data'),
    extensionsDir: join(stateDir, 'extensions'),
    configFile: join(stateDir, 'code-server.yaml'),
    logFile: join(resultsDir, 'code-server.log'),
  };
  const browserProfile = join(stateDir, 'browser-profile');

  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    if (browser)
      await raceWithTimeout(
        browser.close().catch(() => undefined),
        10_000,
      );
    if (server) await server.stop();
    removeIsolatedTmp(dirs);
    rmSync(browserProfile, { recursive: true, force: true, maxRetries: 3 });
  };
  const removeInterruptHandler = cleanupOnInterrupt(close);
  const closeOnce = async (): Promise<void> => {
    removeInterruptHandler();
    await close();
  };
  try {
    let started = Date.now();
    await installVsix(toolchain, vsix, codeServerDirs, env);
    say(`installed ${vsix} in ${Date.now() - started} ms`);
    started = Date.now();
    server = await startCodeServer(toolchain, codeServerDirs, env);
    say(`code-server at ${server.url} after ${Date.now() - started} ms`);
    browser = await launchBrowser(browserProfile, env);
    const session = new UiSession(browser.page, resultsDir);
    started = Date.now();
    await openWorkbench(browser.page, server.url, workspace);
    say(`workbench open on ${workspace} after ${Date.now() - started} ms`);
    return { session, workspace, resultsDir, server, close: closeOnce };
  } catch (error) {
    await closeOnce();
    throw error;
  }
}

/** What the smoke walk expects to see; defaults fit any build that flags conf.d/app.conf. */
export interface UiExpectations {
  /** Fixture under test/fixtures/e2e-workspaces/. */
  workspace: string;
  /** Workspace-relative file to open with Ctrl+P. */
  file: string;
  severities: Severity[];
  /** A quick fix to apply from the lightbulb menu; then the squiggles must go away. */
  quickFix?: string | RegExp;
  /** A palette command to run (its title as the palette shows it), and the notification it shows. */
  command?: { title: string; notification?: string | RegExp };
}

export const DEFAULT_EXPECTATIONS: UiExpectations = {
  workspace: 'websocket-proxy',
  file: 'conf.d/app.conf',
  severities: ['error', 'warning'],
};

/** Opens the file, sees the squiggles, the Problems panel, the lightbulb menu and runs a command. */
export async function runUiSmoke(vsix: string, expectations: UiExpectations = DEFAULT_EXPECTATIONS): Promise<void> {
  const started = Date.now();
  const run = await startUiRun(vsix, { workspace: expectations.workspace, name: 'smoke' });
  const { page } = run.session;
  const step = async (name: string, action: () => Promise<void>): Promise<void> => {
    const stepStarted = Date.now();
    await action();
    const shot = await run.session.screenshot(name);
    say(`✔ ${name} (${Date.now() - stepStarted} ms) → ${shot}`);
  };
  try {
    await run.session.screenshot('workbench');
    await step('open-file', () => openFile(page, expectations.file));
    await step('squiggles', async () => {
      const counts = await waitForSquiggles(page, expectations.severities);
      say(`squiggles: ${counts.error} error, ${counts.warning} warning`);
    });
    await step('problems', async () => {
      const problems = await openProblems(page, 1);
      for (const problem of problems) say(`problem: ${problem}`);
    });
    await step('lightbulb', async () => {
      await clickFirstSquiggle(page, expectations.severities);
      const actions = await openQuickFixes(page);
      for (const action of actions) say(`action: ${action}`);
      assert.ok(actions.length > 0, 'the lightbulb menu offers at least one action');
    });
    if (expectations.quickFix) {
      const quickFix = expectations.quickFix;
      await step('quick-fix-applied', async () => {
        await chooseAction(page, quickFix);
        await waitForNoSquiggles(page, expectations.severities);
      });
    } else {
      await page.keyboard.press('Escape');
    }
    const command: UiExpectations['command'] = expectations.command ?? (await firstContributedCommand(run));
    if (command) {
      await step('command', async () => {
        await runCommand(page, command.title);
        if (command.notification) say(`notification: ${await waitForNotification(page, command.notification)}`);
      });
    } else {
      say('the extension contributes no command: palette step skipped');
    }
    say(`UI smoke passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${run.resultsDir}`);
  } catch (error) {
    const shot = await raceWithTimeout(
      run.session.screenshot('failure').catch(() => undefined),
      5000,
    );
    if (shot) console.error(`[ui] screenshot of the failure: ${shot}`);
    throw error;
  } finally {
    await run.close();
  }
}

/** The palette title ("Category: Title") of the installed extension's first contributed command. */
async function firstContributedCommand(run: UiRun): Promise<{ title: string } | undefined> {
  const extensionsDir = join(run.resultsDir, 'state', 'extensions');
  for (const entry of readdirSync(extensionsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const manifest = JSON.parse(readFileSync(join(extensionsDir, entry.name, 'package.json'), 'utf8')) as {
      contributes?: { commands?: { title: string; category?: string }[] };
    };
    const command = manifest.contributes?.commands?.[0];
    if (command) return { title: command.category ? `${command.category}: ${command.title}` : command.title };
  }
  return undefined;
}

/**
 * Packages the current build (run scripts/bundle.mjs first) in a temporary folder and walks the
 * smoke test through it.
 */
export async function runUiOnCurrentBuild(expectations: UiExpectations = DEFAULT_EXPECTATIONS): Promise<void> {
  const packageDir = mkdtempSync(join(tmpdir(), 'nginx-ws-vsix-'));
  try {
    const vsix = await packageRepositoryVsix(packageDir);
    say(`packaged ${vsix}`);
    await runUiSmoke(vsix, expectations);
  } finally {
    rmSync(packageDir, { recursive: true, force: true });
  }
}

/**
 * Packages the repository's manifest with a stand-in client (self-test-extension/) in a
 * temporary folder and walks the smoke test through it, expecting the stand-in's warning, quick
 * fix and command: proves the harness independently of the extension's progress.
 */
export async function runUiSelfTest(): Promise<void> {
  const packageDir = mkdtempSync(join(tmpdir(), 'nginx-ws-vsix-'));
  try {
    const vsix = await packageSelfTestVsix(packageDir);
    say(`packaged ${vsix}`);
    await runUiSmoke(vsix, {
      ...DEFAULT_EXPECTATIONS,
      severities: ['warning'],
      quickFix: 'Add WebSocket upgrade headers (self-test)',
      command: { title: 'nginx-ws self-test: Say hello', notification: 'self-test command ran' },
    });
  } finally {
    rmSync(packageDir, { recursive: true, force: true });
  }
}

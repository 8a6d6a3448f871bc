// UI tests of a packaged build: install the .vsix into code-server, open a fixture workspace in
// Chromium and walk through what a person does, saving a screenshot of each step under
// test-results/ui/<run>/.
//
//   node --import tsx test/e2e/run.ts --only ui                    the walk on the current build, packaged now
//   node --import tsx test/e2e/run.ts --ui path/to/nginx-ws.vsix   ...on a given package
//   node --import tsx test/e2e/run.ts --ui-self-test                ...on a stand-in build (harness check)
//
// startUiRun() and the steps in steps.ts are the building blocks; runUiSmoke() is one walk
// through them with expectations passed in: NGINX_WS_EXPECTATIONS for the extension (on the
// vite-hmr fixture, the bundled example), the stand-in's own for the self-test.
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
import { activationTime } from '../support/activation';
import { packageSelfTestVsix } from './package-vsix';
import {
  chooseAction,
  clickFirstSquiggle,
  goToLine,
  highlightAction,
  openFile,
  openProblems,
  openQuickFixes,
  openWorkbench,
  runCommand,
  showNotificationCenter,
  toggleMaximizedPanel,
  UiSession,
  waitForNoSquiggles,
  waitForNotification,
  waitForPanelText,
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

/** What the walk expects to see, step by step. */
export interface UiExpectations {
  /** Fixture under test/fixtures/e2e-workspaces/. */
  workspace: string;
  /** Workspace-relative file to open with Ctrl+P. */
  file: string;
  severities: Severity[];
  /** A row of the Problems panel must match this (the finding as listed there). */
  problem?: string | RegExp;
  /** A quick fix to apply from the lightbulb menu; then the squiggles must go away. */
  quickFix?: string | RegExp;
  /** A palette command to run (its title as the palette shows it), and the notification it shows. */
  command?: {
    title: string;
    /** 1-based line to put the cursor on first (Ctrl+G): the command acts where the cursor is. */
    cursorLine?: number;
    notification?: string | RegExp;
  };
  /** Then a palette command that shows the output channel, and a line it must show. */
  output?: { command: string; text: string | RegExp };
}

/** The harness's own defaults: any build that flags conf.d/app.conf of the websocket-proxy fixture. */
export const DEFAULT_EXPECTATIONS: UiExpectations = {
  workspace: 'websocket-proxy',
  file: 'conf.d/app.conf',
  severities: ['error', 'warning'],
};

/**
 * nginx-ws as a person meets it, on the bundled example (the vite-hmr fixture): the HMR
 * location's warnings, the Problems panel, the lightbulb's fix, and the proxy test passing
 * through the real nginx once fixed, with its details in the output channel.
 */
export const NGINX_WS_EXPECTATIONS: UiExpectations = {
  workspace: 'vite-hmr',
  file: 'conf.d/vite.conf',
  severities: ['error', 'warning'],
  problem:
    /^Warning: WebSocket upgrade will fail here: for a Chrome or a Firefox handshake the backend receives no Upgrade header/,
  quickFix: 'Add all 3 missing WebSocket lines to this location',
  command: {
    title: 'nginx: Test WebSocket proxy',
    // `location /__vite_hmr {` in conf.d/vite.conf
    cursorLine: 12,
    notification: /location \/__vite_hmr: WebSocket works through nginx — 101 Switching Protocols/,
  },
  output: { command: 'nginx: Show nginx-ws output', text: 'Result: PASSED — location /__vite_hmr' },
};

/** Where a walk left its screenshots, by step name. */
export interface UiWalkReport {
  resultsDir: string;
  screenshots: Map<string, string>;
  /** "language server started in N ms" from the extension's log, when it was there. */
  activationMs: number | undefined;
}

/**
 * Opens the file, sees the squiggles and the Problems panel, applies a fix from the lightbulb
 * and runs a command, with a screenshot after each step.
 */
export async function runUiSmoke(
  vsix: string,
  expectations: UiExpectations = DEFAULT_EXPECTATIONS,
): Promise<UiWalkReport> {
  const started = Date.now();
  const run = await startUiRun(vsix, { workspace: expectations.workspace, name: 'smoke' });
  const { page } = run.session;
  const screenshots = new Map<string, string>();
  const step = async (name: string, action: () => Promise<void>): Promise<void> => {
    const stepStarted = Date.now();
    await action();
    const shot = await run.session.screenshot(name);
    screenshots.set(name, shot);
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
      if (expectations.problem) {
        const wanted = expectations.problem;
        assert.ok(
          problems.some((problem) => (typeof wanted === 'string' ? problem.includes(wanted) : wanted.test(problem))),
          `the Problems panel lists ${String(wanted)}`,
        );
      }
    });
    await step('lightbulb', async () => {
      await clickFirstSquiggle(page, expectations.severities);
      const actions = await openQuickFixes(page);
      for (const action of actions) say(`action: ${action}`);
      assert.ok(actions.length > 0, 'the lightbulb menu offers at least one action');
      if (expectations.quickFix) {
        const wanted = expectations.quickFix;
        assert.ok(
          actions.some((action) => (typeof wanted === 'string' ? action === wanted : wanted.test(action))),
          `the lightbulb menu offers ${String(wanted)}`,
        );
        // The screenshot shows the fix the walk is about to apply.
        await highlightAction(page, wanted);
      }
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
        if (command.cursorLine !== undefined) await goToLine(page, command.cursorLine);
        await runCommand(page, command.title);
        if (command.notification) {
          say(`notification: ${await waitForNotification(page, command.notification, { hold: true })}`);
        }
      });
    } else {
      say('the extension contributes no command: palette step skipped');
    }
    if (expectations.output) {
      const output = expectations.output;
      await step('output', async () => {
        await runCommand(page, output.command);
        // All of the channel's story at once, and the notification next to it: the toast may have
        // gone by now, the notification center keeps it.
        await toggleMaximizedPanel(page);
        say(`output: ${await waitForPanelText(page, output.text)}`);
        if (command?.notification) await showNotificationCenter(page, command.notification);
      });
    }
    say(`UI walk passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${run.resultsDir}`);
    return {
      resultsDir: run.resultsDir,
      screenshots,
      activationMs: activationTime(join(run.resultsDir, 'state', 'user-data')),
    };
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

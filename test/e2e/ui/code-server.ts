// code-server as a person would run it, for the UI tests: install a packaged .vsix, serve the
// workbench on 127.0.0.1 without auth, wait until /healthz answers.
import { get } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolchainPaths } from '../toolchain.cjs';
import { startProcessGroup, stopProcessGroup, withDeadline, type GroupProcess } from '../support/processes';

const HOST = '127.0.0.1';
const INSTALL_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 60_000;

/**
 * User settings for a quiet, predictable window. code-server keeps user settings on the server
 * (`<user-data-dir>/User/settings.json`), so they can be written before it starts.
 */
export const UI_TEST_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  // The word at a cursor is otherwise highlighted on every line (in the output channel, the date
  // that starts each line): noise in the screenshots.
  'editor.occurrencesHighlight': 'off',
};

export interface CodeServerDirs {
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own config file: given explicitly so it never writes ~/.config/code-server. */
  configFile: string;
  logFile: string;
}

/** `code-server --install-extension file.vsix`: the way a user installs a packaged build. */
export async function installVsix(
  toolchain: ToolchainPaths,
  vsix: string,
  dirs: CodeServerDirs,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  mkdirSync(dirs.extensionsDir, { recursive: true });
  const install = startProcessGroup(
    toolchain.node,
    [
      toolchain.codeServerEntry,
      '--config',
      dirs.configFile,
      '--user-data-dir',
      dirs.userDataDir,
      '--extensions-dir',
      dirs.extensionsDir,
      '--force',
      '--install-extension',
      vsix,
    ],
    { env, logFile: dirs.logFile },
  );
  let status: number | NodeJS.Signals;
  try {
    status = await withDeadline(install.exited, INSTALL_TIMEOUT_MS, `Timed out installing ${vsix}`);
  } finally {
    await stopProcessGroup(install, 1000);
  }
  const output = install.recentLines().join('\n');
  // code-server reports some install failures on stdout with exit code 0: look for the success line.
  if (status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`Installing ${vsix} failed (${status}):\n${output}`);
  }
}

export interface RunningCodeServer {
  url: string;
  port: number;
  process: GroupProcess;
  stop(): Promise<void>;
}

/** Serves the workbench on a free port of 127.0.0.1 and resolves once /healthz answers. */
export async function startCodeServer(
  toolchain: ToolchainPaths,
  dirs: CodeServerDirs,
  env: NodeJS.ProcessEnv,
  settings: Record<string, unknown> = UI_TEST_SETTINGS,
): Promise<RunningCodeServer> {
  mkdirSync(join(dirs.userDataDir, 'User'), { recursive: true });
  writeFileSync(join(dirs.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  const server = startProcessGroup(
    toolchain.node,
    [
      toolchain.codeServerEntry,
      '--config',
      dirs.configFile,
      '--bind-addr',
      `${HOST}:0`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir',
      dirs.userDataDir,
      '--extensions-dir',
      dirs.extensionsDir,
      // The folder is opened through the URL: code-server would otherwise reopen the last one.
      '--ignore-last-opened',
    ],
    { env, logFile: dirs.logFile },
  );
  try {
    const port = await server.waitForLine(
      (line) => {
        const match = /HTTP server listening on http:\/\/[^:]+:(\d+)/.exec(line);
        return match ? Number(match[1]) : undefined;
      },
      START_TIMEOUT_MS,
      'code-server to listen',
    );
    const url = `http://${HOST}:${port}`;
    await waitForHealthz(url, server, START_TIMEOUT_MS);
    return { url, port, process: server, stop: () => stopProcessGroup(server) };
  } catch (error) {
    await stopProcessGroup(server);
    const lines = server.recentLines().join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\ncode-server output:\n${lines}`);
  }
}

function healthz(url: string): Promise<boolean> {
  return new Promise((resolveCheck) => {
    const request = get(`${url}/healthz`, (response) => {
      response.resume();
      resolveCheck(response.statusCode === 200);
    });
    request.setTimeout(2000, () => request.destroy());
    request.on('error', () => resolveCheck(false));
  });
}

/**
 * Asks /healthz until it answers 200. The listening line comes first, so the first answer is
 * usually 200; otherwise it asks again every 100 ms, until the deadline or the server exits.
 */
async function waitForHealthz(url: string, server: GroupProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void server.exited.then(() => (exited = true));
  while (!(await healthz(url))) {
    if (exited) throw new Error('code-server exited before /healthz answered');
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${url}/healthz`);
    await new Promise((resolveTick) => setTimeout(resolveTick, 100));
  }
}

// Stands in for the VS Code executable that @vscode/test-electron's runTests launches, on
// machines that cannot download VS Code: it takes the same Electron-style command line, starts
// the VS Code server bundled in code-server with Node 24, opens the web workbench in Chromium
// with a payload that runs the extension tests in the real (Node) extension host, forwards the
// workbench's log to stdout and exits with the tests' exit code.
//
// run.ts writes a small executable wrapper that loads this file through tsx; by hand:
//   node --import tsx test/e2e/launcher/code-launcher.ts <folder> \
//     --extensionDevelopmentPath=<repo> --extensionTestsPath=<bundled suite index.js>
//
// Environment: NGINX_WS_E2E_TIMEOUT_MS (overall deadline, default 180000),
// NGINX_WS_E2E_STATE_DIR (server data, browser profile, logs; default next to --user-data-dir),
// NGINX_WS_E2E_VERBOSE=1 (echo the server's and the browser's own output),
// NGINX_WS_E2E_SKIP_BUILTIN (see support/isolation.ts), CHROMIUM_PATH.
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertChromium, launchBrowser, type Browser } from '../support/browser';
import { createIsolatedDirs, isolatedEnv, removeIsolatedTmp } from '../support/isolation';
import { startProcessGroup, stopProcessGroup, raceWithTimeout, type GroupProcess } from '../support/processes';
import { installedToolchain } from '../support/toolchain';
import {
  buildWorkbenchUrl,
  durationFromEnv,
  parseLaunchArgs,
  parseListeningPort,
  routeAutomationLog,
  SUITE_OUTPUT_PREFIX,
  SUITE_OUTPUT_PREFIX_ENV,
  toExitCode,
} from './launch-args';

const HOST = '127.0.0.1';
const SERVER_START_TIMEOUT_MS = 30_000;
const BROWSER_CLOSE_TIMEOUT_MS = 10_000;
const verbose = process.env.NGINX_WS_E2E_VERBOSE === '1';

function say(message: string): void {
  process.stdout.write(`[code-launcher] ${message}\n`);
}

function fail(message: string): void {
  process.stderr.write(`[code-launcher] ${message}\n`);
}

/** A promise that is settled from outside, once. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolvePromise!: (value: T) => void;
  let rejectPromise!: (error: Error) => void;
  const promise = new Promise<T>((resolveNow, rejectNow) => {
    resolvePromise = resolveNow;
    rejectPromise = rejectNow;
  });
  return { promise, resolve: resolvePromise, reject: rejectPromise };
}

async function main(): Promise<number> {
  const started = Date.now();
  const request = parseLaunchArgs(process.argv.slice(2), process.cwd());
  const deadlineMs = durationFromEnv(process.env.NGINX_WS_E2E_TIMEOUT_MS, 180_000);
  if (request.extensionTestsPath === undefined) {
    throw new Error('Missing --extensionTestsPath=: this launcher only runs extension tests.');
  }
  if (!existsSync(request.extensionTestsPath) && !existsSync(`${request.extensionTestsPath}.js`)) {
    throw new Error(`--extensionTestsPath ${request.extensionTestsPath} does not exist.`);
  }

  const toolchain = installedToolchain();
  assertChromium();

  const userDataDir = request.userDataDir ?? join(toolchain.cacheDir, 'user-data');
  const extensionsDir = request.extensionsDir ?? join(toolchain.cacheDir, 'extensions');
  const stateDir = process.env.NGINX_WS_E2E_STATE_DIR || join(dirname(userDataDir), 'launcher');
  const serverDataDir = join(stateDir, 'server-data');
  const browserProfileDir = join(stateDir, 'browser-profile');
  for (const dir of [userDataDir, extensionsDir, serverDataDir]) mkdirSync(dir, { recursive: true });
  const dirs = createIsolatedDirs(stateDir);
  const env = {
    ...isolatedEnv(dirs),
    [SUITE_OUTPUT_PREFIX_ENV]: SUITE_OUTPUT_PREFIX,
  };

  // `aborted` only ever rejects (deadline, signal, server or browser gone); every wait races it.
  const aborted = deferred<never>();
  aborted.promise.catch(() => undefined);
  const until = <T>(step: Promise<T>): Promise<T> => Promise.race([step, aborted.promise]);
  const testsExited = deferred<number>();
  const deadline = setTimeout(
    () => aborted.reject(new Error(`Timed out after ${deadlineMs / 1000} s (NGINX_WS_E2E_TIMEOUT_MS).`)),
    deadlineMs,
  );
  // Kept (not `once`) so a second Ctrl+C cannot kill the launcher mid-cleanup and orphan the server.
  const onSignal = (signal: NodeJS.Signals): void => aborted.reject(new Error(`Interrupted by ${signal}.`));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  const stamp = (): string => `+${((Date.now() - started) / 1000).toFixed(1)}s`;
  const workbenchLogFile = join(stateDir, 'workbench.log');
  const workbenchLog = createWriteStream(workbenchLogFile);
  let server: GroupProcess | undefined;
  let browserLaunch: Promise<Browser> | undefined;
  let browser: Browser | undefined;
  let failureScreenshot: string | undefined;
  try {
    server = startProcessGroup(
      toolchain.node,
      [
        toolchain.vscodeServerMain,
        '--host',
        HOST,
        '--port',
        '0',
        '--without-connection-token',
        '--accept-server-license-terms',
        // Makes the workbench honour the `payload` URL parameter and expose codeAutomationExit.
        '--enable-smoke-test-driver',
        '--disable-telemetry',
        '--disable-workspace-trust',
        '--user-data-dir',
        userDataDir,
        '--server-data-dir',
        serverDataDir,
        '--extensions-dir',
        extensionsDir,
      ],
      { env, logFile: join(stateDir, 'server.log'), echo: verbose ? process.stderr : undefined },
    );
    void server.exited.then((status) =>
      aborted.reject(new Error(`The VS Code server exited (${status}) before the tests finished.`)),
    );
    const port = await until(
      server.waitForLine(parseListeningPort, SERVER_START_TIMEOUT_MS, 'the VS Code server to listen'),
    );
    say(`VS Code server (code-server's VS Code) listening on ${HOST}:${port} after ${Date.now() - started} ms`);

    browserLaunch = launchBrowser(browserProfileDir, env);
    browser = await until(browserLaunch);
    const { context, page } = browser;
    page.on('pageerror', (error) => workbenchLog.write(`${stamp()} [pageerror] ${error.stack ?? error.message}\n`));
    if (verbose)
      page.on('console', (message) => process.stderr.write(`[browser ${message.type()}] ${message.text()}\n`));
    page.on('crash', () => aborted.reject(new Error('The workbench page crashed.')));
    context.on('close', () => aborted.reject(new Error('The browser closed before the tests finished.')));
    await context.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
      const { route, text } = routeAutomationLog(type, args);
      workbenchLog.write(`${stamp()} [${String(type)}] ${text}\n`);
      if (route === 'test-output') process.stdout.write(text + '\n');
      else if (route === 'error') process.stderr.write(`[workbench error] ${text}\n`);
      else if (verbose) process.stderr.write(`[workbench ${String(type)}] ${text}\n`);
    });
    await context.exposeFunction('codeAutomationExit', (code: unknown) => testsExited.resolve(toExitCode(code)));

    const url = buildWorkbenchUrl({
      host: HOST,
      port,
      target: request.target,
      extensionDevelopmentPaths: request.extensionDevelopmentPaths,
      extensionTestsPath: request.extensionTestsPath,
    });
    if (verbose) say(`opening ${url} (ignoring ${request.ignoredFlags.join(' ') || 'no flags'})`);
    await until(page.goto(url, { waitUntil: 'domcontentloaded' }));
    say(`workbench loaded after ${Date.now() - started} ms; running the extension tests`);

    const screenshot = async (): Promise<void> => {
      const file = join(stateDir, 'failure.png');
      const taken = await raceWithTimeout(
        page.screenshot({ path: file }).then(
          () => true,
          () => false,
        ),
        5000,
      );
      if (taken) failureScreenshot = file;
    };
    let code: number;
    try {
      code = await until(testsExited.promise);
    } catch (error) {
      await screenshot();
      throw error;
    }
    say(`tests finished with exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (code !== 0) {
      await screenshot();
      fail(`Workbench log: ${workbenchLogFile}`);
      if (failureScreenshot) fail(`Screenshot: ${failureScreenshot}`);
    }
    return code;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    fail(message);
    if (server) {
      fail(`Last lines of the VS Code server (full log: ${join(stateDir, 'server.log')}):`);
      const lastLines = server.recentLines().filter((line) => line.trim());
      for (const line of lastLines.slice(-20)) fail(`  ${line}`);
    }
    if (browser) fail(`Workbench log: ${workbenchLogFile}`);
    if (failureScreenshot) fail(`Screenshot: ${failureScreenshot}`);
    return 1;
  } finally {
    clearTimeout(deadline);
    // Each part is bounded: a hung browser must not keep the server's process group alive. A
    // browser still starting when the run was aborted is waited for, then closed.
    if (browserLaunch) {
      const launched = await raceWithTimeout(
        browserLaunch.catch(() => undefined),
        BROWSER_CLOSE_TIMEOUT_MS,
      );
      if (launched) {
        const closing = launched.close().catch((error: Error) => fail(`closing the browser: ${error.message}`));
        await raceWithTimeout(closing, BROWSER_CLOSE_TIMEOUT_MS);
      }
    }
    if (server) await stopProcessGroup(server);
    workbenchLog.end();
    // The profile is only scratch (and large); the logs and any screenshot stay.
    for (const remove of [
      () => removeIsolatedTmp(dirs),
      () => rmSync(browserProfileDir, { recursive: true, force: true, maxRetries: 3 }),
    ]) {
      try {
        remove();
      } catch (error) {
        fail(`cleaning up: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    fail(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

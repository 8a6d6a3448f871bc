// Debian's chromium driven by playwright-core: the browser these offline machines can install
// (Playwright's own browser download has no route here).
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_CHROMIUM_PATH } from '../toolchain.cjs';

// --no-sandbox: test machines and containers often run as root, where Chromium's sandbox refuses
// to start. The rest keep a headless browser from reaching for the network (updates, sync, QUIC).
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

export function assertChromium(): string {
  const path = chromiumPath();
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}. Install it with: apt-get install -y chromium (or set CHROMIUM_PATH).`,
    );
  }
  return path;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh headless Chromium with its profile in `profileDir` and the given environment. */
export async function launchBrowser(profileDir: string, env: NodeJS.ProcessEnv): Promise<Browser> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: assertChromium(),
    headless: true,
    args: CHROMIUM_FLAGS,
    env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    viewport: { width: 1400, height: 900 },
    // The caller ends the browser itself when it ends, signal or not.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    // Playwright starts Chromium in its own process group and kills the group when closing.
    close: () => context.close(),
  };
}

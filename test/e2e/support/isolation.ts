// Keeps every file VS Code, code-server and Chromium write inside the test run's folder: without
// these variables they write into $HOME (~/.config, ~/.local/share, ~/.cache) and /tmp.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IsolatedDirs {
  root: string;
  config: string;
  data: string;
  cache: string;
  /**
   * TMPDIR, the one folder outside the run's: Chromium and VS Code put Unix sockets there, and a
   * socket path longer than 107 bytes fails (Chromium aborts with "Socket path too long"), which
   * a folder under test-results/ easily is. A fresh short folder in the system temp dir; call
   * removeIsolatedDirs when the run ends.
   */
  tmp: string;
}

export function createIsolatedDirs(root: string): IsolatedDirs {
  const dirs: IsolatedDirs = {
    root,
    config: join(root, 'xdg-config'),
    data: join(root, 'xdg-data'),
    cache: join(root, 'xdg-cache'),
    tmp: mkdtempSync(join(tmpdir(), 'nginx-ws-e2e-')),
  };
  for (const dir of [dirs.config, dirs.data, dirs.cache]) mkdirSync(dir, { recursive: true });
  return dirs;
}

/** Removes the temporary folder; the XDG folders stay with the run's other files. */
export function removeIsolatedTmp(dirs: IsolatedDirs): void {
  rmSync(dirs.tmp, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Built-in extensions the VS Code server leaves out (its VSCODE_SKIP_BUILTIN_EXTENSIONS): the
 * ones that activate at startup, which extension tests wait for, and reach for GitHub, Microsoft
 * or git (the fixture copies sit inside this repository's git checkout). On two cores they cost
 * seconds and fill the log, and they have nothing to do with nginx. NGINX_WS_E2E_SKIP_BUILTIN
 * overrides the list (comma-separated ids; empty keeps every built-in extension).
 */
export const SKIPPED_BUILTIN_EXTENSIONS = [
  'GitHub.copilot-chat',
  'vscode.git',
  'vscode.git-base',
  'vscode.github',
  'vscode.github-authentication',
  'vscode.microsoft-authentication',
  'vscode.merge-conflict',
  'vscode.debug-auto-launch',
  'vscode.tunnel-forwarding',
];

export function isolatedEnv(dirs: IsolatedDirs, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    VSCODE_SKIP_BUILTIN_EXTENSIONS: base.NGINX_WS_E2E_SKIP_BUILTIN ?? SKIPPED_BUILTIN_EXTENSIONS.join(','),
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    XDG_RUNTIME_DIR: undefined,
    TMPDIR: dirs.tmp,
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  };
}

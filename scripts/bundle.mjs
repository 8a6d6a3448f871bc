// Bundles the client, the language server and the CLI with esbuild, as shipped in the .vsix.
// `tsc -b` type-checks; this produces the files package.json and the client point at.
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // ws tries these optional native speed-ups with require() inside try/catch.
  external: ['vscode', 'bufferutil', 'utf-8-validate'],
  define: { 'process.env.NGINX_WS_VERSION': JSON.stringify(version) },
};

/**
 * nginx's documentation (@nginx/reference-lib, 1.7 MB) is its own file beside the server and the
 * CLI, required when a hover or completion first needs a description: inside a bundle, V8 would
 * read it at every start (~40 ms), which a `nginx-ws check` in CI pays for nothing.
 */
const NGINX_DOCS = 'server/out/nginx-docs.js';
const docsApart = {
  name: 'nginx-docs-apart',
  setup(build) {
    build.onResolve({ filter: /^@nginx\/reference-lib$/ }, () => ({ path: './nginx-docs.js', external: true }));
  },
};

const builds = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'client/out/extension.js' },
  { entryPoints: ['server/src/server.ts'], outfile: 'server/out/server.js', plugins: [docsApart] },
  {
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'server/out/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [docsApart],
  },
  { entryPoints: ['@nginx/reference-lib'], outfile: NGINX_DOCS, sourcemap: false },
];

/** Lines the VS Code task's problem matcher waits for (.vscode/tasks.json). */
const watchLog = {
  name: 'watch-log',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => console.log(`[watch] build finished (${result.errors.length} errors)`));
  },
};

if (watch) {
  for (const build of builds) {
    const context = await esbuild.context({ ...common, ...build, plugins: [...(build.plugins ?? []), watchLog] });
    await context.watch();
  }
} else {
  await Promise.all(builds.map((build) => esbuild.build({ ...common, ...build })));
}

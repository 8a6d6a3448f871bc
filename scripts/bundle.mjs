// Bundles the client, the language server and the CLI with esbuild, as shipped in the .vsix.
// `tsc -b` type-checks; this produces the files package.json and the client point at.
import * as esbuild from 'esbuild';

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
};

const builds = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'client/out/extension.js' },
  { entryPoints: ['server/src/server.ts'], outfile: 'server/out/server.js' },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'server/out/cli.js', banner: { js: '#!/usr/bin/env node' } },
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
    const context = await esbuild.context({ ...common, ...build, plugins: [watchLog] });
    await context.watch();
  }
} else {
  await Promise.all(builds.map((build) => esbuild.build({ ...common, ...build })));
}

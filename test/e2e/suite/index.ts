// Entry of the extension-host test suite: @vscode/test-electron's runTests loads this (as
// --extensionTestsPath) inside the real extension host and awaits run().
//
// Adding a test: create `test/e2e/suite/<name>.e2e.ts` using mocha's TDD globals (`suite`,
// `test`, `suiteSetup`...). run.ts bundles every `*.e2e.ts` in this folder as its own file next
// to this index, and run() loads them all in name order; nothing to register.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import { SUITE_OUTPUT_PREFIX_ENV } from '../launcher/launch-args';
import { SUITE_RESULTS_FILE, type SuiteResults } from '../support/summary';

export async function run(): Promise<void> {
  // The bundles carry inline source maps: failures then point into the .e2e.ts files.
  process.setSourceMapsEnabled(true);
  // Under the code launcher the workbench's own log shares the channel with ours: mark our lines
  // (see SUITE_OUTPUT_PREFIX_ENV). In Electron VS Code the variable is unset and output is plain.
  const outputPrefix = process.env[SUITE_OUTPUT_PREFIX_ENV];
  if (outputPrefix) {
    const consoleLog = console.log.bind(console);
    Mocha.reporters.Base.consoleLog = (...data: unknown[]) => consoleLog(outputPrefix + format(...data));
  }
  const mocha = new Mocha({
    ui: 'tdd',
    reporter: 'spec',
    // Output travels through the workbench's log to the launcher's stdout: no terminal, no colors.
    color: false,
    // Starting the language server and the first diagnostics take seconds in a cold VS Code.
    timeout: 30_000,
  });
  const files = readdirSync(__dirname)
    .filter((name) => name.endsWith('.e2e.js'))
    .sort();
  if (files.length === 0) throw new Error(`No *.e2e.js tests next to ${__filename}: was the suite bundled?`);
  for (const file of files) mocha.addFile(join(__dirname, file));

  const results: SuiteResults = { passed: [], failed: [] };
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('pass', (test) => results.passed.push(test.fullTitle()));
    // A failing hook counts too: its tests did not run.
    runner.on('fail', (test, error: unknown) =>
      results.failed.push(
        `${test.fullTitle()}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      ),
    );
  });
  // run.ts reads the counts for its summary: runTests itself only passes on the exit code.
  writeFileSync(join(__dirname, SUITE_RESULTS_FILE), JSON.stringify(results, null, 2) + '\n');
  if (failures > 0) throw new Error(`${failures} end-to-end test${failures === 1 ? '' : 's'} failed.`);
}

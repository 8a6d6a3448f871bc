// Writes server/src/core/directives/index.generated.ts from @nginx/reference-lib: each directive's
// name, module, contexts, block flag, default and syntax lines, and each variable's name and module.
// The package is 1.7 MB of documentation (HTML and Markdown) and takes ~50 ms to load; a check
// needs only this index, and the documentation text is loaded when a hover or completion asks.
//
//   node --import tsx scripts/directive-index.mjs           write the index
//   node --import tsx scripts/directive-index.mjs --check   exit 1 when the index is out of date
// A unit test runs the check, so an update of the package without a new index fails the tests.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDirectiveIndex } from '../server/src/core/directives/indexSource.ts';

const target = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'server',
  'src',
  'core',
  'directives',
  'index.generated.ts',
);
const text = renderDirectiveIndex();
if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== text) {
    console.error(`${target} is out of date: run node --import tsx scripts/directive-index.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${path.relative(process.cwd(), target)} (${(text.length / 1024).toFixed(0)} KiB)`);
}

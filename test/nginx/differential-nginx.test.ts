// Differential test against a real `nginx -t`: on every valid syntax fixture nginx accepts the
// file and we report no parse error; on every error fixture nginx fails and our first error is on
// the line nginx names (nginx prints 1-based lines, ours are 0-based). Each fixture is also tried
// with CRLF line endings and without its final newline, where nginx's line count can differ.
//
// Lua fixtures cannot be here: Debian's nginx has no lua module, so it rejects *_by_lua_block as an
// unknown directive; test/unit/parser*.test.ts covers Lua bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../server/src/core/parser/parser';
import { findNginx, nginxTest } from '../helpers/nginx';
import { confFiles, fixturePath, readSyntaxErrorExpectation } from '../helpers/paths';

const nginx = findNginx();
const skip = nginx ? false : 'nginx is not installed (apt-get install nginx); differential test skipped';

const validFiles = confFiles(fixturePath('syntax', 'valid'));
const errorFiles = confFiles(fixturePath('syntax', 'errors'));

/** The fixture as written, with CRLF line endings, and without its final newline (when it has one). */
function variants(text: string): { name: string; text: string }[] {
  const out = [{ name: 'as written', text }];
  if (!text.includes('\r')) out.push({ name: 'CRLF', text: text.replace(/\n/g, '\r\n') });
  if (/\r?\n$/.test(text)) out.push({ name: 'no final newline', text: text.replace(/\r?\n$/, '') });
  return out;
}

function describeErrors(text: string): string {
  return JSON.stringify(
    parse(text).errors.map((error) => ({
      code: error.code,
      line: error.range.start.line + 1,
      nginxLine: error.nginxLine + 1,
    })),
  );
}

for (const file of validFiles) {
  test(`nginx accepts ${path.basename(file)} and so do we`, { skip }, () => {
    for (const variant of variants(readFileSync(file, 'utf8'))) {
      const result = nginxTest(nginx as string, variant.text, path.basename(file));
      assert.ok(result.ok, `${variant.name}: nginx -t failed:\n${result.output}`);
      assert.deepEqual(parse(variant.text).errors, [], `${variant.name}: we report parse errors`);
    }
  });
}

for (const file of errorFiles) {
  test(`nginx rejects ${path.basename(file)} on the line of our first error`, { skip }, () => {
    const original = readFileSync(file, 'utf8');
    const expected = readSyntaxErrorExpectation(file);
    for (const variant of variants(original)) {
      const result = nginxTest(nginx as string, variant.text, path.basename(file));
      assert.equal(result.ok, false, `${variant.name}: nginx -t accepted the file`);
      assert.ok(result.line !== undefined, `${variant.name}: no line in nginx's output:\n${result.output}`);
      const first = parse(variant.text).errors[0];
      assert.ok(first, `${variant.name}: we report no error; nginx said "${result.message}" on line ${result.line}`);
      assert.equal(
        first.nginxLine + 1,
        result.line,
        `${variant.name}: nginx said "${result.message}" on line ${result.line}; our errors: ${describeErrors(variant.text)}`,
      );
      if (variant.name === 'as written') {
        // The fixture's own statement of what nginx says, so that a reader need not run nginx.
        assert.equal(
          result.line,
          expected.nginxLine,
          `the fixture's "# expect:" line is out of date: nginx says line ${result.line}`,
        );
      }
    }
  });
}

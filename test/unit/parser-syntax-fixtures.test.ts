// The syntax fixtures without nginx: valid ones parse with no error and exact ranges; each error
// fixture's first error has the code and the nginx line its first line states. The nginx layer
// (test/nginx/differential-nginx.test.ts) checks those statements against a real nginx -t.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../server/src/core/parser/parser';
import { confFiles, fixturePath, readSyntaxErrorExpectation } from '../helpers/paths';
import { rangeViolations } from '../helpers/syntax';

const validFiles = confFiles(fixturePath('syntax', 'valid'));
const errorFiles = confFiles(fixturePath('syntax', 'errors'));

test('syntax fixtures exist', () => {
  assert.ok(validFiles.length >= 10, `valid fixtures: ${validFiles.length}`);
  assert.ok(errorFiles.length >= 15, `error fixtures: ${errorFiles.length}`);
});

for (const file of validFiles) {
  test(`valid fixture ${path.basename(file)}: no parse error, exact ranges`, () => {
    const parsed = parse(readFileSync(file, 'utf8'), file);
    assert.deepEqual(parsed.errors, []);
    assert.ok(parsed.directives.length > 0);
    assert.deepEqual(rangeViolations(parsed), []);
  });
}

for (const file of errorFiles) {
  test(`error fixture ${path.basename(file)}: first error as stated`, () => {
    const expected = readSyntaxErrorExpectation(file);
    const parsed = parse(readFileSync(file, 'utf8'), file);
    const first = parsed.errors[0];
    assert.ok(first, 'an error is reported');
    assert.deepEqual({ code: first.code, nginxLine: first.nginxLine + 1 }, expected);
    assert.deepEqual(rangeViolations(parsed), []);
  });
}

test('error fixture missing-close-brace-in-the-middle: the later locations stay in the server', () => {
  const parsed = parse(readFileSync(fixturePath('syntax', 'errors', 'missing-close-brace-in-the-middle.conf'), 'utf8'));
  const server = parsed.directives
    .find((directive) => directive.name === 'http')
    ?.block?.children.find((directive) => directive.name === 'server');
  assert.deepEqual(
    server?.block?.children.map((directive) => [directive.name, directive.args[0]?.value ?? '']),
    [
      ['listen', '127.0.0.1:8080'],
      ['location', '/app/'],
      ['location', '/app/ws'],
      ['location', '/app/static/'],
    ],
  );
});

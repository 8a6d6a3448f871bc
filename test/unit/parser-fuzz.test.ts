// Random damage to real configs: the parser must never throw, and every range it returns must lie
// inside the text and cover what it claims to. Deterministic (fixed seed) and bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../server/src/core/parser/parser';
import { confFilesDeep, corpusDir, corpusSkipReason, fixturesDir } from '../helpers/paths';
import { pick, randomInt, seededRandom } from '../helpers/random';
import { rangeViolations } from '../helpers/syntax';

const MUTATIONS_PER_FILE = 120;
const SEED = 0x5eed;

/** Characters that matter to the lexer, plus some that stress position arithmetic. */
const INTERESTING = [
  '{',
  '}',
  ';',
  '"',
  "'",
  '#',
  '\\',
  '$',
  '${',
  '\n',
  '\r',
  '\r\n',
  ' ',
  '\t',
  '(',
  ')',
  '[[',
  ']]',
  '--',
  '=',
  '😀',
  'é',
  '\ud83d',
  '{{',
  '}}',
  '_by_lua_block {',
  'x',
];

type Mutation = (text: string, random: () => number) => string;

const MUTATIONS: Record<string, Mutation> = {
  insert: (text, random) => {
    const at = randomInt(random, text.length + 1);
    return text.slice(0, at) + pick(random, INTERESTING) + text.slice(at);
  },
  delete: (text, random) => {
    const at = randomInt(random, text.length);
    return text.slice(0, at) + text.slice(at + 1 + randomInt(random, 3));
  },
  replace: (text, random) => {
    const at = randomInt(random, text.length);
    return text.slice(0, at) + pick(random, INTERESTING) + text.slice(at + 1);
  },
  truncate: (text, random) => text.slice(0, randomInt(random, text.length + 1)),
  duplicate: (text, random) => {
    const start = randomInt(random, text.length);
    const end = start + randomInt(random, 80);
    return text.slice(0, end) + text.slice(start, end) + text.slice(end);
  },
  randomBytes: (text, random) => {
    const at = randomInt(random, text.length + 1);
    let noise = '';
    for (let i = randomInt(random, 8) + 1; i > 0; i--) noise += String.fromCharCode(randomInt(random, 256));
    return text.slice(0, at) + noise + text.slice(at);
  },
};

const files = confFilesDeep(fixturesDir);

test('fuzz: there are fixture configs to damage', () => {
  assert.ok(files.length >= 20, `found ${files.length}`);
});

for (const file of files) {
  test(`fuzz: damaged ${path.relative(fixturesDir, file)} never throws and keeps ranges inside the text`, () => {
    damage(file, MUTATIONS_PER_FILE);
  });
}

test(
  'fuzz: damaged corpus configs never throw and keep ranges inside the text',
  { skip: corpusSkipReason() ?? false },
  () => {
    const corpus = confFilesDeep(corpusDir);
    assert.ok(corpus.length > 0);
    for (const file of corpus) damage(file, 40);
  },
);

function damage(file: string, rounds: number): void {
  const original = readFileSync(file, 'utf8');
  const random = seededRandom(SEED ^ original.length);
  const names = Object.keys(MUTATIONS);
  for (let round = 0; round < rounds; round++) {
    let text = original;
    const applied: string[] = [];
    for (let count = 1 + randomInt(random, 3); count > 0; count--) {
      const name = pick(random, names);
      applied.push(name);
      text = (MUTATIONS[name] as Mutation)(text, random);
    }
    let violations: string[];
    try {
      violations = rangeViolations(parse(text, file));
    } catch (error) {
      assert.fail(
        `${file}, round ${round} (${applied.join(', ')}) threw: ${(error as Error).stack}\ninput: ${JSON.stringify(text)}`,
      );
    }
    assert.deepEqual(violations, [], `${file}, round ${round} (${applied.join(', ')}), input: ${JSON.stringify(text)}`);
  }
}

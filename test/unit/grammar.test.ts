// The nginx TextMate grammar, loaded the way VS Code loads it: vscode-textmate over the Oniguruma
// WASM build. Fixtures under test/fixtures/grammar/ are tokenized line by line and the scopes that
// themes colour are checked token by token.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { toolchainPaths } from '../e2e/toolchain.cjs';

const repositoryRoot = join(__dirname, '..', '..');
const grammarPath = join(repositoryRoot, 'syntaxes', 'nginx.tmLanguage.json');
const fixturesDir = join(repositoryRoot, 'test', 'fixtures', 'grammar');
const onigWasmPath = join(repositoryRoot, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm');
/** VS Code's built-in Lua grammar, present once scripts/install-vscode.mjs has filled .vscode-test/. */
const vscodeLuaGrammarPath = join(
  toolchainPaths(repositoryRoot).codeServerPackage,
  'lib',
  'vscode',
  'extensions',
  'lua',
  'syntaxes',
  'lua.tmLanguage.json',
);

interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly scopes: readonly string[];
}

interface TokenizedLine {
  readonly text: string;
  readonly tokens: readonly Token[];
}

interface TokenizedFile {
  readonly lines: readonly TokenizedLine[];
  /** Rule-stack depth after the last line: 1 when every block, string and embedded region has ended. */
  readonly endDepth: number;
}

/**
 * How lines are cut. VS Code strips the line break, CR included; other hosts (a CRLF file split on
 * '\n') hand the grammar lines that still end in '\r'.
 */
type LineSplit = 'vscode' | 'keep-carriage-return';

let onigLibPromise: Promise<textmate.IOnigLib> | undefined;

function onigLib(): Promise<textmate.IOnigLib> {
  // loadWASM may run once per process; every registry shares the one library.
  onigLibPromise ??= oniguruma.loadWASM(readFileSync(onigWasmPath)).then(() => ({
    createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text: string) => new oniguruma.OnigString(text),
  }));
  return onigLibPromise;
}

function readGrammar(path: string): textmate.IRawGrammar {
  return textmate.parseRawGrammar(readFileSync(path, 'utf8'), path);
}

/**
 * Without `luaGrammarPath` the registry has no source.lua, like VS Code without a Lua extension:
 * the embedded region then keeps only the grammar's own Lua rules.
 */
async function loadNginxGrammar(luaGrammarPath?: string): Promise<textmate.IGrammar> {
  const registry = new textmate.Registry({
    onigLib: onigLib(),
    loadGrammar: async (scopeName) => {
      if (scopeName === 'source.nginx') return readGrammar(grammarPath);
      if (scopeName === 'source.lua' && luaGrammarPath !== undefined) return readGrammar(luaGrammarPath);
      return null;
    },
  });
  const grammar = await registry.loadGrammar('source.nginx');
  assert.ok(grammar, `source.nginx did not load from ${grammarPath}`);
  return grammar;
}

function splitLines(text: string, lineSplit: LineSplit): string[] {
  return lineSplit === 'vscode' ? text.split(/\r\n|\r|\n/) : text.split('\n');
}

function tokenize(grammar: textmate.IGrammar, text: string, lineSplit: LineSplit = 'vscode'): TokenizedFile {
  let state = textmate.INITIAL;
  const lines: TokenizedLine[] = [];
  for (const [index, lineText] of splitLines(text, lineSplit).entries()) {
    const result = grammar.tokenizeLine(lineText, state);
    assert.equal(result.stoppedEarly, false, `tokenizing stopped early on line ${index + 1}: ${lineText}`);
    lines.push({
      text: lineText,
      tokens: result.tokens.map((token) => ({
        text: lineText.slice(token.startIndex, token.endIndex),
        start: token.startIndex,
        end: Math.min(token.endIndex, lineText.length),
        scopes: token.scopes,
      })),
    });
    state = result.ruleStack;
  }
  return { lines, endDepth: state.depth };
}

function readFixture(name: string): string {
  return readFileSync(join(fixturesDir, name), 'utf8');
}

function scopesAt(line: TokenizedLine, offset: number): readonly string[] | undefined {
  return line.tokens.find((token) => token.start <= offset && offset < token.end)?.scopes;
}

function describeLine(line: TokenizedLine): string {
  return line.tokens.map((token) => `  ${JSON.stringify(token.text)}  ${token.scopes.join(' ')}`).join('\n');
}

/**
 * One expectation from a fixture's `.scopes.json` (add a case there, no code needed): a token in a
 * line and the scope a theme needs to see there.
 */
interface ScopeCase {
  /** What the case shows; the test's name. */
  readonly name: string;
  /** Picks the line: the first one containing this text (below `after`, when given). */
  readonly line: string;
  /** Start looking for `line` below the first line containing this text. */
  readonly after?: string;
  /** The token text inside that line. */
  readonly text: string;
  /** Which occurrence of `text` in the line, counting from 0. */
  readonly occurrence?: number;
  /** A substring of a scope that every token of `text` carries. */
  readonly scope: string;
  /** Instead: no token of `text` has a scope containing `scope`. */
  readonly absent?: boolean;
  /**
   * `text` lies inside a region (an embedded block, a comment running to a '\\r') rather than being
   * whole tokens: its tokens may start before or end after it.
   */
  readonly within?: boolean;
}

const SCOPE_CASE_KEYS = new Set(['name', 'line', 'after', 'text', 'occurrence', 'scope', 'absent', 'within']);

function parseScopeCase(value: unknown, where: string): ScopeCase {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${where}: not an object`);
  const fields = value as Record<string, unknown>;
  const unknownKeys = Object.keys(fields).filter((key) => !SCOPE_CASE_KEYS.has(key));
  assert.deepEqual(unknownKeys, [], `${where}: unknown keys`);
  for (const key of ['name', 'line', 'text', 'scope']) {
    assert.equal(typeof fields[key], 'string', `${where}: ${key} must be a string`);
  }
  assert.ok(fields.after === undefined || typeof fields.after === 'string', `${where}: after must be a string`);
  assert.ok(
    fields.occurrence === undefined || Number.isInteger(fields.occurrence),
    `${where}: occurrence must be an integer`,
  );
  for (const key of ['absent', 'within']) {
    assert.ok(fields[key] === undefined || typeof fields[key] === 'boolean', `${where}: ${key} must be true or false`);
  }
  return fields as unknown as ScopeCase;
}

/** The expectations next to a fixture: `name.conf` has `name.scopes.json`. */
function readScopeCases(fixture: string): ScopeCase[] {
  const path = join(fixturesDir, fixture.replace(/\.conf$/, '.scopes.json'));
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  assert.ok(Array.isArray(parsed), `${path} is not a list of cases`);
  return parsed.map((value, index) => parseScopeCase(value, `${path}, case ${index + 1}`));
}

function findLine(file: TokenizedFile, scopeCase: ScopeCase): TokenizedLine {
  let from = 0;
  if (scopeCase.after !== undefined) {
    const anchor = file.lines.findIndex((line) => line.text.includes(scopeCase.after ?? ''));
    assert.notEqual(anchor, -1, `no line contains ${JSON.stringify(scopeCase.after)}`);
    from = anchor + 1;
  }
  const line = file.lines.slice(from).find((candidate) => candidate.text.includes(scopeCase.line));
  assert.ok(
    line,
    `no line${scopeCase.after === undefined ? '' : ' below the anchor'} contains ${JSON.stringify(scopeCase.line)}`,
  );
  return line;
}

function findSpan(line: TokenizedLine, text: string, occurrence: number): { start: number; end: number } {
  let start = -1;
  for (let seen = 0; seen <= occurrence; seen++) {
    start = line.text.indexOf(text, start + 1);
    assert.notEqual(start, -1, `${JSON.stringify(text)} occurs fewer than ${occurrence + 1} times in: ${line.text}`);
  }
  return { start, end: start + text.length };
}

function assertScopeCase(file: TokenizedFile, scopeCase: ScopeCase): void {
  const line = findLine(file, scopeCase);
  const span = findSpan(line, scopeCase.text, scopeCase.occurrence ?? 0);
  const covering = line.tokens.filter((token) => token.start < span.end && token.end > span.start);
  const context = `${JSON.stringify(scopeCase.text)} in ${JSON.stringify(line.text)}; tokens:\n${describeLine(line)}`;
  const carries = (token: Token): boolean => token.scopes.some((scope) => scope.includes(scopeCase.scope));
  if (scopeCase.absent) {
    const offending = covering.filter(carries);
    assert.deepEqual(
      offending.map((token) => token.text),
      [],
      `expected no ${scopeCase.scope} on ${context}`,
    );
    return;
  }
  if (!scopeCase.within) {
    // The text must be whole tokens, so a scope that leaks onto a neighbour (the ';' after a number) fails.
    assert.equal(covering[0]?.start, span.start, `no token starts at ${context}`);
    assert.equal(covering.at(-1)?.end, span.end, `no token ends at the end of ${context}`);
  }
  assert.notEqual(covering.length, 0, `no token covers ${context}`);
  const missing = covering.filter((token) => !carries(token));
  assert.deepEqual(
    missing.map((token) => token.text),
    [],
    `expected ${scopeCase.scope} on every token of ${context}`,
  );
}

/** Every `.conf` under test/fixtures/grammar/; each has its expectations in a `.scopes.json`. */
const fixtures = readdirSync(fixturesDir)
  .filter((name) => name.endsWith('.conf'))
  .sort();

/** A file with CR line breaks is also read the way a host that splits on '\n' alone reads it. */
function lineSplitsFor(text: string): LineSplit[] {
  return text.includes('\r') ? ['vscode', 'keep-carriage-return'] : ['vscode'];
}

describe('nginx grammar', async () => {
  const grammar = await loadNginxGrammar();
  const tokenized = new Map<string, TokenizedFile>();
  const tokenizeFixture = (fixture: string, lineSplit: LineSplit): TokenizedFile => {
    const key = `${lineSplit}:${fixture}`;
    let file = tokenized.get(key);
    if (file === undefined) {
      file = tokenize(grammar, readFixture(fixture), lineSplit);
      tokenized.set(key, file);
    }
    return file;
  };

  test('every fixture has expectations and every expectation file a fixture', () => {
    const expectationFiles = readdirSync(fixturesDir).filter((name) => name.endsWith('.scopes.json'));
    assert.deepEqual(expectationFiles.map((name) => name.replace(/\.scopes\.json$/, '.conf')).sort(), fixtures);
    assert.ok(fixtures.length > 0);
  });

  for (const fixture of fixtures) {
    const lineSplits = lineSplitsFor(readFixture(fixture));
    for (const lineSplit of lineSplits) {
      describe(lineSplits.length > 1 ? `${fixture} (${lineSplit})` : fixture, () => {
        test('ends with every block, string and embedded region closed', () => {
          assert.equal(tokenizeFixture(fixture, lineSplit).endDepth, 1);
        });
        for (const scopeCase of readScopeCases(fixture)) {
          test(scopeCase.name, () => assertScopeCase(tokenizeFixture(fixture, lineSplit), scopeCase));
        }
      });
    }
  }

  test('the CRLF fixture really has CRLF line endings', () => {
    // A checkout that converts line endings would silently turn the CRLF cases into LF ones.
    const text = readFixture('crlf-line-endings.conf');
    assert.match(text, /\r\n/);
    assert.doesNotMatch(text, /[^\r]\n/);
  });

  test('a trailing \\r changes the scope of no character', () => {
    const withoutCarriageReturn = tokenizeFixture('crlf-line-endings.conf', 'vscode');
    const withCarriageReturn = tokenizeFixture('crlf-line-endings.conf', 'keep-carriage-return');
    assert.equal(withCarriageReturn.lines.length, withoutCarriageReturn.lines.length);
    for (const [index, line] of withoutCarriageReturn.lines.entries()) {
      const other = withCarriageReturn.lines[index];
      assert.ok(other);
      for (let offset = 0; offset < line.text.length; offset++) {
        assert.deepEqual(
          scopesAt(other, offset),
          scopesAt(line, offset),
          `line ${index + 1}, column ${offset + 1}: ${line.text}\n${describeLine(other)}`,
        );
      }
    }
  });

  test('a directive on a line of its own after a Lua block with nested braces', () => {
    const file = tokenize(
      grammar,
      ['content_by_lua_block {', '    local t = {a = {1}}', '}', 'proxy_pass http://app;'].join('\n'),
    );
    const last = file.lines.at(-1);
    assert.ok(last);
    assert.deepEqual(
      last.tokens.map((token) => [token.text, token.scopes.at(-1)]),
      [
        ['proxy_pass', 'keyword.other.directive.nginx'],
        [' http://app', 'meta.statement.directive.nginx'],
        [';', 'punctuation.terminator.nginx'],
      ],
    );
    assert.equal(file.endDepth, 1);
  });

  test('a location prefix that looks like a directive is not one', () => {
    const file = tokenize(grammar, 'location /proxy_pass { return 204; }');
    const line = file.lines[0];
    assert.ok(line);
    assertScopeCase(file, {
      name: 'location prefix',
      line: 'location',
      text: '/proxy_pass',
      scope: 'string.unquoted.path.nginx',
    });
    assert.equal(file.endDepth, 1, describeLine(line));
  });
});

/** The parts of a TextMate rule these checks read. */
interface RawRule {
  readonly include?: string;
  readonly match?: string;
  readonly begin?: string;
  readonly end?: string;
  readonly while?: string;
  readonly contentName?: string;
  readonly patterns?: readonly RawRule[];
  readonly captures?: Readonly<Record<string, RawRule>>;
  readonly beginCaptures?: Readonly<Record<string, RawRule>>;
  readonly endCaptures?: Readonly<Record<string, RawRule>>;
}

interface RawGrammarFile extends RawRule {
  readonly scopeName: string;
  readonly repository: Readonly<Record<string, RawRule>>;
}

function* rulesIn(rule: RawRule): Generator<RawRule> {
  yield rule;
  for (const child of rule.patterns ?? []) yield* rulesIn(child);
  for (const captures of [rule.captures, rule.beginCaptures, rule.endCaptures]) {
    for (const capture of Object.values(captures ?? {})) yield* rulesIn(capture);
  }
}

describe('nginx grammar file', () => {
  const raw = JSON.parse(readFileSync(grammarPath, 'utf8')) as RawGrammarFile;
  const allRules = [raw, ...Object.values(raw.repository)].flatMap((rule) => [...rulesIn(rule)]);

  test('every #include names a repository rule', () => {
    // vscode-textmate ignores an include it cannot resolve, so a typo would silently drop a rule.
    const unresolved = allRules
      .map((rule) => rule.include)
      .filter((include): include is string => include?.startsWith('#') === true)
      .filter((include) => !(include.slice(1) in raw.repository));
    assert.deepEqual(unresolved, []);
  });

  test('every repository rule is used', () => {
    const included = new Set(allRules.map((rule) => rule.include).filter((include) => include !== undefined));
    const unused = Object.keys(raw.repository).filter((name) => !included.has(`#${name}`));
    assert.deepEqual(unused, []);
  });

  test('every regex compiles in Oniguruma', async () => {
    // vscode-textmate compiles a pattern only when tokenizing reaches it; compile them all now.
    await onigLib();
    const failures: string[] = [];
    for (const rule of allRules) {
      for (const [key, source] of [
        ['match', rule.match],
        ['begin', rule.begin],
        ['end', rule.end],
        ['while', rule.while],
      ] as const) {
        if (source === undefined) continue;
        // Back-references in end/while refer to the begin match and are filled in before compiling.
        const compilable = key === 'end' || key === 'while' ? source.replace(/\\[1-9]/g, 'x') : source;
        try {
          new oniguruma.OnigScanner([compilable]);
        } catch (error) {
          failures.push(`${key} ${JSON.stringify(source)}: ${String(error)}`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  test('package.json contributes this grammar and the embedded Lua scope it maps exists', () => {
    const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
      contributes: {
        grammars: { language: string; scopeName: string; path: string; embeddedLanguages?: Record<string, string> }[];
      };
    };
    const contribution = manifest.contributes.grammars.find((grammar) => grammar.language === 'nginx');
    assert.ok(contribution);
    assert.equal(join(repositoryRoot, contribution.path), grammarPath);
    assert.equal(contribution.scopeName, raw.scopeName);
    const contentNames = new Set(allRules.map((rule) => rule.contentName));
    for (const embeddedScope of Object.keys(contribution.embeddedLanguages ?? {})) {
      assert.ok(contentNames.has(embeddedScope), `no rule has contentName ${embeddedScope}`);
    }
  });
});

describe('nginx grammar with the Lua grammar VS Code ships', async () => {
  const present = existsSync(vscodeLuaGrammarPath);
  const skip = present
    ? false
    : `VS Code's Lua grammar is not installed at ${vscodeLuaGrammarPath} (node scripts/install-vscode.mjs)`;
  const grammar = present ? await loadNginxGrammar(vscodeLuaGrammarPath) : undefined;

  test('Lua code is highlighted by the Lua grammar and the block still ends at the matching }', { skip }, () => {
    assert.ok(grammar);
    const file = tokenize(grammar, readFixture('lua-block-nested-braces.conf'));
    const luaLine = file.lines.find((line) => line.text.includes('local limits'));
    assert.ok(luaLine);
    const local = luaLine.tokens.find((token) => token.text === 'local');
    assert.ok(local, describeLine(luaLine));
    assert.ok(
      local.scopes.some((scope) => scope.endsWith('.lua') && scope !== 'meta.embedded.block.lua'),
      `the Lua grammar did not colour 'local':\n${describeLine(luaLine)}`,
    );
    for (const scopeCase of readScopeCases('lua-block-nested-braces.conf')) {
      assertScopeCase(file, scopeCase);
    }
    assert.equal(file.endDepth, 1);
  });
});

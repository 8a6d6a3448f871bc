// Differential test against nginx-conf (npm), the parser of the design card: on valid configs
// without Lua, its directive tree and ours have the same names, arguments and nesting.
//
// Normalisations, each for a difference of representation only:
// 1. Arguments. nginx-conf keeps them as one string, the source text after the name with the
//    comments cut out (quotes, escapes, line breaks and runs of spaces kept). We compare that
//    string with whitespace runs outside quotes collapsed to one space, against our words as
//    written (`raw`) joined by one space, or by nothing where two words touch in the file
//    (`if ($a = "b")`: nginx reads `"b"` and `)` as two words, nginx-conf keeps `"b")`).
// 2. Names are compared as written (a quoted map key stays quoted on both sides).
// 3. Comments are left out: nginx-conf attaches them to the next directive, we keep them apart.
// 4. Blocks: a directive is a block on both sides or on neither; children compared in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { NginxParser } from 'nginx-conf';
import type { Directive } from '../../server/src/core/parser/ast';
import { parse } from '../../server/src/core/parser/parser';
import { confFiles, confFilesDeep, corpusDir, corpusSkipReason, fixturePath, fixturesDir } from '../helpers/paths';

/** One directive in the shape both parsers can be brought to. */
interface Shape {
  name: string;
  args: string;
  children?: Shape[];
}

/** nginx-conf's node type (its package exports the class, not a tree type we can name here). */
interface NginxConfNode {
  name: string;
  value: string;
  isBlock: boolean;
  isVerbatim: boolean;
  children: NginxConfNode[] | null;
}

/** Collapses whitespace runs outside quoted strings to one space, as normalisation 1 says. */
function collapseOutsideQuotes(text: string): string {
  let out = '';
  let quote: string | undefined;
  let pendingSpace = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote) {
      out += ch;
      if (ch === '\\' && i + 1 < text.length) out += text[++i];
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(ch)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    // A quote opens a string only where a word starts, as in nginx (`a"b"` is a plain word).
    if ((ch === '"' || ch === "'") && (out.length === 0 || out.endsWith(' '))) quote = ch;
    out += ch;
  }
  return out;
}

function theirShape(nodes: readonly NginxConfNode[]): Shape[] {
  return nodes.map((node) => {
    if (node.isVerbatim)
      throw new Error(`nginx-conf read "${node.name}" as a verbatim (Lua) block: Lua files are out of this test`);
    const shape: Shape = { name: node.name, args: collapseOutsideQuotes(node.value) };
    if (node.isBlock) shape.children = theirShape(node.children ?? []);
    return shape;
  });
}

function ourShape(directives: readonly Directive[]): Shape[] {
  return directives.map((directive) => {
    let args = '';
    let previousEnd = -1;
    for (const arg of directive.args) {
      if (args && arg.offset !== previousEnd) args += ' ';
      args += arg.raw;
      previousEnd = arg.endOffset;
    }
    const shape: Shape = { name: directive.nameWord.raw, args };
    if (directive.block) shape.children = ourShape(directive.block.children);
    return shape;
  });
}

function parseWithNginxConf(text: string): { error: unknown; tree: NginxConfNode[] } {
  let result: { error: unknown; tree: NginxConfNode[] } | undefined;
  // nginx-conf's parse calls back synchronously.
  new NginxParser().parse(text, (error, tree) => {
    result = { error, tree: (tree?.children ?? []) as unknown as NginxConfNode[] };
  });
  if (!result) throw new Error('nginx-conf did not call back');
  return result;
}

/**
 * Valid configs kept out, each because nginx-conf reads it differently from nginx (it is not a
 * faithful nginx lexer) or because it holds Lua.
 */
const EXCLUDED: Record<string, string> = {
  'syntax/valid/word-with-close-brace.conf': 'nginx-conf ends a word at "}" ("text}" is one word for nginx)',
  'corpus/49-orange-nginx-lua.conf': 'Lua blocks (nginx-conf counts braces inside Lua strings and comments)',
  'corpus/47-jitsi-meet-example.conf':
    'nginx-conf starts a string at a quote inside a word: location ~ ^/([^/?&:\'"]+)/xmpp-websocket (L204) makes it fail with "unclosed string"',
  'corpus/includes/45-frigate/proxy.conf':
    'a comment after ";" on the same line that starts "##" (L15): nginx-conf reads "##" as a directive name',
  // Files nginx itself rejects (see test/unit/corpus.test.ts): not valid input.
  'corpus/07-channels-deploying.conf': 'not valid nginx ("..." elision lines)',
  'corpus/15-onlyoffice-proxy-https.conf': 'not valid nginx ({{...}} template placeholders)',
  'corpus/43-netdata-behind-nginx.conf': 'not valid nginx (starts inside a block, ends with a Markdown fence)',
};

function compare(file: string, label: string): void {
  const text = readFileSync(file, 'utf8');
  const ours = parse(text, file);
  assert.deepEqual(ours.errors, [], `${label}: we report parse errors; only valid configs belong here`);
  const theirs = parseWithNginxConf(text);
  assert.equal(theirs.error, null, `${label}: nginx-conf failed: ${JSON.stringify(theirs.error)}`);
  assert.deepEqual(ourShape(ours.directives), theirShape(theirs.tree), label);
}

const projectFiles = [...confFiles(fixturePath('syntax', 'valid')), ...confFilesDeep(fixturePath('trees'))];

test('normalisation: whitespace collapses outside quotes only', () => {
  assert.equal(collapseOutsideQuotes('a   \'b  c\'\n\t"d\\"  e"  f'), 'a \'b  c\' "d\\"  e" f');
  assert.equal(collapseOutsideQuotes('x"y  z"'), 'x"y z"');
});

for (const file of projectFiles) {
  const label = path.relative(fixturesDir, file);
  if (EXCLUDED[label]) {
    test(`nginx-conf agrees on ${label}`, { skip: EXCLUDED[label] }, () => {});
    continue;
  }
  test(`nginx-conf agrees on ${label}`, () => compare(file, label));
}

test('nginx-conf agrees on every valid corpus config without Lua', { skip: corpusSkipReason() ?? false }, () => {
  const files = confFilesDeep(corpusDir);
  assert.ok(files.length > 0);
  let compared = 0;
  for (const file of files) {
    const label = `corpus/${path.relative(corpusDir, file)}`;
    if (EXCLUDED[label]) continue;
    compare(file, label);
    compared++;
  }
  assert.ok(compared >= 30, `compared ${compared} corpus files`);
});

test('nginx-conf is wrong where this test says it is (so that the exclusions stay true)', () => {
  // "text}" is one word for nginx: nginx-conf takes the "}" as a block end and then crashes.
  const braces = readFileSync(fixturePath('syntax', 'valid', 'word-with-close-brace.conf'), 'utf8');
  assert.throws(() => parseWithNginxConf(braces), /context.parent does not exist/);
  // A quote inside a word is an ordinary character for nginx; nginx-conf opens a string there.
  const quoteInWord = 'location ~ ^/([^/?&:\'"]+)/ws {\n    return 204;\n}\n';
  assert.deepEqual(parse(quoteInWord).errors, []);
  assert.match(JSON.stringify(parseWithNginxConf(quoteInWord).error), /unclosed string/);
  // "## note" after a statement is a comment; nginx-conf makes "##" a directive.
  const hashes = 'a 1; ## note\nb 2;\n';
  assert.deepEqual(ourShape(parse(hashes).directives), [
    { name: 'a', args: '1' },
    { name: 'b', args: '2' },
  ]);
  assert.equal(theirShape(parseWithNginxConf(hashes).tree)[1]?.name, '##');
});

// The pure parts of the editing features (server/src/core/features): where the cursor stands, the
// contexts nginx's documentation names for it, snippets from the documented syntax, version notes,
// and the variable under the cursor. Expected values are written from nginx's documentation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directiveReference } from '../../server/src/core/directives/reference';
import { snippetOf } from '../../server/src/core/features/complete';
import { contextsOf, directiveAt, enclosingBlocks, statementAt } from '../../server/src/core/features/cursor';
import { variableAt } from '../../server/src/core/features/definition';
import { versionNotes } from '../../server/src/core/features/docs';
import { parse } from '../../server/src/core/parser/parser';

/** The text with `|` removed, and the offset where it stood. */
function cursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('|');
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

function contextsAt(marked: string, topLevel: Parameters<typeof contextsOf>[1] = ['main']): string[] {
  const { text, offset } = cursor(marked);
  return contextsOf(enclosingBlocks(parse(text), offset).blocks, topLevel);
}

describe('the statement being typed', () => {
  it('splits words since the last ; { or }', () => {
    const { text, offset } = cursor('location / {\n  proxy_set_header Host |');
    assert.deepEqual(statementAt(text, offset), {
      words: ['proxy_set_header', 'Host'],
      prefix: '',
      prefixStart: offset,
      inCommentOrString: false,
    });
    const partial = cursor('server { listen 80; prox|');
    assert.equal(statementAt(partial.text, partial.offset).prefix, 'prox');
  });

  it('knows a cursor in a comment or an open string, and skips earlier comment lines', () => {
    const comment = cursor('server {\n  # proxy_pa|');
    assert.equal(statementAt(comment.text, comment.offset).inCommentOrString, true);
    const string = cursor('add_header X "a b|');
    assert.equal(statementAt(string.text, string.offset).inCommentOrString, true);
    const after = cursor('server {\n  # a note; with { braces\n  liste|');
    assert.deepEqual(statementAt(after.text, after.offset).words, []);
    assert.equal(statementAt(after.text, after.offset).prefix, 'liste');
  });
});

describe('contexts at the cursor', () => {
  it('names the documented context of each block', () => {
    assert.deepEqual(contextsAt('http { server { location / { | } } }'), ['location']);
    assert.deepEqual(contextsAt('http { server { if ($a) { | } } }'), ['if-in-server']);
    assert.deepEqual(contextsAt('http { server { location / { if ($a) { | } } } }'), ['if-in-location']);
    assert.deepEqual(contextsAt('stream { server { | } }'), ['stream-server']);
    assert.deepEqual(contextsAt('stream { upstream u { | } }'), ['stream-upstream']);
    assert.deepEqual(contextsAt('events { | }'), ['events']);
    assert.deepEqual(contextsAt('|'), ['main']);
    assert.deepEqual(contextsAt('server { | }', ['http']), ['server'], 'a conf.d file read in http');
  });

  it('has none inside a table block or a Lua body', () => {
    assert.deepEqual(contextsAt('http { map $a $b { | } }'), []);
    assert.deepEqual(contextsAt('http { types { | } }'), []);
    const lua = cursor('location / { content_by_lua_block { ngx.say(1) | } }');
    assert.equal(enclosingBlocks(parse(lua.text), lua.offset).inRawBody, true);
  });

  it('finds the innermost directive under the cursor, in an unclosed block too', () => {
    const { text, offset } = cursor('http {\n  server {\n    listen 8|0;\n');
    assert.equal(directiveAt(parse(text), offset)?.name, 'listen');
  });
});

describe('snippets from the documented syntax', () => {
  const info = (name: string) => {
    const found = directiveReference().directive(name);
    assert.ok(found, name);
    return found;
  };
  it('puts the cursor on the first argument, offers fixed values as a choice, opens blocks', () => {
    assert.equal(snippetOf(info('proxy_pass')), 'proxy_pass ${1:URL};');
    assert.equal(snippetOf(info('proxy_buffering')), 'proxy_buffering ${1|on,off|};');
    assert.equal(snippetOf(info('http')), 'http {\n\t$0\n}');
    assert.match(snippetOf(info('location')), /^location \$\{1:[^}]*\} \{\n\t\$0\n\}$/);
  });
});

describe('version notes and variables', () => {
  it('takes the sentences that date a change', () => {
    const description = directiveReference().directive('proxy_http_version')?.description ?? '';
    assert.deepEqual(versionNotes(description), [
      'Since 1.29.7, version 1.1 is used by default.',
      'Before 1.29.7, version 1.0 was used by default.',
    ]);
  });

  it('finds $name and ${name} around the cursor', () => {
    const text = 'set $a "${host}x"; return 200 $request_uri;';
    assert.deepEqual(variableAt(text, text.indexOf('host') + 2), {
      name: 'host',
      start: text.indexOf('${'),
      end: text.indexOf('}') + 1,
    });
    assert.equal(variableAt(text, text.indexOf('$request_uri'))?.name, 'request_uri');
    assert.equal(variableAt(text, text.indexOf('return') + 2), undefined);
  });
});

describe('comments as nginx reads them', () => {
  it('a # inside a word is text, not a comment', () => {
    const { text, offset } = cursor('server {\n  return 200 a#b;\n  lis|');
    assert.deepEqual(statementAt(text, offset).words, []);
    assert.equal(statementAt(text, offset).prefix, 'lis');
  });
});

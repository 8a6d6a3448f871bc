// The editing features over the real language-server process (issue #12): completion, hover,
// outline, workspace symbols, folding, go to definition, range formatting, and the settings that
// turn them off. Expected results are written from nginx's documentation (nginx.org, as
// @nginx/reference-lib carries it): `listen` and `server_name` are server-level, `proxy_pass` is
// valid in location and "if in location", `proxy_http_version` takes 1.0 | 1.1 | 2, and since
// 1.29.7 defaults to 1.1.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompletionRequest,
  CompletionResolveRequest,
  DefinitionRequest,
  DocumentRangeFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  WorkspaceSymbolRequest,
  type CompletionItem,
  type CompletionList,
  type DocumentSymbol,
  type Hover,
  type Location,
  type MarkupContent,
  type Position,
  type SymbolInformation,
} from 'vscode-languageserver-protocol/node';
import { applyTextEdits, fileOf, startServer, uriOf, type LspClient } from '../helpers/lsp';

const MAIN = `worker_processes 1;
events {
    worker_connections 64;
}
http {
    # Upgrade only what asks for it.
    # (the usual map from nginx.org)
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    upstream app_backend {
        server 127.0.0.1:9000;
    }
    include conf.d/*.conf;
    server {
        listen 8080;
        server_name example.com www.example.com;
        location /ws/ {
            proxy_pass http://app_backend;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            try_files $uri @fallback;
        }
        location @fallback {
            return 404;
        }
        location /lua {
            content_by_lua_block {
                ngx.say("hi")
            }
        }
    }
}
`;
const SITE = `server {
    listen 8081;
    server_name api.example.com;
    set $api_root /srv/api;
    location /api/ {
        proxy_pass http://app_backend;
    }
}
`;

let dir: string;
let client: LspClient;
let mainUri: string;
let siteUri: string;

/** The position just after the first occurrence of `marker` in `text` (after `skip` characters of it). */
function positionAfter(text: string, marker: string, skip = marker.length): Position {
  const at = text.indexOf(marker);
  assert.ok(at >= 0, `marker ${marker} in the text`);
  const before = text.slice(0, at + skip).split('\n');
  return { line: before.length - 1, character: (before.at(-1) as string).length };
}

async function completeAt(uri: string, position: Position): Promise<CompletionItem[]> {
  const result = (await client.request(
    client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position }),
    'completion',
  )) as CompletionItem[] | CompletionList | null;
  return Array.isArray(result) ? result : (result?.items ?? []);
}

/** Completion after typing `typed` at the start of a new line after `anchor` (the document is restored). */
async function completeTyped(uri: string, anchor: string, typed: string): Promise<CompletionItem[]> {
  const original = client.document(uri).text;
  const at = original.indexOf(anchor) + anchor.length;
  const text = original.slice(0, at) + '\n            ' + typed + original.slice(at);
  await client.replaceText(uri, text);
  try {
    return await completeAt(uri, positionAfter(text, anchor + '\n            ' + typed));
  } finally {
    await client.replaceText(uri, original);
  }
}

async function hoverAt(uri: string, position: Position): Promise<string | undefined> {
  const hover = (await client.request(
    client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position }),
    'hover',
  )) as Hover | null;
  return hover ? (hover.contents as MarkupContent).value : undefined;
}

async function definitionAt(uri: string, position: Position): Promise<Location[]> {
  const result = await client.request(
    client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position }),
    'definition',
  );
  return (Array.isArray(result) ? result : result ? [result] : []) as Location[];
}

const labels = (items: readonly CompletionItem[]): string[] => items.map((item) => item.label);

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'nginx-ws-editing-'));
  mkdirSync(path.join(dir, 'conf.d'));
  writeFileSync(path.join(dir, 'nginx.conf'), MAIN);
  writeFileSync(path.join(dir, 'conf.d', 'api.conf'), SITE);
  client = await startServer({ workspaceFolders: [dir], settings: { nginxVersion: '1.22.1' } });
  mainUri = await client.open(path.join(dir, 'nginx.conf'), MAIN);
  siteUri = await client.open(path.join(dir, 'conf.d', 'api.conf'), SITE);
  // The analyses (includes, the file's context) are what completion reads across files.
  await client.waitForDiagnostics(mainUri);
  await client.waitForDiagnostics(siteUri);
});

after(async () => {
  await client?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('completion', () => {
  it('offers the directives valid in a location, with a snippet on the first argument', async () => {
    const items = await completeTyped(mainUri, 'location /ws/ {', 'prox');
    const names = labels(items);
    for (const name of ['proxy_pass', 'proxy_set_header', 'proxy_http_version', 'proxy_read_timeout', 'try_files'])
      assert.ok(names.includes(name), `${name} is valid in location`);
    for (const name of ['listen', 'server_name', 'worker_processes', 'upstream', 'map'])
      assert.ok(!names.includes(name), `${name} is not valid in location`);
    const pass = items.find((item) => item.label === 'proxy_pass') as CompletionItem;
    assert.equal(pass.insertTextFormat, 2, 'a snippet');
    assert.equal((pass.textEdit as { newText: string }).newText, 'proxy_pass ${1:URL};');
    const version = items.find((item) => item.label === 'proxy_http_version') as CompletionItem;
    assert.equal((version.textEdit as { newText: string }).newText, 'proxy_http_version ${1|1.0,1.1,2|};');
    // The typed prefix is what the item replaces.
    const range = (pass.textEdit as { range: { start: Position; end: Position } }).range;
    assert.equal(range.end.character - range.start.character, 'prox'.length);
  });

  it('offers server-level directives in a server and http-level ones at the top of a conf.d file included in http', async () => {
    const inServer = labels(await completeTyped(mainUri, 'server_name example.com www.example.com;', ''));
    assert.ok(inServer.includes('listen') && inServer.includes('server_name') && inServer.includes('location'));
    assert.ok(!inServer.includes('worker_processes') && !inServer.includes('upstream'));
    const original = client.document(siteUri).text;
    await client.replaceText(siteUri, 'ups\n' + original);
    const topOfSite = labels(await completeAt(siteUri, { line: 0, character: 3 }));
    await client.replaceText(siteUri, original);
    assert.ok(topOfSite.includes('upstream') && topOfSite.includes('server') && topOfSite.includes('map'));
    assert.ok(!topOfSite.includes('worker_processes') && !topOfSite.includes('listen'));
  });

  it('resolves the documentation of a directive lazily', async () => {
    const items = await completeTyped(mainUri, 'location /ws/ {', 'proxy_http');
    const item = items.find((i) => i.label === 'proxy_http_version') as CompletionItem;
    assert.equal(item.documentation, undefined, 'not sent with the list');
    const resolved = await client.request(
      client.connection.sendRequest(CompletionResolveRequest.type, item),
      'completionItem/resolve',
    );
    const value = (resolved.documentation as MarkupContent).value;
    assert.match(value, /Since 1\.29\.7, version 1\.1 is used by default/);
    assert.match(value, /https:\/\/nginx\.org\/en\/docs\/http\/ngx_http_proxy_module\.html#proxy_http_version/);
  });

  it('offers the enumerated values of an argument', async () => {
    assert.deepEqual(labels(await completeTyped(mainUri, 'location /ws/ {', 'proxy_http_version ')).sort(), [
      '1.0',
      '1.1',
      '2',
    ]);
    assert.deepEqual(labels(await completeTyped(mainUri, 'location /ws/ {', 'proxy_buffering ')).sort(), ['off', 'on']);
  });

  it('offers variables after $: built-ins, common headers and the config’s own across includes', async () => {
    const names = labels(await completeTyped(mainUri, 'location /ws/ {', 'proxy_set_header X-Api $'));
    for (const name of ['$http_upgrade', '$remote_addr', '$host', '$connection_upgrade', '$api_root'])
      assert.ok(names.includes(name), `${name} offered`);
  });

  it('offers upstream names after proxy_pass http:// and named locations after @', async () => {
    const upstreams = await completeTyped(mainUri, 'location /ws/ {', 'proxy_pass http://');
    assert.deepEqual(labels(upstreams), ['app_backend']);
    assert.deepEqual(labels(await completeTyped(mainUri, 'location /ws/ {', 'error_page 502 @')), ['@fallback']);
  });

  it('stays quiet in a comment, a map body and a Lua block', async () => {
    assert.deepEqual(await completeTyped(mainUri, 'location /ws/ {', '# prox'), []);
    assert.deepEqual(await completeTyped(mainUri, "''      close;", 'prox'), []);
    assert.deepEqual(await completeTyped(mainUri, 'content_by_lua_block {', 'ngx'), []);
  });
});

describe('hover', () => {
  it('shows a directive’s syntax, default, contexts, module, version note and nginx.org page', async () => {
    const value = await hoverAt(mainUri, positionAfter(MAIN, 'proxy_http_version', 3));
    assert.ok(value);
    assert.match(value, /proxy_http_version 1\.0 \| 1\.1 \| 2;/);
    assert.match(
      value,
      /\*\*Version:\*\* Since 1\.29\.7, version 1\.1 is used by default\. Before 1\.29\.7, version 1\.0 was used by default\./,
    );
    assert.match(value, /\*\*Context:\*\* http, server, location/);
    assert.match(value, /\*\*Module:\*\* ngx_http_proxy_module/);
    assert.match(value, /\(https:\/\/nginx\.org\/en\/docs\/http\/ngx_http_proxy_module\.html#proxy_http_version\)/);
  });

  it('on a variable: the line that defines it, or nginx’s documentation', async () => {
    const own = await hoverAt(
      mainUri,
      positionAfter(MAIN, 'Connection $connection_upgrade', 'Connection $conn'.length),
    );
    assert.match(own ?? '', /`map \$http_upgrade \$connection_upgrade \{ … \}` \(nginx\.conf:8\)/);
    const builtin = await hoverAt(mainUri, positionAfter(MAIN, 'Upgrade $http_upgrade', 'Upgrade $http'.length));
    assert.match(builtin ?? '', /\$http_upgrade\*\* \(ngx_http_core_module\)/);
    assert.match(builtin ?? '', /arbitrary request header field/);
    assert.equal(await hoverAt(mainUri, positionAfter(MAIN, 'example.com www', 2)), undefined, 'nothing on plain text');
    const lua = await hoverAt(mainUri, positionAfter(MAIN, 'content_by_lua_block', 3));
    assert.match(lua ?? '', /a directive of a third-party module/, 'a third-party directive says what it is');
  });
});

describe('outline, workspace symbols and folding', () => {
  it('nests http, server (by server_name, with listen), location, upstream and map', async () => {
    const symbols = (await client.request(
      client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: mainUri } }),
      'documentSymbol',
    )) as DocumentSymbol[];
    const outline = (list: readonly DocumentSymbol[]): unknown[] =>
      list.map((s) => (s.children?.length ? [s.name, outline(s.children)] : s.name));
    assert.deepEqual(outline(symbols), [
      'events',
      [
        'http',
        [
          'map $http_upgrade $connection_upgrade',
          'upstream app_backend',
          ['server example.com www.example.com', ['location /ws/', 'location @fallback', 'location /lua']],
        ],
      ],
    ]);
    const server = symbols[1]?.children?.[2] as DocumentSymbol;
    assert.equal(server.detail, 'listen 8080');
  });

  it('finds servers and locations across the workspace’s configs', async () => {
    const found = (await client.request(
      client.connection.sendRequest(WorkspaceSymbolRequest.type, { query: 'api' }),
      'workspace/symbol',
    )) as SymbolInformation[];
    const names = found.map((s) => `${s.name} @ ${path.basename(fileOf(s.location.uri))}`).sort();
    assert.deepEqual(names, ['api.example.com @ api.conf', 'location /api/ @ api.conf']);
  });

  it('folds blocks and runs of comment lines', async () => {
    const folds = await client.request(
      client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: mainUri } }),
      'foldingRange',
    );
    const lines = (folds ?? []).map((f) => `${f.startLine}-${f.endLine}${f.kind === 'comment' ? ' comment' : ''}`);
    // 0-based lines: `events {` is line 1 and its `}` line 3; the fold ends on the line before the `}`.
    assert.ok(lines.includes('1-2'), `events block in ${lines.join(', ')}`);
    assert.ok(lines.includes('5-6 comment'), 'the two comment lines');
    assert.ok(lines.includes('4-33'), 'http block');
    assert.ok(lines.includes('29-30'), 'the Lua block');
  });
});

describe('go to definition', () => {
  it('from include to the files, from proxy_pass to the upstream, @name to the location, $var to its map or set', async () => {
    const include = await definitionAt(mainUri, positionAfter(MAIN, 'include conf.d', 10));
    assert.deepEqual(
      include.map((l) => fileOf(l.uri)),
      [path.join(dir, 'conf.d', 'api.conf')],
    );
    const upstream = await definitionAt(siteUri, positionAfter(SITE, 'http://app_', 9));
    assert.equal(fileOf(upstream[0]?.uri as string), path.join(dir, 'nginx.conf'));
    assert.equal(upstream[0]?.range.start.line, 11);
    const named = await definitionAt(mainUri, positionAfter(MAIN, '$uri @fallback', 7));
    assert.equal(named[0]?.range.start.line, 25);
    const variable = await definitionAt(mainUri, positionAfter(MAIN, 'Connection $connection_upgrade', 14));
    assert.equal(variable[0]?.range.start.line, 7);
  });
});

describe('range formatting and the settings that turn features off', () => {
  it('formats only the selected lines', async () => {
    const messy = 'server {\nlisten 80;\n  location / {\nproxy_pass http://b;\n }\n}\n';
    const uri = await client.open(path.join(dir, 'messy.conf'), messy);
    const edits = await client.request(
      client.connection.sendRequest(DocumentRangeFormattingRequest.type, {
        textDocument: { uri },
        range: { start: { line: 3, character: 0 }, end: { line: 3, character: 20 } },
        options: { tabSize: 2, insertSpaces: true },
      }),
      'rangeFormatting',
    );
    assert.equal(
      applyTextEdits(messy, edits ?? []),
      'server {\nlisten 80;\n  location / {\n    proxy_pass http://b;\n }\n}\n',
    );
  });

  it('nginxWs.completionEnable and nginxWs.hoverEnable off: no completion, no hover', async () => {
    const off = await startServer({
      workspaceFolders: [dir],
      settings: { nginxVersion: '1.22.1', completionEnable: false, hoverEnable: false },
    });
    try {
      const uri = await off.open(path.join(dir, 'nginx.conf'), MAIN);
      const result = await off.request(
        off.connection.sendRequest(CompletionRequest.type, {
          textDocument: { uri },
          position: positionAfter(MAIN, 'proxy_http_version', 3),
        }),
        'completion',
      );
      assert.equal(result, null);
      const hover = await off.request(
        off.connection.sendRequest(HoverRequest.type, {
          textDocument: { uri: uriOf(path.join(dir, 'nginx.conf')) },
          position: positionAfter(MAIN, 'proxy_http_version', 3),
        }),
        'hover',
      );
      assert.equal(hover, null);
    } finally {
      await off.dispose();
    }
  });
});

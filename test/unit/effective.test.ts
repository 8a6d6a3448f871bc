// The effective configuration of every location, one test per inheritance rule of
// ../shared/nginx-websocket-facts.md §3 (nginx's merge functions in ngx_http_proxy_module.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  buildConfigModel,
  ownsProxyPass,
  type ConfigModel,
  type HeaderLine,
  type LocationModel,
} from '../../server/src/core/model/effective';
import { buildConfigTree } from '../../server/src/core/model/tree';
import { JailedFileSystem, MemoryFileSystem } from '../helpers/fileSystems';
import { fixturePath } from '../helpers/paths';

/** The model of an inline main config (plus other files by absolute path). */
function modelOf(main: string, others: Record<string, string> = {}): ConfigModel {
  const fs = new MemoryFileSystem({ '/etc/nginx/nginx.conf': main, ...others });
  return buildConfigModel(buildConfigTree('/etc/nginx/nginx.conf', fs, { baseDir: '/etc/nginx', rootContext: 'main' }));
}

/** The location (or `if`) whose path is `locationPath`; `if` blocks are found by their condition. */
function at(model: ConfigModel, locationPath: string): LocationModel {
  const found = model.locations.filter((location) => location.path === locationPath);
  assert.equal(
    found.length,
    1,
    `exactly one location "${locationPath}" among ${JSON.stringify(model.locations.map((location) => location.path))}`,
  );
  return found[0] as LocationModel;
}

/** Header lines as "Name: value (line N)" with the 0-based line where they are written. */
function headers(lines: readonly HeaderLine[]): string[] {
  return lines.map((line) => `${line.name}: ${line.value?.value ?? ''} (line ${line.node.directive.range.start.line})`);
}

const WS_AT_SERVER = `
http {
    server {
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        location /inherits {
            proxy_pass http://a;
        }
        location /drops {
            proxy_pass http://a;
            proxy_set_header Host $host;
        }
        location /redeclares {
            proxy_pass http://a;
            proxy_set_header Upgrade websocket;
        }
    }
}`;

test('§3 proxy_set_header: a level with none of its own inherits every line of the enclosing level', () => {
  const location = at(modelOf(WS_AT_SERVER), '/inherits');
  assert.deepEqual(headers(location.headers.lines), [
    'Upgrade: $http_upgrade (line 3)',
    'Connection: upgrade (line 4)',
  ]);
  assert.equal(location.headers.level?.directive.name, 'server');
  assert.deepEqual(location.headers.dropped, []);
});

test('§3 proxy_set_header: one line of its own drops all inherited lines; dropped lists exactly those', () => {
  const location = at(modelOf(WS_AT_SERVER), '/drops');
  assert.deepEqual(headers(location.headers.lines), ['Host: $host (line 10)']);
  assert.equal(location.headers.level, location.node);
  assert.deepEqual(headers(location.headers.dropped), [
    'Upgrade: $http_upgrade (line 3)',
    'Connection: upgrade (line 4)',
  ]);
});

test('§3 proxy_set_header: an inherited header declared again is replaced, not listed as dropped', () => {
  const location = at(modelOf(WS_AT_SERVER), '/redeclares');
  assert.deepEqual(headers(location.headers.lines), ['Upgrade: websocket (line 14)']);
  assert.deepEqual(headers(location.headers.dropped), ['Connection: upgrade (line 4)']);
});

test('§3 proxy_set_header: header names compare case-insensitively', () => {
  const model = modelOf(`
http {
    proxy_set_header connection upgrade;
    server {
        location / {
            proxy_set_header CONNECTION "";
        }
    }
}`);
  const location = at(model, '/');
  assert.equal(location.headers.lines[0]?.key, 'connection');
  assert.deepEqual(location.headers.dropped, []);
});

test('§3 levels: http -> server -> location -> nested location, all-or-nothing at every level', () => {
  const model = modelOf(`
http {
    proxy_set_header X-Http 1;
    server {
        location /a {
            location /a/inherits {
            }
        }
    }
    server {
        proxy_set_header X-Server 1;
        location /b {
            proxy_set_header X-Location 1;
            location /b/inherits {
            }
            location /b/own {
                proxy_set_header X-Nested 1;
            }
        }
    }
}`);
  assert.deepEqual(headers(at(model, '/a').headers.lines), ['X-Http: 1 (line 2)']);
  assert.deepEqual(headers(at(model, '/a/inherits').headers.lines), ['X-Http: 1 (line 2)']);
  assert.equal(at(model, '/a/inherits').headers.level?.directive.name, 'http');
  assert.deepEqual(headers(at(model, '/b').headers.lines), ['X-Location: 1 (line 12)']);
  assert.deepEqual(headers(at(model, '/b').headers.dropped), ['X-Server: 1 (line 10)']);
  assert.deepEqual(headers(at(model, '/b/inherits').headers.lines), ['X-Location: 1 (line 12)']);
  assert.deepEqual(headers(at(model, '/b/own').headers.lines), ['X-Nested: 1 (line 16)']);
  assert.deepEqual(headers(at(model, '/b/own').headers.dropped), ['X-Location: 1 (line 12)']);
  assert.equal(at(model, '/b/own').enclosing, at(model, '/b'));
  assert.equal(at(model, '/b/own').server?.directive.name, 'server');
});

test('§3 proxy_http_version: a scalar, inherited unless set at the level itself', () => {
  const model = modelOf(`
http {
    proxy_http_version 1.1;
    server {
        location /inherits { }
        location /own {
            proxy_http_version 1.0;
            location /own/nested { }
        }
    }
    server {
        proxy_http_version 2;
        location /server-level {
            proxy_set_header Host $host;
        }
    }
}
`);
  assert.deepEqual(
    [
      at(model, '/inherits').proxyHttpVersion?.value,
      at(model, '/inherits').proxyHttpVersion?.node.directive.range.start.line,
    ],
    ['1.1', 2],
  );
  assert.equal(at(model, '/own').proxyHttpVersion?.value, '1.0');
  assert.equal(at(model, '/own/nested').proxyHttpVersion?.value, '1.0');
  // Unlike proxy_set_header, a proxy_set_header at the level does not stop the version from being inherited.
  assert.equal(at(model, '/server-level').proxyHttpVersion?.value, '2');
});

test("§3 proxy_http_version: unset everywhere is undefined (nginx's default applies)", () => {
  const model = modelOf('http { server { location / { proxy_pass http://a; } } }');
  assert.equal(at(model, '/').proxyHttpVersion, undefined);
  assert.deepEqual(at(model, '/').headers, { lines: [], level: undefined, dropped: [] });
});

test('§3 proxy_read_timeout: a scalar, inherited unless set', () => {
  const model = modelOf(`
http {
    proxy_read_timeout 1h;
    server {
        location /inherits { }
        location /own { proxy_read_timeout 30s; }
    }
}`);
  assert.equal(at(model, '/inherits').proxyReadTimeout?.value, '1h');
  assert.equal(at(model, '/own').proxyReadTimeout?.value, '30s');
});

test("§3 proxy_pass: a nested location does not inherit its parent's proxy_pass", () => {
  const model = modelOf(`
http {
    server {
        location /outer {
            proxy_pass http://outer;
            location /outer/static { root /srv; }
        }
    }
}`);
  assert.equal(at(model, '/outer').proxyPass?.value, 'http://outer');
  assert.equal(at(model, '/outer/static').proxyPass, undefined);
});

const IF_CONFIG = `
http {
    server {
        if ($host = "old.example") {
            return 301 https://new.example;
        }
        location /ws {
            proxy_pass http://ws;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection upgrade;
            if ($arg_debug) {
                proxy_set_header X-Not-Allowed-Here 1;
            }
            if ($http_x_canary) {
                proxy_pass http://canary;
            }
            limit_except GET {
                deny all;
            }
        }
    }
}`;

test("§3 if in a location: its own level; takes the location's proxy_pass and inherits its headers", () => {
  const model = modelOf(IF_CONFIG);
  const debug = at(model, '($arg_debug)');
  assert.equal(debug.kind, 'if');
  assert.equal(debug.proxyPass?.value, 'http://ws');
  assert.equal(debug.enclosing, at(model, '/ws'));
  // proxy_set_header is not allowed in "if" (nginx -t rejects it): it sets nothing there.
  assert.deepEqual(headers(debug.headers.lines), ['Upgrade: $http_upgrade (line 8)', 'Connection: upgrade (line 9)']);
  assert.deepEqual(debug.headers.dropped, []);
});

test('§3 if in a location: its own proxy_pass wins', () => {
  const canary = at(modelOf(IF_CONFIG), '($http_x_canary)');
  assert.equal(canary.proxyPass?.value, 'http://canary');
  assert.equal(canary.headers.lines.length, 2);
});

test("§3 limit_except in a location takes the location's proxy_pass and headers", () => {
  const limit = at(modelOf(IF_CONFIG), 'GET');
  assert.equal(limit.kind, 'limit_except');
  assert.equal(limit.proxyPass?.value, 'http://ws');
  assert.equal(limit.headers.lines.length, 2);
});

test('§3 if at server level is not a location', () => {
  const model = modelOf(IF_CONFIG);
  assert.equal(
    model.locations.some(
      (location) => location.path === '($host = "old.example" )' || location.path.startsWith('($host'),
    ),
    false,
  );
  assert.deepEqual(
    model.locations.map((location) => [location.kind, location.path]),
    [
      ['location', '/ws'],
      ['if', '($arg_debug)'],
      ['if', '($http_x_canary)'],
      ['limit_except', 'GET'],
    ],
  );
});

test("§3 include is textual: a header in an included file counts at the include's level and points to that file", () => {
  const model = modelOf(
    `
http {
    server {
        location /ws {
            proxy_pass http://ws;
            proxy_set_header Host $host;
            include snippets/websocket.conf;
        }
        location /only-include {
            proxy_pass http://ws;
            include snippets/websocket.conf;
        }
    }
}`,
    {
      '/etc/nginx/snippets/websocket.conf':
        'proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection upgrade;\n',
    },
  );
  const ws = at(model, '/ws');
  assert.deepEqual(
    ws.headers.lines.map((line) => [line.name, line.node.file, line.node.directive.range.start.line]),
    [
      ['Host', '/etc/nginx/nginx.conf', 5],
      ['Upgrade', '/etc/nginx/snippets/websocket.conf', 1],
      ['Connection', '/etc/nginx/snippets/websocket.conf', 2],
    ],
  );
  assert.deepEqual(ws.headers.dropped, []);
  assert.equal(ws.headers.level, ws.node);
  assert.equal(ws.proxyHttpVersion?.node.file, '/etc/nginx/snippets/websocket.conf');
  assert.equal(at(model, '/only-include').headers.lines.length, 2);
});

test('§3 include is textual: an include at server level sets the server level', () => {
  const model = modelOf(
    'http { server { include /etc/nginx/proxy.conf; location / { proxy_pass http://a; } location /own { proxy_set_header X 1; } } }',
    {
      '/etc/nginx/proxy.conf': 'proxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection upgrade;\n',
    },
  );
  assert.equal(at(model, '/').headers.lines.length, 2);
  assert.equal(at(model, '/').headers.level?.directive.name, 'server');
  assert.deepEqual(
    at(model, '/own').headers.dropped.map((line) => [line.name, line.node.file]),
    [
      ['Upgrade', '/etc/nginx/proxy.conf'],
      ['Connection', '/etc/nginx/proxy.conf'],
    ],
  );
});

test('§3 include: a location whose include cannot be read says its picture is incomplete', () => {
  const model = modelOf(
    'http { server { include /etc/nginx/missing.conf; location / { proxy_pass http://a; } } server { location /complete { } } }',
  );
  assert.deepEqual(
    at(model, '/').unresolvedIncludes.map((node) => node.directive.args[0]?.value),
    ['/etc/nginx/missing.conf'],
  );
  assert.deepEqual(at(model, '/complete').unresolvedIncludes, []);
});

test('§3 include: the relative-include fixture tree gives the location the snippet of the main config folder', () => {
  const root = fixturePath('trees', 'relative-to-main-dir');
  const tree = buildConfigTree(path.join(root, 'nginx.conf'), new JailedFileSystem(root), { baseDir: root });
  const ws = at(buildConfigModel(tree), '/ws');
  assert.deepEqual(
    ws.headers.lines.map((line) => [line.name, path.relative(root, line.node.file)]),
    [
      ['Upgrade', 'snippets/ws-headers.conf'],
      ['Connection', 'snippets/ws-headers.conf'],
    ],
  );
});

test('variables: maps, geo, split_clients, set, *_set and named captures are recorded where they are defined', () => {
  const model = modelOf(`
http {
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    map $http_upgrade $Mixed_Case { default 1; }
    geo $remote_addr $internal { default 0; }
    split_clients "\${remote_addr}" $variant { 50% a; * b; }
    upstream backend { server 127.0.0.1:9000; }
    upstream ws_pool { server 127.0.0.1:9001; }
    server {
        server_name ~^(?<subdomain>[a-z]+)\\.example$;
        set $upstream_name backend;
        location ~ ^/users/(?<user_id>\\d+)$ {
            auth_request_set $auth_user $upstream_http_x_user;
            proxy_pass http://backend;
        }
        location / {
            if ($uri ~ "^/(?P<section>[a-z]+)") { set \${from_if} 1; }
        }
    }
}`);
  const kinds = Object.fromEntries(
    [...model.variables].map(([name, definitions]) => [name, definitions.map((definition) => definition.kind)]),
  );
  assert.deepEqual(kinds, {
    connection_upgrade: ['map'],
    mixed_case: ['map'],
    internal: ['geo'],
    variant: ['split_clients'],
    subdomain: ['capture'],
    upstream_name: ['set'],
    user_id: ['capture'],
    auth_user: ['other'],
    section: ['capture'],
    from_if: ['set'],
  });
  assert.deepEqual([...model.maps.keys()], ['connection_upgrade', 'mixed_case']);
  assert.equal(model.maps.get('connection_upgrade')?.directive.name, 'map');
  assert.deepEqual([...model.upstreams.keys()], ['backend', 'ws_pool']);
  assert.equal(model.servers.length, 1);
});

test('variables: a map in an included http-level file is in scope, pointing to that file', () => {
  const model = modelOf('http { include /etc/nginx/conf.d/*.conf; }', {
    '/etc/nginx/conf.d/00-maps.conf': 'map $http_upgrade $connection_upgrade { default upgrade; }',
    '/etc/nginx/conf.d/site.conf': 'server { location / { proxy_set_header Connection $connection_upgrade; } }',
  });
  assert.equal(model.maps.get('connection_upgrade')?.file, '/etc/nginx/conf.d/00-maps.conf');
  assert.equal(at(model, '/').node.file, '/etc/nginx/conf.d/site.conf');
});

test('stream {} proxying is another module: no HTTP locations or servers come from it', () => {
  const model = modelOf(
    'stream { proxy_timeout 1h; server { listen 12345; proxy_pass 127.0.0.1:9000; } }\nhttp { server { location / { } } }',
  );
  assert.equal(model.servers.length, 1);
  assert.deepEqual(
    model.locations.map((location) => location.path),
    ['/'],
  );
});

test('locations: modifiers and paths, with and without a space', () => {
  const model = modelOf(`
http { server {
    location = /exact { }
    location ~ ^/regex { }
    location ~* \\.(png|jpg)$ { }
    location ^~ /static/ { }
    location @named { }
    location /prefix { }
    location =/glued { }
    location ~/glued-regex { }
} }`);
  assert.deepEqual(
    model.locations.map((location) => [location.modifier, location.path]),
    [
      ['=', '/exact'],
      ['~', '^/regex'],
      ['~*', '\\.(png|jpg)$'],
      ['^~', '/static/'],
      ['@', '@named'],
      ['', '/prefix'],
      ['=', '/glued'],
      ['~', '/glued-regex'],
    ],
  );
});

test('fragments: a server-context fragment inherits its own top-level lines; a location fragment is one location', () => {
  const fs = new MemoryFileSystem({
    '/w/server-fragment.conf': 'proxy_set_header Upgrade $http_upgrade;\nlocation /ws { proxy_pass http://a; }',
    '/w/location-fragment.conf':
      'proxy_pass http://a;\nproxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;',
  });
  const serverModel = buildConfigModel(
    buildConfigTree('/w/server-fragment.conf', fs, { baseDir: '/w', rootContext: 'server' }),
  );
  assert.deepEqual(headers(at(serverModel, '/ws').headers.lines), ['Upgrade: $http_upgrade (line 0)']);
  const locationModel = buildConfigModel(buildConfigTree('/w/location-fragment.conf', fs, { baseDir: '/w' }));
  assert.equal(locationModel.locations.length, 1);
  const only = locationModel.locations[0];
  assert.equal(only?.proxyPass?.value, 'http://a');
  assert.equal(only?.proxyHttpVersion?.value, '1.1');
  assert.deepEqual(headers(only?.headers.lines ?? []), ['Upgrade: $http_upgrade (line 2)']);
});

test('ownsProxyPass: the proxy_pass in the block (or a file it includes), not the enclosing location’s', () => {
  const model = modelOf(
    `http {
    server {
        location /a {
            proxy_pass http://a;
            if ($http_x = 1) { set $y 1; }
            if ($http_z = 1) { proxy_pass http://z; }
            if ($http_w = 1) { include /etc/nginx/pass.conf; }
            limit_except GET { deny all; }
            location /a/inner { return 204; }
        }
        location /b { include /etc/nginx/pass.conf; }
        location /c { return 204; }
    }
}
`,
    { '/etc/nginx/pass.conf': 'proxy_pass http://included;\n' },
  );
  const owns = Object.fromEntries(model.locations.map((location) => [location.path, ownsProxyPass(location)]));
  assert.deepEqual(owns, {
    '/a': true,
    '($http_x = 1)': false,
    '($http_z = 1)': true,
    '($http_w = 1)': true,
    GET: false,
    '/a/inner': false,
    '/b': true,
    '/c': false,
  });
  // The same as comparing the nodes, which is what it saves making.
  for (const location of model.locations)
    assert.equal(ownsProxyPass(location), location.proxyPass?.node.parent === location.node, location.path);
});

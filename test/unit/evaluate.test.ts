// The evaluator: what nginx sends upstream, per simulated request. Expected values are written
// from nginx's rules (../shared/nginx-websocket-facts.md §2, §3, §6, and the map semantics checked
// on Debian's nginx 1.22.1 with `return 200 "$var"`: exact keys match whatever the case of the key
// or the value; exact keys win over regexes written before them; `~` is case-sensitive, `~*` not;
// regexes in order; `hostnames` matches `*.example.com`, `.foo.org` and `www.bar.*`; a value can
// hold variables and text, `$exact-$http_x_k` gave "U-upgrade").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHROME_HANDSHAKE,
  evaluateLocation,
  evaluateRequests,
  evaluateValue,
  FIREFOX_HANDSHAKE,
  handshakeWorks,
  hasUpgradeToken,
  PLAIN_REQUEST,
  type ChainLink,
  type SimulatedRequest,
  type UpstreamRequest,
} from '../../server/src/core/eval/evaluate';
import { buildConfigModel, type ConfigModel, type LocationModel } from '../../server/src/core/model/effective';
import { buildConfigTree } from '../../server/src/core/model/tree';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import { MemoryFileSystem } from '../helpers/fileSystems';

function modelOf(main: string): ConfigModel {
  const fs = new MemoryFileSystem({ '/etc/nginx/nginx.conf': main });
  return buildConfigModel(buildConfigTree('/etc/nginx/nginx.conf', fs, { baseDir: '/etc/nginx', rootContext: 'main' }));
}

function locationOf(model: ConfigModel, path: string): LocationModel {
  const found = model.locations.find((location) => location.path === path);
  assert.ok(found, `no location ${path}`);
  return found;
}

function request(label: string, headers: Record<string, string>): SimulatedRequest {
  return { label, headers: new Map(Object.entries(headers)), host: headers.host ?? 'example.com' };
}

/** `http { MAPS server { location /t { proxy_pass ...; LOCATION } } }` */
function config(maps: string, location: string, server = ''): string {
  return `events {}\nhttp {\n${maps}\nserver {\n${server}\nlocation /t {\nproxy_pass http://127.0.0.1:9000;\n${location}\n}\n}\n}\n`;
}

describe('map and variable values', () => {
  const maps = `
map $http_x_k $exact { default d; Upgrade U; }
map $http_x_k $rx { default d; ~^up cs; ~*^UP ci; }
map $http_x_k $order { ~*up regex; upgrade exact; default d; }
map $http_x_k $nested { default $exact-$http_x_k; }
map $http_x_k $nodefault { a b; }
map $http_host $hn { hostnames; default d; *.example.com wild; .foo.org dotfoo; www.bar.* tail; }
map $exact $chained { U "got upgrade"; default other; }
map "$http_x_k:$http_x_j" $pair { "a:b" both; default none; }`;
  const model = modelOf(config(maps, '', 'set $server_set from-server;'));
  const location = locationOf(model, '/t');
  // [value, request headers, expected]
  const cases: [string, Record<string, string>, string][] = [
    ['$exact', { 'x-k': 'upgrade' }, 'U'],
    ['$exact', { 'x-k': 'UPGRADE' }, 'U'],
    ['$exact', { 'x-k': 'Up' }, 'd'],
    ['$rx', { 'x-k': 'upgrade' }, 'cs'],
    ['$rx', { 'x-k': 'Upgrade' }, 'ci'],
    ['$rx', { 'x-k': 'x' }, 'd'],
    ['$order', { 'x-k': 'upgrade' }, 'exact'],
    ['$order', { 'x-k': 'Up' }, 'regex'],
    ['$nested', { 'x-k': 'upgrade' }, 'U-upgrade'],
    ['$nested', {}, 'd-'],
    ['$nodefault', { 'x-k': 'z' }, ''],
    ['$hn', { host: 'a.example.com' }, 'wild'],
    ['$hn', { host: 'foo.org' }, 'dotfoo'],
    ['$hn', { host: 'www.bar.net' }, 'tail'],
    ['$hn', { host: 'other.net' }, 'd'],
    ['$chained', { 'x-k': 'Upgrade' }, 'got upgrade'],
    ['$pair', { 'x-k': 'a', 'x-j': 'b' }, 'both'],
    ['x-$http_x_k-${http_x_k}y', { 'x-k': 'q' }, 'x-q-qy'],
    ['$server_set', {}, 'from-server'],
    ['$http_user_agent', {}, ''],
  ];
  for (const [value, headers, expected] of cases) {
    it(`${value} with ${JSON.stringify(headers)} is "${expected}"`, () => {
      const result = evaluateValue(model, location, request('a test request', headers), value);
      assert.ok(result.known, `unknown: ${result.known ? '' : result.reason}`);
      assert.equal(result.value, expected);
    });
  }

  it('a map result names the map and the matching entry in its chain', () => {
    const result = evaluateValue(model, location, request('r', { 'x-k': 'upgrade' }), '$exact');
    assert.ok(result.known);
    assert.deepEqual(
      result.chain.map((link) => link.range.start.line),
      [3, 3],
    );
    assert.match(result.chain[1]?.message ?? '', /"upgrade" matches "Upgrade"/);
  });

  const unknowns: [string, string][] = [
    ['$remote_addr', 'a runtime variable'],
    ['$undefined_thing', 'defined nowhere'],
    ['$lua_var', 'set by lua'],
    ['$in_if', 'set inside an if whose condition is a file test'],
    ['$geo_var', 'geo'],
  ];
  const other = modelOf(
    config('geo $geo_var { default 1; }', 'set_by_lua $lua_var "return 1";\nif (-e /tmp/x) { set $in_if yes; }'),
  );
  for (const [value, why] of unknowns) {
    it(`${value} is unknown (${why})`, () => {
      const result = evaluateValue(other, locationOf(other, '/t'), CHROME_HANDSHAKE, value);
      assert.equal(result.known, false);
    });
  }
});

describe('set and if, as the rewrite module runs them', () => {
  // Checked on nginx 1.22.1 with `return 200`: the server's set applies in its locations; a set in
  // an if applies when the condition holds for the request (`= websocket`, `~* "upgrade"`,
  // `= ""`); a nested location does not run its enclosing location's set ($v was empty).
  const model = modelOf(
    config(
      '',
      [
        'set $c close;',
        'if ($http_upgrade = websocket) { set $c upgrade; }',
        'if ($http_connection ~* "upgrade") { set $d has-token; }',
        'if ($http_x_empty = "") { set $e empty-matched; }',
        'if (-f /etc/passwd) { set $f file; }',
        'if ($http_upgrade !~ ^web) { set $g not-web; }',
        'location /t/inner { proxy_pass http://127.0.0.1:9001; }',
      ].join('\n'),
      'set $s from-server;\nset $c2 $s-$http_upgrade;',
    ),
  );
  const outer = locationOf(model, '/t');
  const inner = locationOf(model, '/t/inner');
  const cases: [string, SimulatedRequest, string | undefined][] = [
    ['$s', PLAIN_REQUEST, 'from-server'],
    ['$c2', CHROME_HANDSHAKE, 'from-server-websocket'],
    ['$c', PLAIN_REQUEST, 'close'],
    ['$c', CHROME_HANDSHAKE, 'upgrade'],
    // Nothing sets it for this request: nginx gives an uninitialized (empty) value; no claim here.
    ['$d', PLAIN_REQUEST, undefined],
    ['$e', PLAIN_REQUEST, 'empty-matched'],
    ['$f', PLAIN_REQUEST, undefined],
    ['$g', PLAIN_REQUEST, 'not-web'],
  ];
  for (const [value, sent, expected] of cases) {
    it(`${value} for ${sent.label} is ${expected === undefined ? 'unknown' : `"${expected}"`}`, () => {
      const result = evaluateValue(model, outer, sent, value);
      if (expected === undefined) assert.equal(result.known, false);
      else {
        assert.ok(result.known, result.known ? '' : result.reason);
        assert.equal(result.value, expected);
      }
    });
  }
  it('$d (set only when the condition holds) is "has-token" for Firefox, unknown where nothing sets it', () => {
    const firefox = evaluateValue(model, outer, FIREFOX_HANDSHAKE, '$d');
    assert.ok(firefox.known);
    assert.equal(firefox.value, 'has-token');
  });
  it("a nested location does not run its enclosing location's set: no claim", () => {
    assert.equal(evaluateValue(model, inner, CHROME_HANDSHAKE, '$c').known, false);
  });
});

describe('what the upstream receives', () => {
  const docsMap = "map $http_upgrade $connection_upgrade { default upgrade; '' close; }";
  const aspnetMap = 'map $http_connection $connection_upgrade { "~*Upgrade" $http_connection; default keep-alive; }';
  const exactOnlyMap = 'map $http_connection $c { upgrade upgrade; default close; }';
  const three = 'proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;';
  // [name, maps, location, server, nginx version, request, version, Upgrade, Connection]
  const cases: [string, string, string, string, string | undefined, SimulatedRequest, string, string, string][] = [
    ['nothing set, old nginx', '', '', '', undefined, CHROME_HANDSHAKE, '1.0', '', 'close'],
    ['nothing set, nginx 1.29.7', '', '', '', '1.29.7', CHROME_HANDSHAKE, '1.1', '', ''],
    ['nothing set, nginx 1.29.6', '', '', '', '1.29.6', CHROME_HANDSHAKE, '1.0', '', 'close'],
    ['http/2', '', 'proxy_http_version 2;', '', '1.30.0', CHROME_HANDSHAKE, '2', '', ''],
    [
      'literal upgrade',
      '',
      `${three}\nproxy_set_header Connection "upgrade";`,
      '',
      undefined,
      FIREFOX_HANDSHAKE,
      '1.1',
      'websocket',
      'upgrade',
    ],
    [
      'docs map, Chrome',
      docsMap,
      `${three}\nproxy_set_header Connection $connection_upgrade;`,
      '',
      undefined,
      CHROME_HANDSHAKE,
      '1.1',
      'websocket',
      'upgrade',
    ],
    [
      'docs map, plain',
      docsMap,
      `${three}\nproxy_set_header Connection $connection_upgrade;`,
      '',
      undefined,
      PLAIN_REQUEST,
      '1.1',
      '',
      'close',
    ],
    [
      'ASP.NET map, Firefox',
      aspnetMap,
      `${three}\nproxy_set_header Connection $connection_upgrade;`,
      '',
      undefined,
      FIREFOX_HANDSHAKE,
      '1.1',
      'websocket',
      'keep-alive, Upgrade',
    ],
    [
      'ASP.NET map, plain',
      aspnetMap,
      `${three}\nproxy_set_header Connection $connection_upgrade;`,
      '',
      undefined,
      PLAIN_REQUEST,
      '1.1',
      '',
      'keep-alive',
    ],
    [
      'exact-only map, Chrome',
      exactOnlyMap,
      `${three}\nproxy_set_header Connection $c;`,
      '',
      undefined,
      CHROME_HANDSHAKE,
      '1.1',
      'websocket',
      'upgrade',
    ],
    [
      'exact-only map, Firefox',
      exactOnlyMap,
      `${three}\nproxy_set_header Connection $c;`,
      '',
      undefined,
      FIREFOX_HANDSHAKE,
      '1.1',
      'websocket',
      'close',
    ],
    [
      'forwarded Connection, Firefox',
      '',
      `${three}\nproxy_set_header Connection $http_connection;`,
      '',
      undefined,
      FIREFOX_HANDSHAKE,
      '1.1',
      'websocket',
      'keep-alive, Upgrade',
    ],
    [
      'empty Connection is not sent',
      '',
      `${three}\nproxy_set_header Connection "";`,
      '',
      undefined,
      CHROME_HANDSHAKE,
      '1.1',
      'websocket',
      '',
    ],
    [
      'inherited from server',
      '',
      '',
      `${three}\nproxy_set_header Connection "upgrade";`,
      undefined,
      CHROME_HANDSHAKE,
      '1.1',
      'websocket',
      'upgrade',
    ],
    [
      'dropped by a local Host line',
      '',
      'proxy_set_header Host $host;',
      `${three}\nproxy_set_header Connection "upgrade";`,
      undefined,
      CHROME_HANDSHAKE,
      '1.1',
      '',
      'close',
    ],
    [
      'swapped',
      docsMap,
      'proxy_http_version 1.1;\nproxy_set_header Upgrade $connection_upgrade;\nproxy_set_header Connection $http_upgrade;',
      '',
      undefined,
      CHROME_HANDSHAKE,
      '1.1',
      'upgrade',
      'websocket',
    ],
  ];
  for (const [name, maps, location, server, version, sent, httpVersion, upgrade, connection] of cases) {
    it(`${name}: ${sent.label} reaches the backend as HTTP/${httpVersion}, Upgrade "${upgrade}", Connection "${connection}"`, () => {
      const model = modelOf(config(maps, location, server));
      const result = evaluateLocation(
        model,
        locationOf(model, '/t'),
        sent,
        version ? parseNginxVersion(version) : undefined,
      );
      assert.equal(result.httpVersion, httpVersion);
      assert.deepEqual(result.upgrade.result.known && result.upgrade.result.value, upgrade);
      assert.deepEqual(result.connection.result.known && result.connection.result.value, connection);
    });
  }

  it('a dropped line is named in the chain', () => {
    const model = modelOf(config('', 'proxy_set_header Host $host;', 'proxy_set_header Upgrade $http_upgrade;'));
    const result = evaluateLocation(model, locationOf(model, '/t'), CHROME_HANDSHAKE, undefined);
    assert.equal(result.upgrade.dropped?.name, 'Upgrade');
    assert.match(result.upgrade.result.chain[0]?.message ?? '', /dropped/);
  });

  it('a handshake works only with HTTP/1.1, Upgrade websocket and an upgrade token', () => {
    const good = modelOf(config('', `${three}\nproxy_set_header Connection "keep-alive, Upgrade";`));
    assert.equal(handshakeWorks(evaluateLocation(good, locationOf(good, '/t'), FIREFOX_HANDSHAKE, undefined)), true);
    const bad = modelOf(config('', `${three}\nproxy_set_header Connection "keep-alive";`));
    assert.equal(handshakeWorks(evaluateLocation(bad, locationOf(bad, '/t'), FIREFOX_HANDSHAKE, undefined)), false);
  });
});

describe('Connection tokens', () => {
  const cases: [string, boolean][] = [
    ['upgrade', true],
    ['Upgrade', true],
    ['keep-alive, Upgrade', true],
    ['keep-alive,upgrade ', true],
    ['keep-alive', false],
    ['close', false],
    ['', false],
    ['upgrades', false],
    ['websocket', false],
  ];
  for (const [value, expected] of cases)
    it(`"${value}" ${expected ? 'carries' : 'does not carry'} the upgrade token`, () =>
      assert.equal(hasUpgradeToken(value), expected));
});

describe('evaluateRequests: a result shared between the handshakes only where it is the same', () => {
  /** An evaluation as plain data: chain links read through their getters. */
  const plain = (sent: UpstreamRequest): unknown => {
    const links = (chain: readonly ChainLink[]) =>
      chain.map((link) => ({ file: link.file, range: link.range, message: link.message }));
    const header = (header: UpstreamRequest['upgrade']) => ({
      result: { ...header.result, chain: links(header.result.chain) },
      line: header.line?.valueText,
      dropped: header.dropped?.name,
    });
    return {
      request: sent.request.label,
      httpVersion: sent.httpVersion,
      httpVersionChain: links(sent.httpVersionChain),
      upgrade: header(sent.upgrade),
      connection: header(sent.connection),
    };
  };
  const maps = `
map $http_upgrade $connection_upgrade { default upgrade; '' close; }
map $http_connection $by_connection { ~*upgrade upgrade; default close; }
map $http_upgrade $passes_connection { default $http_connection; }
map $http_upgrade $by_host { default $host; }`;
  const locations: [string, string][] = [
    ['the docs idiom', 'proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade;'],
    [
      'a map on $http_connection',
      'proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $by_connection;',
    ],
    [
      'the client Connection passed',
      'proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $http_connection;',
    ],
    ['a map whose value is $http_connection', 'proxy_set_header Connection $passes_connection;'],
    ['a map whose value is $host', 'proxy_set_header Connection $by_host;'],
    [
      'set under an if on Connection',
      'set $c keep; if ($http_connection ~* "keep-alive") { set $c upgrade; } proxy_set_header Connection $c;',
    ],
    ['nothing set', ''],
  ];
  const text = `events {}\nhttp {\n${maps}\nserver {\n${locations
    .map(([, body], index) => `location /t${index} { proxy_pass http://127.0.0.1:9000; ${body} }`)
    .join('\n')}\n}\n}\n`;
  for (const order of ['in order', 'reversed']) {
    it(`equals evaluating each request on its own, locations ${order} (map results are memoized across them)`, () => {
      const model = modelOf(text);
      const indices = locations.map((_, index) => index);
      if (order === 'reversed') indices.reverse();
      for (const index of indices) {
        const location = locationOf(model, `/t${index}`);
        for (const version of [undefined, parseNginxVersion('1.29.7')]) {
          const requests = [CHROME_HANDSHAKE, FIREFOX_HANDSHAKE, PLAIN_REQUEST];
          assert.deepEqual(
            evaluateRequests(model, location, version, requests).map(plain),
            requests.map((request) => plain(evaluateLocation(model, location, request, version))),
            locations[index]?.[0],
          );
        }
      }
    });
  }
});

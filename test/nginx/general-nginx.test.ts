// The general diagnostics' verdicts on the real nginx (Debian's 1.22.1, `nginx -t`): a base
// config nginx accepts gets no general warning or error; each mutant of it, of every kind the
// corpus mutation test uses and the other codes besides, is refused by nginx with the message
// the diagnostic predicts, on the line the diagnostic is on. And each rule page's bad example is
// refused by nginx, its good example accepted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { GENERAL_CODES, generalFindings } from '../../server/src/core/diagnostics/general';
import { analyzeFile } from '../../server/src/core/model/workspace';
import type { Diagnosis } from '../../server/src/core/rules/types';
import { parseNginxVersion } from '../../server/src/core/rules/version';
import { MemoryFileSystem } from '../helpers/fileSystems';
import { findNginx, nginxTest } from '../helpers/nginx';
import { repoRoot } from '../helpers/paths';
import { exampleUnder } from '../helpers/ruleDocs';

const nginx = findNginx();
const skip = nginx ? false : 'nginx is not installed (apt-get install nginx); general diagnostics on nginx skipped';
const VERSION = '1.22.1';

const BASE = `events {}
http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    upstream app {
        server 127.0.0.1:9000;
        keepalive 8;
    }
    server {
        listen 127.0.0.1:8080;
        server_name app.example.test;
        client_max_body_size 10m;
        location / {
            proxy_pass http://app;
            proxy_set_header Host $host;
            proxy_read_timeout 60s;
        }
        location /ws/ {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;
        }
        location ~ ^/static/ {
            root /tmp;
            expires 1d;
        }
    }
}
`;

function ours(text: string): Diagnosis[] {
  const file = '/etc/nginx/nginx.conf';
  const analysis = analyzeFile(file, new MemoryFileSystem({ [file]: text }), { workspaceFolders: ['/etc/nginx'] });
  return generalFindings(analysis, {
    nginxVersion: parseNginxVersion(VERSION),
    extraDirectives: [],
    severity: {},
  }).filter((f) => f.severity === 'error' || f.severity === 'warning');
}

/** The base with `from` (which must occur once) replaced. */
function mutate(from: string, to: string, text = BASE): string {
  assert.equal(text.split(from).length, 2, `"${from}" occurs once in the base`);
  return text.replace(from, to);
}

interface Case {
  readonly name: string;
  readonly text: string;
  readonly code: string;
  /** What nginx -t says (the start of its [emerg] message). */
  readonly nginxSays: RegExp;
}

const CASES: Case[] = [
  {
    name: 'a letter dropped: proxy_pas',
    text: mutate(
      'proxy_pass http://app;\n            proxy_set_header Host',
      'proxy_pas http://app;\n            proxy_set_header Host',
    ),
    code: 'nginx-unknown-directive',
    nginxSays: /^unknown directive "proxy_pas"/,
  },
  {
    name: 'a letter dropped: proxy_buffring',
    text: mutate('proxy_buffering off;', 'proxy_buffring off;'),
    code: 'nginx-unknown-directive',
    nginxSays: /^unknown directive "proxy_buffring"/,
  },
  {
    name: 'a letter dropped: keepalve in an upstream',
    text: mutate('keepalive 8;', 'keepalve 8;'),
    code: 'nginx-unknown-directive',
    nginxSays: /^unknown directive "keepalve"/,
  },
  {
    name: 'server_name in a location',
    text: mutate('location /ws/ {\n', 'location /ws/ {\n            server_name x.test;\n'),
    code: 'nginx-context',
    nginxSays: /^"server_name" directive is not allowed here/,
  },
  {
    name: 'listen in a location',
    text: mutate('expires 1d;', 'expires 1d;\n            listen 8081;'),
    code: 'nginx-context',
    nginxSays: /^"listen" directive is not allowed here/,
  },
  {
    name: 'keepalive (upstream-only) in a server',
    text: mutate('client_max_body_size 10m;', 'client_max_body_size 10m;\n        keepalive 8;'),
    code: 'nginx-context',
    nginxSays: /^"keepalive" directive is not allowed here/,
  },
  {
    name: 'a second argument to proxy_http_version',
    text: mutate('proxy_http_version 1.1;', 'proxy_http_version 1.1 1.0;'),
    code: 'nginx-args',
    nginxSays: /^invalid number of arguments in "proxy_http_version" directive/,
  },
  {
    name: 'a second argument to client_max_body_size',
    text: mutate('client_max_body_size 10m;', 'client_max_body_size 10m 20m;'),
    code: 'nginx-args',
    nginxSays: /^invalid number of arguments in "client_max_body_size" directive/,
  },
  {
    name: 'a second argument to root',
    text: mutate('root /tmp;', 'root /tmp /srv;'),
    code: 'nginx-args',
    nginxSays: /^invalid number of arguments in "root" directive/,
  },
  {
    name: 'proxy_http_version twice',
    text: mutate('proxy_buffering off;', 'proxy_buffering off;\n            proxy_http_version 1.1;'),
    code: 'nginx-duplicate',
    nginxSays: /^"proxy_http_version" directive is duplicate/,
  },
  {
    name: 'a URI in proxy_pass in a regex location',
    text: mutate('root /tmp;', 'proxy_pass http://app/static/;'),
    code: 'nginx-proxy-pass-uri',
    nginxSays: /^"proxy_pass" cannot have URI part in location given by regular expression/,
  },
  {
    name: 'proxy_http_version 2 on nginx 1.22.1',
    text: mutate('proxy_http_version 1.1;', 'proxy_http_version 2;'),
    code: 'nginx-version',
    nginxSays: /^invalid value "2"/,
  },
];

describe('general diagnostics against nginx -t', { skip }, () => {
  if (skip || !nginx) return;

  it('nginx accepts the base config, and it gets no general warning or error', () => {
    const check = nginxTest(nginx, BASE);
    assert.ok(check.ok, check.output);
    assert.deepEqual(ours(BASE), []);
  });

  for (const entry of CASES) {
    it(`${entry.name}: nginx refuses it as predicted, on the line of our ${entry.code}`, () => {
      const check = nginxTest(nginx, entry.text);
      assert.equal(check.ok, false, 'nginx refuses the mutant');
      assert.match(check.message ?? '', entry.nginxSays, check.output);
      const found = ours(entry.text);
      assert.deepEqual(
        found.map((f) => f.code),
        [entry.code],
        found.map((f) => f.message).join('\n'),
      );
      assert.equal((found[0] as Diagnosis).range.start.line + 1, check.line, 'on the line nginx names');
    });
  }

  describe('the rule pages’ examples', () => {
    const docs = path.join(repoRoot, 'docs', 'rules');
    const wrap = (example: string): string =>
      `events {}\nhttp {\nupstream app { server 127.0.0.1:9000; }\nserver {\nlisten 127.0.0.1:8080;\n${example}}\n}\n`;
    for (const code of GENERAL_CODES) {
      it(`${code}: nginx refuses the bad example and accepts the good one`, () => {
        const page = readFileSync(path.join(docs, `${code}.md`), 'utf8');
        const bad = nginxTest(nginx, wrap(exampleUnder(page, 'Bad example') ?? ''));
        assert.equal(bad.ok, false, `the bad example of ${code} is refused`);
        const good = nginxTest(nginx, wrap(exampleUnder(page, 'Good example') ?? ''));
        assert.ok(good.ok, good.output);
      });
    }
  });
});

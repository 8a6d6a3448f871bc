// Which directives nginx refuses to see twice at one level ("is duplicate"), and where it takes
// more or fewer arguments than the documented syntax shows, measured on the real nginx: `node --import tsx scripts/measure-directives.ts` writes
// server/src/core/diagnostics/measured.generated.ts.
//
// nginx's documentation does not say which directives may repeat; the slot functions do (a flag,
// number, size, time or enum slot refuses a second value, an array slot takes it). So each
// documented http-level directive that this nginx knows is written twice, with its documented
// default (or first enumerated value) as argument, in the innermost of location / server / http /
// main where the documentation allows it, and `nginx -t` tells. Directives without a usable
// argument, or of modules this nginx lacks, are left out: for them no duplicate is reported.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { nginxTest } from '../test/helpers/nginx';
import { directiveReference, type DirectiveInfo } from '../server/src/core/directives/reference';

const OUT = path.join(__dirname, '..', 'server', 'src', 'core', 'diagnostics', 'measured.generated.ts');
const nginx = process.env.NGINX ?? '/usr/sbin/nginx';

function place(info: DirectiveInfo): 'location' | 'server' | 'http' | 'main' | undefined {
  for (const context of ['location', 'server', 'http', 'main'] as const)
    if (info.contexts.includes(context)) return context;
  return undefined;
}

/** Arguments for common directives that have no documented default. */
const SAMPLES: Record<string, string> = {
  proxy_pass: 'http://127.0.0.1:1',
  fastcgi_pass: '127.0.0.1:1',
  uwsgi_pass: '127.0.0.1:1',
  scgi_pass: '127.0.0.1:1',
  grpc_pass: '127.0.0.1:1',
  memcached_pass: '127.0.0.1:1',
  root: '/tmp',
  alias: '/tmp/',
  try_files: '$uri =404',
  return: '204',
  rewrite: '^ /x',
  add_header: 'X-A b',
  proxy_set_header: 'X-A b',
  proxy_hide_header: 'X-A',
  proxy_redirect: 'off',
  expires: '1d',
  index: 'index.html',
  error_page: '404 /404.html',
  access_log: 'off',
  default_type: 'text/plain',
  server_name: 'a.test',
  allow: '127.0.0.1',
  deny: 'all',
  set: '$x 1',
  auth_basic_user_file: '/tmp/htpasswd',
  proxy_cache: 'off',
  proxy_cache_key: '$uri',
  proxy_cache_valid: '200 1m',
  ssl_certificate: '/tmp/cert.pem',
  ssl_certificate_key: '/tmp/key.pem',
  ssl_ciphers: 'HIGH',
  ssl_protocols: 'TLSv1.2',
  resolver: '127.0.0.1',
  sub_filter: 'a b',
  user: 'nobody',
  worker_processes: '1',
  pid: '/tmp/x.pid',
};

function argumentOf(info: DirectiveInfo): string | undefined {
  if (info.isBlock) return undefined;
  const sample = SAMPLES[info.name];
  if (sample) return sample;
  const value = info.defaultValue.trim();
  if (value && !/[;{}#]/.test(value)) return value;
  return info.args.values[0];
}

function config(line: string, where: string): string {
  const twice = `${line}\n${line}\n`;
  const location = where === 'location' ? twice : '';
  const server = where === 'server' ? twice : '';
  const http = where === 'http' ? twice : '';
  const main = where === 'main' ? twice : '';
  return `${main}events {}\nhttp {\n${http}server {\nlisten 127.0.0.1:1;\n${server}location / {\n${location}}\n}\n}\n`;
}

/** What `nginx -t` prints for `text` as a whole nginx.conf. */
function check(text: string): string {
  return nginxTest(nginx, text).output;
}

const duplicate: string[] = [];
const repeatable: string[] = [];
/** Directives nginx takes with more (or fewer) arguments than the documented syntax shows (`stub_status on`). */
const moreAccepted: string[] = [];
const fewerAccepted: string[] = [];
let skipped = 0;
let counted = 0;
const countRefused = (output: string): boolean => /invalid number of arguments/.test(output);
const unknown = (output: string): boolean => /unknown directive|is not allowed here/.test(output);
for (const entries of directiveReference().allDirectives()) {
  const info = entries.find((entry) => entry.module.startsWith('ngx_http_') || entry.module === 'Core functionality');
  if (!info) continue;
  const where = place(info);
  // nginx checks the number of arguments before it reads them: any text will do.
  if (where && !info.isBlock && Number.isFinite(info.args.max)) {
    const more = check(config(`${info.name}${' x'.repeat(info.args.max + 1)};`.replace(/ {2}/g, ' '), where));
    if (!unknown(more)) {
      counted++;
      if (!countRefused(more)) moreAccepted.push(info.name);
      if (info.args.min > 0) {
        const fewer = check(config(`${info.name}${' x'.repeat(info.args.min - 1)};`, where));
        if (!countRefused(fewer) && !unknown(fewer)) fewerAccepted.push(info.name);
      }
    }
  }
  const arg = argumentOf(info);
  if (!where || arg === undefined) {
    skipped++;
    continue;
  }
  const output = check(config(`${info.name} ${arg};`, where));
  if (/is duplicate/.test(output)) duplicate.push(info.name);
  else if (!/\[emerg\]/.test(output)) repeatable.push(info.name);
  else skipped++; // unknown to this nginx, or the argument was not accepted: not measured
}
const version = spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr.trim();
writeFileSync(
  OUT,
  `// Generated by scripts/measure-directives.ts from ${version}: do not edit.\n` +
    `// Directives nginx -t refuses twice at one level ("is duplicate"); ${repeatable.length} others were seen to repeat,\n` +
    `// ${skipped} could not be measured.\n` +
    `export const DUPLICATE_REFUSED: ReadonlySet<string> = new Set(${JSON.stringify(duplicate.sort(), null, 2)});\n\n` +
    `// Of ${counted} directives whose number of arguments was tried: those nginx takes with one more than the\n` +
    `// documented syntax allows, and with one fewer.\n` +
    `export const MORE_ARGUMENTS_ACCEPTED: ReadonlySet<string> = new Set(${JSON.stringify(moreAccepted.sort(), null, 2)});\n` +
    `export const FEWER_ARGUMENTS_ACCEPTED: ReadonlySet<string> = new Set(${JSON.stringify(fewerAccepted.sort(), null, 2)});\n`,
);
console.log(
  `${duplicate.length} refuse a duplicate, ${repeatable.length} repeat, ${skipped} not measured; of ${counted} counted, ${moreAccepted.length} take more arguments and ${fewerAccepted.length} fewer than documented → ${OUT}`,
);

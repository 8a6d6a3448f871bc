/**
 * nginx's directives and variables as its documentation describes them, from
 * `@nginx/reference-lib` (generated from nginx.org's sources): module, syntax, contexts, default,
 * description. Contexts are made unambiguous here: the documentation says "server" for http,
 * stream and mail servers alike, and the module tells which one is meant.
 */
import type * as ReferenceLib from '@nginx/reference-lib' with { 'resolution-mode': 'import' };
import { argumentShape, type ArgumentShape } from './syntax';

/** A block a directive may stand in, with the protocol made explicit. */
export type DirectiveContext =
  | 'main'
  | 'events'
  | 'http'
  | 'server'
  | 'location'
  | 'if-in-server'
  | 'if-in-location'
  | 'limit_except'
  | 'upstream'
  | 'stream'
  | 'stream-server'
  | 'stream-upstream'
  | 'mail'
  | 'mail-server'
  | 'other'
  /** `include` and friends: anywhere. */
  | 'any';

export interface DirectiveInfo {
  readonly name: string;
  /** `ngx_http_proxy_module`, or "Core functionality". */
  readonly module: string;
  readonly contexts: readonly DirectiveContext[];
  /** The documentation's syntax lines, Markdown (`*`…`*` placeholders, backticked literals). */
  readonly syntax: readonly string[];
  readonly isBlock: boolean;
  /** The documented default, as written ("1.1", "off", "" for none). */
  readonly defaultValue: string;
  /** The documentation text, Markdown, links absolute to nginx.org. */
  readonly description: string;
  readonly args: ArgumentShape;
  /** nginx.org page of the directive. */
  readonly url: string;
}

export interface VariableInfo {
  /** Without `$`; a family such as `$http_NAME` is `http_` with `isPrefix`. */
  readonly name: string;
  readonly isPrefix: boolean;
  readonly module: string;
  readonly description: string;
  readonly url: string;
}

function protocolOf(module: string): 'http' | 'stream' | 'mail' | 'core' {
  if (module.startsWith('ngx_stream_')) return 'stream';
  if (module.startsWith('ngx_mail_')) return 'mail';
  if (module.startsWith('ngx_http_') || module === 'ngx_otel_module') return 'http';
  return 'core';
}

function qualify(context: string, module: string): DirectiveContext[] {
  const protocol = protocolOf(module);
  switch (context) {
    case '':
      return ['any'];
    case 'server':
      return [protocol === 'stream' ? 'stream-server' : protocol === 'mail' ? 'mail-server' : 'server'];
    case 'upstream':
      return [protocol === 'stream' ? 'stream-upstream' : 'upstream'];
    case 'if':
      return ['if-in-server', 'if-in-location'];
    case 'if in location':
      return ['if-in-location'];
    case 'main':
    case 'events':
    case 'http':
    case 'location':
    case 'limit_except':
    case 'stream':
    case 'mail':
      return [context];
    default:
      // acme_issuer, oidc_provider, mgmt: blocks of commercial or newer modules.
      return ['other'];
  }
}

/** nginx.org documents a module on one page, each directive at an anchor of its name. */
function pageOf(module: string): string {
  if (module === 'Core functionality') return 'https://nginx.org/en/docs/ngx_core_module.html';
  const protocol = protocolOf(module);
  const folder = protocol === 'core' ? '' : `${protocol}/`;
  return `https://nginx.org/en/docs/${folder}${module}.html`;
}

export class DirectiveReference {
  private readonly byName = new Map<string, DirectiveInfo[]>();
  private readonly variablesByName = new Map<string, VariableInfo>();
  private readonly variablePrefixes: VariableInfo[] = [];

  constructor() {
    // Required here, not imported at the top: 1.7 MB of documentation is read only by the features
    // that need it. The package is an ES module; esbuild's bundle and Node 20.19+ load it by require.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require('@nginx/reference-lib') as typeof ReferenceLib;
    const markdown = lib.Format.Markdown;
    for (const entry of lib.getDirectives(markdown)) {
      const info: DirectiveInfo = {
        name: entry.name,
        module: entry.module,
        contexts: [...new Set(entry.contexts.flatMap((context) => qualify(context, entry.module)))],
        syntax: entry.syntax,
        isBlock: entry.isBlock,
        defaultValue: entry.default,
        description: entry.description,
        args: argumentShape(entry.syntax),
        url: `${pageOf(entry.module)}#${entry.name}`,
      };
      const list = this.byName.get(info.name);
      if (list) list.push(info);
      else this.byName.set(info.name, [info]);
    }
    for (const entry of lib.getVariables(markdown)) {
      const raw = entry.name.replace(/^\$/, '');
      // "$arg_NAME", "$jwt_claim_NAME": a family of variables, named by prefix.
      const family = /^([a-z0-9_]*_)[A-Z]+$/.exec(raw);
      const name = family?.[1] ?? raw;
      const anchor = `var_${raw.toLowerCase()}`;
      const info: VariableInfo = {
        name,
        isPrefix: family !== null,
        module: entry.module,
        description: entry.description,
        url: `${pageOf(entry.module)}#${anchor}`,
      };
      if (info.isPrefix) this.variablePrefixes.push(info);
      else if (!this.variablesByName.has(name)) this.variablesByName.set(name, info);
    }
  }

  /** Every documented directive of that name (one per module: `proxy_pass` is http and stream). */
  directives(name: string): readonly DirectiveInfo[] {
    return this.byName.get(name) ?? [];
  }

  /** The entry valid in the context, else the first documented. */
  directive(name: string, context?: DirectiveContext): DirectiveInfo | undefined {
    const entries = this.byName.get(name);
    if (!entries) return undefined;
    if (context) {
      const fitting = entries.find((entry) => entry.contexts.includes(context) || entry.contexts.includes('any'));
      if (fitting) return fitting;
    }
    return entries[0];
  }

  allDirectives(): IterableIterator<readonly DirectiveInfo[]> {
    return this.byName.values();
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /** Directives that may stand in the context. */
  directivesIn(context: DirectiveContext): DirectiveInfo[] {
    const result: DirectiveInfo[] = [];
    for (const entries of this.byName.values()) {
      const fitting = entries.find((entry) => entry.contexts.includes(context) || entry.contexts.includes('any'));
      if (fitting) result.push(fitting);
    }
    return result;
  }

  /** A built-in variable by name (without `$`), exact or by family (`http_upgrade` → `$http_NAME`). */
  variable(name: string): VariableInfo | undefined {
    const exact = this.variablesByName.get(name);
    if (exact) return exact;
    return this.variablePrefixes.find((family) => name.startsWith(family.name) && name.length > family.name.length);
  }

  allVariables(): readonly VariableInfo[] {
    return [...this.variablesByName.values(), ...this.variablePrefixes];
  }
}

let shared: DirectiveReference | undefined;

/** The reference, built on first use: 972 directives, made once per process. */
export function directiveReference(): DirectiveReference {
  return (shared ??= new DirectiveReference());
}

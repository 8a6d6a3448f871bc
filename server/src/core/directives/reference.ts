/**
 * nginx's directives and variables as its documentation describes them, from
 * `@nginx/reference-lib` (generated from nginx.org's sources): module, syntax, contexts, default,
 * description. Contexts are made unambiguous here: the documentation says "server" for http,
 * stream and mail servers alike, and the module tells which one is meant.
 */
import { DIRECTIVE_INDEX } from './index.generated';
import { loadReferenceLib, type IndexedDirective } from './indexSource';
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
  /** The documentation text, Markdown, links absolute to nginx.org; loaded on first read. */
  readonly description: string;
  readonly args: ArgumentShape;
  /** nginx.org page of the directive. */
  readonly url: string;
  /** Enumerated values and keywords the documentation dates, with the nginx version ("2": "1.29.4"). */
  readonly datedValues: Readonly<Record<string, string>>;
}

export interface VariableInfo {
  /** Without `$`; a family such as `$http_NAME` is `http_` with `isPrefix`. */
  readonly name: string;
  readonly isPrefix: boolean;
  readonly module: string;
  /** Loaded on first read. */
  readonly description: string;
  readonly url: string;
}

/** The documentation texts, by directive (`name module`) and variable (`$name module`). */
let documentation: Map<string, string> | undefined;

function documentationOf(key: string): string {
  if (!documentation) {
    const lib = loadReferenceLib();
    documentation = new Map();
    for (const entry of lib.getDirectives(lib.Format.Markdown))
      documentation.set(`${entry.name} ${entry.module}`, entry.description);
    for (const entry of lib.getVariables(lib.Format.Markdown))
      documentation.set(`${entry.name} ${entry.module}`, entry.description);
  }
  return documentation.get(key) ?? '';
}

const NOT_DATED: Readonly<Record<string, string>> = Object.freeze({});

class Directive implements DirectiveInfo {
  readonly contexts: readonly DirectiveContext[];
  readonly url: string;
  private description_: string | undefined;
  private args_: ArgumentShape | undefined;
  constructor(
    readonly name: string,
    readonly module: string,
    documentedContexts: readonly string[],
    readonly isBlock: boolean,
    readonly defaultValue: string,
    readonly syntax: readonly string[],
  ) {
    this.contexts = [...new Set(documentedContexts.flatMap((context) => qualify(context, module)))];
    this.url = `${pageOf(module)}#${name}`;
  }
  get description(): string {
    return (this.description_ ??= documentationOf(`${this.name} ${this.module}`));
  }
  get datedValues(): Readonly<Record<string, string>> {
    return DIRECTIVE_INDEX.dated[`${this.name} ${this.module}`] ?? NOT_DATED;
  }
  /** Derived when first read: a config uses a hundred of the 972 directives. */
  get args(): ArgumentShape {
    return (this.args_ ??= argumentShape(this.syntax));
  }
}

class Variable implements VariableInfo {
  private description_: string | undefined;
  constructor(
    readonly name: string,
    readonly isPrefix: boolean,
    readonly module: string,
    readonly url: string,
    private readonly documentedName: string,
  ) {}
  get description(): string {
    return (this.description_ ??= documentationOf(`${this.documentedName} ${this.module}`));
  }
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
  /** Index entries by name; their DirectiveInfo objects are made when a name is first asked for. */
  private readonly entriesByName = new Map<string, IndexedDirective[]>();
  private readonly byName = new Map<string, readonly DirectiveInfo[]>();
  private readonly variablesByName = new Map<string, VariableInfo>();
  private readonly variablePrefixes: VariableInfo[] = [];

  constructor() {
    for (const entry of DIRECTIVE_INDEX.directives) {
      const list = this.entriesByName.get(entry[0]);
      if (list) list.push(entry);
      else this.entriesByName.set(entry[0], [entry]);
    }
    for (const [documentedName, module] of DIRECTIVE_INDEX.variables) {
      const raw = documentedName.replace(/^\$/, '');
      // "$arg_NAME", "$jwt_claim_NAME": a family of variables, named by prefix.
      const family = /^([a-z0-9_]*_)[A-Z]+$/.exec(raw);
      const info = new Variable(
        family?.[1] ?? raw,
        family !== null,
        module,
        `${pageOf(module)}#var_${raw.toLowerCase()}`,
        documentedName,
      );
      if (info.isPrefix) this.variablePrefixes.push(info);
      else if (!this.variablesByName.has(info.name)) this.variablesByName.set(info.name, info);
    }
  }

  /** Every documented directive of that name (one per module: `proxy_pass` is http and stream). */
  directives(name: string): readonly DirectiveInfo[] {
    let infos = this.byName.get(name);
    if (!infos) {
      const entries = this.entriesByName.get(name);
      if (!entries) return [];
      infos = entries.map((entry) => new Directive(...entry));
      this.byName.set(name, infos);
    }
    return infos;
  }

  /** The entry valid in the context, else the first documented. */
  directive(name: string, context?: DirectiveContext): DirectiveInfo | undefined {
    const entries = this.directives(name);
    if (!entries.length) return undefined;
    if (context) {
      const fitting = entries.find((entry) => entry.contexts.includes(context) || entry.contexts.includes('any'));
      if (fitting) return fitting;
    }
    return entries[0];
  }

  *allDirectives(): IterableIterator<readonly DirectiveInfo[]> {
    for (const name of this.entriesByName.keys()) yield this.directives(name);
  }

  has(name: string): boolean {
    return this.entriesByName.has(name);
  }

  names(): IterableIterator<string> {
    return this.entriesByName.keys();
  }

  /** Directives that may stand in the context. */
  directivesIn(context: DirectiveContext): DirectiveInfo[] {
    const result: DirectiveInfo[] = [];
    for (const entries of this.allDirectives()) {
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

/** The reference, built on first use from the generated index: 972 directives, once per process. */
export function directiveReference(): DirectiveReference {
  return (shared ??= new DirectiveReference());
}

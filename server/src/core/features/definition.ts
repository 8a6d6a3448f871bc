/**
 * Go to definition: from an `include` to the files it reads, from `proxy_pass http://NAME` to the
 * upstream, from `@name` to the named location, from `$var` to the map/geo/set that defines it.
 * Across includes through the analysis's model; the document's own lines when there is none yet.
 */
import type { ConfigModel } from '../model/effective';
import type { ConfigNode } from '../model/tree';
import type { Directive, ParsedFile, Range } from '../parser/ast';
import { directiveAt, PASSES } from './cursor';

export interface Target {
  readonly file: string;
  /** Undefined: the start of the file. */
  readonly range: Range | undefined;
}

/** The `$name` (or `${name}`) around `offset` in `text`, if any. */
export function variableAt(text: string, offset: number): { name: string; start: number; end: number } | undefined {
  const isName = (code: number): boolean =>
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  let start = offset;
  while (start > 0 && isName(text.charCodeAt(start - 1))) start--;
  let end = offset;
  while (end < text.length && isName(text.charCodeAt(end))) end++;
  let dollar = start - 1;
  let braced = false;
  if (text[dollar] === '{' && text[dollar - 1] === '$') {
    dollar--;
    braced = true;
  }
  if (text[dollar] !== '$' && text[offset] === '$') return variableAt(text, offset + 1);
  if (text[dollar] !== '$' || end === start) return undefined;
  return { name: text.slice(start, end), start: dollar, end: braced && text[end] === '}' ? end + 1 : end };
}

/** The node of `directive` (in `file`) in the model's tree, found by descending only where it can be. */
export function nodeOf(model: ConfigModel, file: string, directive: Directive): ConfigNode | undefined {
  const visit = (nodes: readonly ConfigNode[]): ConfigNode | undefined => {
    for (const node of nodes) {
      if (node.file === file) {
        const d = node.directive;
        if (d.offset === directive.offset) return node;
        if (directive.offset < d.offset || directive.offset > d.endOffset) {
          if (!node.include) continue; // an include can bring the file in again elsewhere
        }
      }
      const found = node.children.length ? visit(node.children) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  return visit(model.tree.children);
}

function walk(directives: readonly Directive[], visit: (directive: Directive) => void): void {
  for (const directive of directives) {
    visit(directive);
    if (directive.block && !directive.block.rawBody) walk(directive.block.children, visit);
  }
}

export function definitionsAt(file: ParsedFile, offset: number, model: ConfigModel | undefined): Target[] {
  const directive = directiveAt(file, offset);
  if (!directive) return [];
  const variable = variableAt(file.text, offset);
  if (variable) {
    const defined = model?.variables.get(variable.name);
    if (defined) return defined.map((d) => ({ file: d.node.file, range: d.node.directive.range }));
    const own: Target[] = [];
    walk(file.directives, (d) => {
      const index = d.name === 'map' || d.name === 'geo' ? d.argCount - 1 : d.name === 'set' ? 0 : -1;
      if (index >= 0 && d.argValue(index) === `$${variable.name}`) own.push({ file: file.file, range: d.range });
    });
    return own;
  }
  const arg = directive.args.find((a) => offset >= a.offset && offset <= a.endOffset);
  if (!arg) return [];
  if (directive.name === 'include') {
    const node = model && nodeOf(model, file.file, directive);
    return (node?.include?.files ?? []).map((included) => ({ file: included, range: undefined }));
  }
  const value = arg.value;
  if (value.startsWith('@')) {
    const targets: Target[] = [];
    for (const location of model?.locations ?? []) {
      // The model keeps a named location's `@` in its path.
      if (location.modifier === '@' && location.path === value)
        targets.push({ file: location.node.file, range: location.node.directive.range });
    }
    if (targets.length) return targets;
    walk(file.directives, (d) => {
      if (d.name === 'location' && d.argValue(0) === value) targets.push({ file: file.file, range: d.range });
    });
    return targets;
  }
  if (PASSES.test(directive.name)) {
    const host = /^(?:[a-z]+:\/\/)?([^/:$]+)/.exec(value)?.[1];
    if (host === undefined) return [];
    const upstream = model?.upstreams.get(host);
    if (upstream) return [{ file: upstream.file, range: upstream.directive.range }];
    const targets: Target[] = [];
    walk(file.directives, (d) => {
      if (d.name === 'upstream' && d.argValue(0) === host) targets.push({ file: file.file, range: d.range });
    });
    return targets;
  }
  return [];
}

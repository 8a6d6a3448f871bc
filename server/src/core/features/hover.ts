/**
 * Hover: on a directive's name, its documentation (syntax, default, contexts, module, version
 * notes, a link to nginx.org); on a variable, the lines of the configuration that define it, or
 * nginx's documentation of a built-in one.
 */
import * as path from 'node:path';
import { isThirdParty } from '../diagnostics/thirdParty';
import { directiveReference, type DirectiveContext } from '../directives/reference';
import type { ConfigModel } from '../model/effective';
import type { ParsedFile } from '../parser/ast';
import { contextsOf, directiveAt, enclosingBlocks } from './cursor';
import { variableAt } from './definition';
import { directiveMarkdown, variableMarkdown } from './docs';

export interface HoverResult {
  readonly markdown: string;
  readonly start: number;
  readonly end: number;
}

export function hoverAt(
  file: ParsedFile,
  offset: number,
  topLevel: readonly DirectiveContext[],
  model: ConfigModel | undefined,
): HoverResult | undefined {
  const directive = directiveAt(file, offset);
  if (!directive) return undefined;
  const nameWord = directive.nameWord;
  if (offset >= nameWord.offset && offset <= nameWord.endOffset) {
    const contexts = contextsOf(enclosingBlocks(file, directive.offset).blocks, topLevel);
    const info = directiveReference().directive(directive.name, contexts[0]);
    if (info) return { markdown: directiveMarkdown(info), start: nameWord.offset, end: nameWord.endOffset };
    if (!isThirdParty(directive.name)) return undefined;
    return {
      markdown: `**${directive.name}**: a directive of a third-party module (OpenResty, headers-more, brotli, …), not in nginx's documentation. nginx-ws does not check its context or arguments.`,
      start: nameWord.offset,
      end: nameWord.endOffset,
    };
  }
  const variable = variableAt(file.text, offset);
  if (!variable) return undefined;
  const defined = model?.variables.get(variable.name);
  if (defined?.length) {
    const lines = defined.slice(0, 10).map((definition) => {
      const d = definition.node.directive;
      const head = [d.name, ...d.args.slice(0, 3).map((a) => a.raw)].join(' ');
      const where = `${path.basename(definition.node.file)}:${d.range.start.line + 1}`;
      return `- \`${head}${d.block ? ' { … }' : ';'}\` (${where})`;
    });
    const more = defined.length > 10 ? [`- … and ${defined.length - 10} more`] : [];
    return {
      markdown: [`**$${variable.name}** is defined in this configuration by`, '', ...lines, ...more].join('\n'),
      start: variable.start,
      end: variable.end,
    };
  }
  const info = directiveReference().variable(variable.name);
  if (!info) return undefined;
  return { markdown: variableMarkdown(variable.name, info), start: variable.start, end: variable.end };
}

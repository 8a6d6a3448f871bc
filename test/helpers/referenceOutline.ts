// The outline and the folding ranges as they were computed before they read the records
// (core/features/outline.ts), from the Directive objects of the syntax tree: the reference a test
// compares the record walks with.
import type { Directive, ParsedFile } from '../../server/src/core/parser/ast';
import {
  foldingRanges,
  OUTLINE_KINDS,
  serverNames,
  type Fold,
  type OutlineSymbol,
} from '../../server/src/core/features/outline';

function argsText(directive: Directive): string {
  return directive.args.map((arg) => arg.value).join(' ');
}

export function referenceDocumentSymbols(file: ParsedFile): OutlineSymbol[] {
  const walk = (directives: readonly Directive[], inUpstream: boolean): OutlineSymbol[] => {
    const symbols: OutlineSymbol[] = [];
    for (const directive of directives) {
      const block = directive.block;
      if (!block) continue;
      const kind = OUTLINE_KINDS[directive.name];
      // Other blocks (`types`, `*_by_lua_block`, third-party ones) are not part of the config's structure.
      if (kind === undefined) continue;
      let name = directive.argCount ? `${directive.name} ${argsText(directive)}` : directive.name;
      let detail: string | undefined;
      if (directive.name === 'server' && !inUpstream) {
        const { names, listens } = serverNames(directive);
        if (names.length) name = `server ${names.join(' ')}`;
        if (listens.length) detail = `listen ${listens.join(', ')}`;
      } else if (directive.name === 'upstream' || directive.name === 'map') {
        detail = `${block.children.length} ${directive.name === 'map' ? 'entries' : 'lines'}`;
      }
      symbols.push({
        name,
        detail,
        kind,
        range: directive.range,
        selectionRange: directive.nameWord.range,
        children: block.rawBody || kind === 'map' ? [] : walk(block.children, directive.name === 'upstream'),
      });
    }
    return symbols;
  };
  return walk(file.directives, false);
}

/** The block folds from the Directive objects, and the comment folds as foldingRanges makes them (unchanged). */
export function referenceFoldingRanges(file: ParsedFile): Fold[] {
  const folds: Fold[] = [];
  const walk = (directives: readonly Directive[]): void => {
    for (const directive of directives) {
      const block = directive.block;
      if (!block) continue;
      const start = block.openRange.start.line;
      const close = block.closeRange;
      const end = close ? close.start.line - 1 : file.source.positionAt(file.text.length).line;
      if (end > start) folds.push({ startLine: start, endLine: end, comment: false });
      if (!block.rawBody) walk(block.children);
    }
  };
  walk(file.directives);
  folds.push(...foldingRanges(file).filter((fold) => fold.comment));
  return folds.sort((a, b) => a.startLine - b.startLine);
}

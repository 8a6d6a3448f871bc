// Shared views of a parsed file for tests: a compact rendering of the directive tree, a walk over
// every directive, and the range invariants every parse must satisfy.
import type { Directive, ParsedFile } from '../../server/src/core/parser/ast';
import { formatRange, isRangeInText, textAt } from './text';

/** Every directive of the tree, depth first, in file order. */
export function allDirectives(directives: readonly Directive[]): Directive[] {
  const out: Directive[] = [];
  const visit = (list: readonly Directive[]): void => {
    for (const directive of list) {
      out.push(directive);
      if (directive.block) visit(directive.block.children);
    }
  };
  visit(directives);
  return out;
}

/**
 * The tree as one line: `name arg...;` for a simple directive, `name arg... {children}` for a
 * block, `name arg... {=raw=}` for a Lua block. Arguments are shown as written (raw).
 */
export function renderTree(directives: readonly Directive[]): string {
  return directives
    .map((directive) => {
      const head = [directive.nameWord.raw, ...directive.args.map((arg) => arg.raw)].join(' ');
      if (!directive.block) return `${head};`;
      if (directive.block.rawBody) return `${head} {=${directive.block.rawBody.text}=}`;
      return `${head} {${renderTree(directive.block.children)}}`;
    })
    .join(' ');
}

/** The first directive with this name (depth first), or a thrown error naming what is missing. */
export function findDirective(parsed: ParsedFile | readonly Directive[], name: string, firstArg?: string): Directive {
  const list = 'directives' in parsed ? parsed.directives : parsed;
  const found = allDirectives(list).find(
    (directive) => directive.name === name && (firstArg === undefined || directive.args[0]?.value === firstArg),
  );
  if (!found) throw new Error(`No "${name}${firstArg === undefined ? '' : ' ' + firstArg}" directive in the tree.`);
  return found;
}

/** Names of a directive's enclosing blocks, outermost first, with the first argument of each. */
export function ancestry(directive: Directive): string[] {
  const names: string[] = [];
  for (let parent = directive.parent; parent; parent = parent.parent) {
    names.unshift(parent.args[0] ? `${parent.name} ${parent.args[0].raw}` : parent.name);
  }
  return names;
}

/**
 * Checks what must hold for any input: every range lies inside the text and covers what it
 * claims to (the name, each argument as written, `;`, `{`, `}`), children point at their parent,
 * error ranges and `nginxLine` are inside the file. Returns the violations (empty when none).
 */
export function rangeViolations(parsed: ParsedFile): string[] {
  const text = parsed.text;
  const violations: string[] = [];
  const lineCount = text.split(/\r\n|\r|\n/).length;
  const expectText = (what: string, range: Parameters<typeof textAt>[1], expected: string | undefined): void => {
    if (!isRangeInText(text, range)) {
      violations.push(`${what}: range ${formatRange(range)} is outside the text`);
      return;
    }
    if (expected !== undefined && textAt(text, range) !== expected) {
      violations.push(
        `${what}: range ${formatRange(range)} covers ${JSON.stringify(textAt(text, range))}, expected ${JSON.stringify(expected)}`,
      );
    }
  };
  const visit = (directives: readonly Directive[], parent: Directive | undefined): void => {
    for (const directive of directives) {
      const where = `"${directive.name}" at ${formatRange(directive.nameWord.range)}`;
      if (directive.parent !== parent) violations.push(`${where}: wrong parent`);
      expectText(`${where} name`, directive.nameWord.range, directive.nameWord.raw);
      if (text.slice(directive.nameWord.offset, directive.nameWord.endOffset) !== directive.nameWord.raw) {
        violations.push(`${where}: name offsets do not match its raw text`);
      }
      directive.args.forEach((arg, index) => expectText(`${where} argument ${index}`, arg.range, arg.raw));
      if (directive.semicolonRange) expectText(`${where} ";"`, directive.semicolonRange, ';');
      expectText(`${where} range`, directive.range, undefined);
      if (isRangeInText(text, directive.range) && !textAt(text, directive.range).startsWith(directive.nameWord.raw)) {
        violations.push(`${where}: its range does not start at its name`);
      }
      if (directive.block) {
        expectText(`${where} "{"`, directive.block.openRange, '{');
        if (directive.block.closeRange) expectText(`${where} "}"`, directive.block.closeRange, '}');
        if (directive.block.rawBody)
          expectText(`${where} Lua body`, directive.block.rawBody.range, directive.block.rawBody.text);
        visit(directive.block.children, directive);
      }
    }
  };
  visit(parsed.directives, undefined);
  for (const comment of parsed.comments)
    expectText(`comment at ${formatRange(comment.range)}`, comment.range, `#${comment.text}`);
  for (const error of parsed.errors) {
    expectText(`${error.code} error`, error.range, undefined);
    if (!Number.isInteger(error.nginxLine) || error.nginxLine < 0 || error.nginxLine >= lineCount) {
      violations.push(`${error.code} error: nginxLine ${error.nginxLine} is outside the file's ${lineCount} line(s)`);
    }
  }
  return violations;
}

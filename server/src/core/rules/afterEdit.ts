/**
 * The WebSocket findings after a typing edit, from the findings before it.
 *
 * When the parse was made from the previous one (parser/reparse.ts), most findings cannot have
 * changed. One argument edited: a directive the WebSocket rules never read (`add_header`, `listen`,
 * `expires`, ...) changes none, and one a location reads for itself (`proxy_pass`,
 * `proxy_http_version`, `proxy_read_timeout`, `proxy_set_header`, a location's path) changes only the
 * locations of its block. Lines added or removed inside a server, location or `if` block: that
 * block's locations. Those are judged again; every other finding is kept, its positions after the
 * edit moved, its location replaced by the new model's counterpart. Whatever could reach further (a
 * map, a `set`, an `if` condition, an include, a line at the http level, a named capture) returns
 * undefined, and the caller runs checkFile: the result must be exactly what checkFile would give. */
import type { Position, Range } from '../parser/ast';
import { Field, type BlockEdit, type ParsedFileImpl, type WordEdit } from '../parser/records';
import { comparePositions } from '../parser/text';
import { locationOrdinal, locationRecordIn, SETTERS, type LocationModel } from '../model/effective';
import type { FileAnalysis } from '../model/workspace';
import { checkFile, type CheckOptions } from './check';
import type { Finding, FindingData, RelatedLocation } from './types';

/** What a location reads of its own block's directives: an edit there changes that block's locations only. */
const LOCAL = new Set(['proxy_pass', 'proxy_http_version', 'proxy_read_timeout', 'proxy_set_header', 'location']);

/**
 * Directives whose arguments reach beyond their block: includes, variables (maps, `set` and the
 * like), `if` conditions, upstream names. (A directive inside a map-like block is caught by its
 * parent, which is none of the blocks below.)
 */
const GLOBAL = new Set(['include', 'map', 'geo', 'split_clients', 'upstream', 'if', 'limit_except', ...SETTERS]);

/** Directives whose arguments define variables only through a named regex capture, `(?<name>…)`. */
const CAPTURING = new Set(['location', 'server_name', 'rewrite']);

/** Blocks whose directives are directives: one inside any other block (a map's entries) is left to checkFile. */
const PLAIN_BLOCKS = new Set(['http', 'server', 'location', 'if', 'limit_except']);

/** Blocks a LOCAL edit can be confined to: not http, whose lines every location inherits. */
const CONFINING_BLOCKS = new Set(['server', 'location', 'if', 'limit_except']);

export interface PreviousFindings {
  readonly analysis: FileAnalysis;
  /** checkFile's findings for it, with the same options. */
  readonly findings: readonly Finding[];
}

/**
 * Positions of the previous text as positions of the new one: before the edit the same, after it
 * moved (by lines, and on the edit's last line by characters); undefined for one inside the edit.
 */
class PositionMap {
  constructor(
    private readonly file: string,
    private readonly start: Position,
    private readonly oldEnd: Position,
    private readonly newEnd: Position,
  ) {}

  position(position: Position): Position | undefined {
    if (comparePositions(position, this.start) <= 0) return position;
    if (comparePositions(position, this.oldEnd) < 0) return undefined;
    if (position.line !== this.oldEnd.line)
      return { line: position.line + this.newEnd.line - this.oldEnd.line, character: position.character };
    return { line: this.newEnd.line, character: position.character - this.oldEnd.character + this.newEnd.character };
  }

  range(file: string, range: Range): Range | undefined {
    if (file !== this.file) return range;
    const start = this.position(range.start);
    const end = this.position(range.end);
    return start && end ? (start === range.start && end === range.end ? range : { start, end }) : undefined;
  }
}

/** What an edit changed, in records: those judged again (old and new numbering) and how the ones after moved. */
interface Reach {
  /** Records of the block judged again, in the previous parse: [first, oldLast]; first -1: none. */
  readonly first: number;
  readonly oldLast: number;
  /** The same block's records in the new parse: [first, newLast]. */
  readonly newLast: number;
}

export function findingsAfterEdit(
  previous: PreviousFindings,
  analysis: FileAnalysis,
  options: CheckOptions,
): Finding[] | undefined {
  const parsed = analysis.parsed as ParsedFileImpl;
  const before = previous.analysis.parsed as ParsedFileImpl;
  const edit = parsed.edit;
  if (!edit || edit.previousId !== before.id || options.only) return undefined;
  // The same config around it: every other file the same parse, the file in the same place.
  const oldFiles = previous.analysis.tree.files;
  const files = analysis.tree.files;
  if (
    oldFiles.size !== files.size ||
    analysis.mainConfig !== previous.analysis.mainConfig ||
    analysis.context !== previous.analysis.context ||
    oldFiles.get(parsed.file) !== before
  )
    return undefined;
  for (const [file, current] of files) if (current !== parsed && oldFiles.get(file) !== current) return undefined;
  // A file read twice (included from two places) has two of each location: which one moved is not told by records.
  if ((analysis.tree.inclusions.get(parsed.file)?.length ?? 1) > 1) return undefined;

  const reach = edit.kind === 'word' ? wordReach(parsed, before, edit) : blockReach(parsed, before, edit);
  if (!reach) return undefined;
  const [start, oldEnd, newEnd] =
    edit.kind === 'word' ? [edit.start, edit.end, edit.end + edit.delta] : [edit.start, edit.oldEnd, edit.newEnd];
  const map = new PositionMap(
    parsed.file,
    before.source.positionAt(start),
    before.source.positionAt(oldEnd),
    parsed.source.positionAt(newEnd),
  );

  const oldLocations = previous.analysis.model.locations;
  const locations = analysis.model.locations;
  const locationShift = locations.length - oldLocations.length;
  const recordShift = reach.newLast - reach.oldLast;
  const { first } = reach;
  const judgedAgain = (location: LocationModel, file: ParsedFileImpl, last: number): boolean => {
    const record = locationRecordIn(location, file);
    return first >= 0 && record >= first && record <= last;
  };

  const kept: Finding[] = [];
  for (const finding of previous.findings) {
    if (judgedAgain(finding.location, before, reach.oldLast)) continue;
    const oldOrdinal = locationOrdinal(finding.location);
    const oldRecord = locationRecordIn(finding.location, before);
    // A finding is about a location written in the analysed file (checkFile's `analysis.locations`).
    if (oldOrdinal < 0 || oldRecord < 0 || oldLocations[oldOrdinal] !== finding.location) return undefined;
    // After the block, in the file's order and the model's: moved by what the block gained or lost.
    const after = oldRecord > reach.oldLast;
    const location = locations[after ? oldOrdinal + locationShift : oldOrdinal];
    if (!location || locationRecordIn(location, parsed) !== (after ? oldRecord + recordShift : oldRecord))
      return undefined;
    const moved = moveFinding(finding, location, map);
    if (!moved) return undefined;
    kept.push(moved);
  }
  if (first < 0) return kept;
  const judged = checkFile(analysis, { ...options, only: (location) => judgedAgain(location, parsed, reach.newLast) });
  // In checkFile's order: by location, each location's findings as its rules gave them.
  return [...kept, ...judged].sort((a, b) => locationOrdinal(a.location) - locationOrdinal(b.location));
}

/** Whether a directive's arguments could reach beyond its block (see GLOBAL; a named capture in a path, server name or rewrite). */
function reachesFurther(parsed: ParsedFileImpl, record: number): boolean {
  const syntax = parsed.syntax;
  const name = syntax.name(record);
  if (GLOBAL.has(name)) return true;
  if (!CAPTURING.has(name)) return false;
  for (let arg = 0; arg < syntax.argCount(record); arg++) if (syntax.argIncludes(record, arg, '(?')) return true;
  return false;
}

/** Blocks around `record` are all plain ones (none is a map-like table, whose entries are values). */
function plainAncestors(parsed: ParsedFileImpl, record: number): boolean {
  const syntax = parsed.syntax;
  for (let up = syntax.parent(record); up >= 0; up = syntax.parent(up))
    if (!PLAIN_BLOCKS.has(syntax.name(up))) return false;
  return true;
}

function wordReach(parsed: ParsedFileImpl, before: ParsedFileImpl, edit: WordEdit): Reach | undefined {
  const syntax = parsed.syntax;
  const name = syntax.name(edit.record);
  if (reachesFurther(parsed, edit.record) || reachesFurther(before, edit.record)) return undefined;
  if (!plainAncestors(parsed, edit.record)) return undefined;
  if (!LOCAL.has(name)) return { first: -1, oldLast: -1, newLast: -1 };
  // The records whose locations are judged again: the confining block and all inside it.
  const block = name === 'location' ? edit.record : syntax.parent(edit.record);
  if (block < 0 || !CONFINING_BLOCKS.has(syntax.name(block))) return undefined;
  const close = syntax.get(block, Field.Close);
  if (close < 0) return undefined;
  let last = block;
  while (last + 1 < syntax.count && startOf(parsed, last + 1) < close) last++;
  // A file included inside the block brings locations the records do not show.
  for (let record = block; record <= last; record++) if (syntax.name(record) === 'include') return undefined;
  return { first: block, oldLast: last, newLast: last };
}

function blockReach(parsed: ParsedFileImpl, before: ParsedFileImpl, edit: BlockEdit): Reach | undefined {
  const syntax = parsed.syntax;
  const block = edit.block;
  if (!CONFINING_BLOCKS.has(syntax.name(block)) || !plainAncestors(parsed, block)) return undefined;
  // What the body held and holds: nothing that reaches further, and no include.
  for (let record = block + 1; record <= edit.oldLast; record++)
    if (reachesFurther(before, record) || !plainAncestors(before, record)) return undefined;
  for (let record = block + 1; record <= edit.newLast; record++)
    if (reachesFurther(parsed, record) || !plainAncestors(parsed, record)) return undefined;
  // A server's or location's own lines reach all inside it: the block is judged again whole.
  return { first: block, oldLast: edit.oldLast, newLast: edit.newLast };
}

function startOf(parsed: ParsedFileImpl, record: number): number {
  return parsed.syntax.words.cells[parsed.syntax.get(record, Field.FirstWord) * 3] as number;
}

function moveFinding(finding: Finding, location: LocationModel, map: PositionMap): Finding | undefined {
  const range = map.range(finding.file, finding.range);
  if (!range) return undefined;
  const related: RelatedLocation[] = [];
  for (const entry of finding.related) {
    const moved = map.range(entry.file, entry.range);
    if (!moved) return undefined;
    related.push(moved === entry.range ? entry : { ...entry, range: moved });
  }
  let data: FindingData = finding.data;
  if (data.kind === 'replace-value') {
    const moved = map.range(data.file, data.range);
    if (!moved) return undefined;
    if (moved !== data.range) data = { ...data, range: moved };
  } else if (data.kind === 'rename') return undefined;
  return { ...finding, range, related, data, location };
}

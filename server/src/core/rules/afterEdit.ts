/**
 * The WebSocket findings after a typing edit, from the findings before it.
 *
 * When the parse was made from the previous one (parser/reparse.ts: one argument of one directive
 * changed, no line moved), most findings cannot have changed: a directive the WebSocket rules never
 * read (`add_header`, `listen`, `expires`, ...) changes none, and one a location reads for itself
 * (`proxy_pass`, `proxy_http_version`, `proxy_read_timeout`, `proxy_set_header`, a location's path)
 * changes only the locations of its block. Those are judged again; every other finding is kept,
 * its positions on the edited line moved, its location replaced by the new model's. Whatever could
 * reach further (a map, a `set`, an `if`, an include, a line at the http level) returns undefined,
 * and the caller runs checkFile: the result must be exactly what checkFile would give.
 */
import type { Position, Range } from '../parser/ast';
import { Field, type ParsedFileImpl, type WordEdit } from '../parser/records';
import { locationOrdinal, locationRecordIn, SETTERS, type LocationModel } from '../model/effective';
import type { FileAnalysis } from '../model/workspace';
import { checkFile, type CheckOptions } from './check';
import type { Finding, FindingData, RelatedLocation } from './types';

/** What a location reads of its own block's directives: an edit there changes that block's locations only. */
const LOCAL = new Set(['proxy_pass', 'proxy_http_version', 'proxy_read_timeout', 'proxy_set_header', 'location']);

/**
 * Directives whose arguments reach beyond their block: includes, variables (maps, `set` and the
 * like, regex captures of server names and rewrites), `if` conditions, upstream names. (A directive
 * inside a map-like block is caught by its parent, which is none of the blocks below.)
 */
const GLOBAL = new Set([
  'include',
  'map',
  'geo',
  'split_clients',
  'upstream',
  'if',
  'server_name',
  'rewrite',
  'limit_except',
  ...SETTERS,
]);

/** Blocks whose directives are directives: one inside any other block (a map's entries) is left to checkFile. */
const PLAIN_BLOCKS = new Set(['http', 'server', 'location', 'if', 'limit_except']);

/** Blocks a LOCAL edit can be confined to: not http, whose lines every location inherits. */
const CONFINING_BLOCKS = new Set(['server', 'location', 'if', 'limit_except']);

export interface PreviousFindings {
  readonly analysis: FileAnalysis;
  /** checkFile's findings for it, with the same options. */
  readonly findings: readonly Finding[];
}

/** Positions of the previous text as positions of the new one; undefined for one inside the edited word. */
class PositionMap {
  constructor(
    private readonly line: number,
    private readonly startCharacter: number,
    private readonly endCharacter: number,
    private readonly delta: number,
    private readonly file: string,
  ) {}

  position(position: Position): Position | undefined {
    if (position.line !== this.line || position.character <= this.startCharacter) return position;
    if (position.character < this.endCharacter) return undefined;
    return { line: position.line, character: position.character + this.delta };
  }

  range(file: string, range: Range): Range | undefined {
    if (file !== this.file) return range;
    const start = this.position(range.start);
    const end = this.position(range.end);
    return start && end ? (start === range.start && end === range.end ? range : { start, end }) : undefined;
  }
}

export function findingsAfterEdit(
  previous: PreviousFindings,
  analysis: FileAnalysis,
  options: CheckOptions,
): Finding[] | undefined {
  const parsed = analysis.parsed as ParsedFileImpl;
  const before = previous.analysis.parsed as ParsedFileImpl;
  const edit: WordEdit | undefined = parsed.edit;
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

  const syntax = parsed.syntax;
  const name = syntax.name(edit.record);
  if (GLOBAL.has(name)) return undefined;
  for (let up = syntax.parent(edit.record); up >= 0; up = syntax.parent(up))
    if (!PLAIN_BLOCKS.has(syntax.name(up))) return undefined;

  // The records whose locations are judged again: none, or the confining block and all inside it.
  let first = -1;
  let last = -1;
  if (LOCAL.has(name)) {
    const block = name === 'location' ? edit.record : syntax.parent(edit.record);
    if (block < 0 || !CONFINING_BLOCKS.has(syntax.name(block))) return undefined;
    // A path's named captures are variables: they reach every location.
    if (
      name === 'location' &&
      (before.text.slice(edit.start, edit.end).includes('(?') || wordOf(parsed, edit).includes('(?'))
    )
      return undefined;
    const close = syntax.get(block, Field.Close);
    if (close < 0) return undefined;
    first = block;
    last = block;
    while (last + 1 < syntax.count && startOf(parsed, last + 1) < close) last++;
    // A file included inside the block brings locations the records do not show.
    for (let record = first; record <= last; record++) if (syntax.name(record) === 'include') return undefined;
  }

  const oldLocations = previous.analysis.model.locations;
  const locations = analysis.model.locations;
  if (oldLocations.length !== locations.length) return undefined;
  const start = before.source.positionAt(edit.start);
  const map = new PositionMap(
    start.line,
    start.character,
    before.source.positionAt(edit.end).character,
    edit.delta,
    parsed.file,
  );
  const inBlock = (location: LocationModel, file: ParsedFileImpl): boolean => {
    const record = locationRecordIn(location, file);
    return record >= first && record <= last && first >= 0;
  };

  const kept: Finding[] = [];
  for (const finding of previous.findings) {
    if (inBlock(finding.location, before)) continue;
    const ordinal = locationOrdinal(finding.location);
    const location = locations[ordinal];
    if (ordinal < 0 || !location || oldLocations[ordinal] !== finding.location) return undefined;
    const moved = moveFinding(finding, location, map);
    if (!moved) return undefined;
    kept.push(moved);
  }
  if (first < 0) return kept;
  const judged = checkFile(analysis, { ...options, only: (location) => inBlock(location, parsed) });
  // In checkFile's order: by location, each location's findings as its rules gave them.
  return [...kept, ...judged].sort((a, b) => locationOrdinal(a.location) - locationOrdinal(b.location));
}

function startOf(parsed: ParsedFileImpl, record: number): number {
  return parsed.syntax.words.cells[parsed.syntax.get(record, Field.FirstWord) * 3] as number;
}

function wordOf(parsed: ParsedFileImpl, edit: WordEdit): string {
  return parsed.text.slice(edit.start, edit.end + edit.delta);
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

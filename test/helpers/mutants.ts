// Mutants of the correct WebSocket locations of the shared corpus (MANIFEST.tsv category A,
// ws_endpoint yes): each breaks the location one known way, wherever the location gets the line
// from (itself, its server, an include, the map). The rule that must catch each is written from
// nginx's rules (../shared/nginx-websocket-facts.md), not from what the program says.
//
// Edits keep every line where it was (a deleted directive leaves its line empty; insertions go on
// the line of a `{`), so the manifest's loc_line still names the location in a mutant.
import * as path from 'node:path';
import { applyEdits } from '../../server/src/core/fixes/apply';
import type { TextEdit } from '../../server/src/core/fixes/edits';
import type { LocationModel } from '../../server/src/core/model/effective';
import type { ConfigNode } from '../../server/src/core/model/tree';
import { analyzeFile, type FileAnalysis } from '../../server/src/core/model/workspace';
import { mayAffectProxying, proxiedLocations } from '../../server/src/core/rules/check';
import { effectiveHeader, isBuiltinVariable, soleVariable, variablesIn } from '../../server/src/core/rules/headers';
import { CorpusFileSystem, INCLUDES, readManifest, type ManifestRow } from './corpus';
import { corpusDir } from './paths';

export type MutationKind =
  | 'delete proxy_http_version'
  | 'proxy_http_version 1.0'
  | 'delete Upgrade'
  | 'delete Connection'
  | 'Connection "close"'
  | 'Connection ""'
  | 'Connection "keep-alive"'
  | 'values swapped'
  | 'map deleted'
  | 'hoisted to the server, a local Host left';

/** The rule that names each mistake (issue #10), from nginx's rules in the facts file. */
export const EXPECTED_RULE: Readonly<Record<MutationKind, string>> = {
  // §2: default 1.0 before 1.29.7, and a handshake needs HTTP/1.1.
  'delete proxy_http_version': 'ws-http-version',
  'proxy_http_version 1.0': 'ws-http-version',
  // §1, §6: hop-by-hop headers are not forwarded unless set.
  'delete Upgrade': 'ws-missing-upgrade',
  'delete Connection': 'ws-missing-connection',
  // §6: no `upgrade` token (an empty value is not sent at all).
  'Connection "close"': 'ws-connection-not-upgrade',
  'Connection ""': 'ws-connection-not-upgrade',
  'Connection "keep-alive"': 'ws-connection-not-upgrade',
  // §2: `Upgrade $connection_upgrade` is a real mistake seen in public configs.
  'values swapped': 'ws-swapped-headers',
  // §2: `$connection_upgrade` with no such map: nginx -t fails with "unknown variable".
  'map deleted': 'ws-undefined-variable',
  // §3: one proxy_set_header in the location drops all the inherited ones.
  'hoisted to the server, a local Host left': 'ws-dropped-headers',
};

export const MUTATION_KINDS = Object.keys(EXPECTED_RULE) as MutationKind[];

export interface Mutant {
  readonly kind: MutationKind;
  /** Texts of the files it changes, by the path the analysis knows them by. */
  readonly overlay: ReadonlyMap<string, string>;
  /** When it does not apply here: why (the mutant is then not counted). */
  readonly skip: string | undefined;
}

export interface CorrectLocation {
  readonly row: ManifestRow;
  readonly file: string;
  readonly analysis: FileAnalysis;
  readonly location: LocationModel | undefined;
  /**
   * Stand-ins for the includes the corpus does not keep (Debian's `proxy_params`, a
   * `security_headers.conf`, a `resolver.conf`), served empty: their usual contents (Host and
   * X-Forwarded-* lines, add_header, resolver) set none of the three WebSocket lines and no
   * proxy_set_header level of their own, so the location's WebSocket picture is the same.
   */
  readonly base: ReadonlyMap<string, string>;
}

export function analyzeCorpusFile(name: string, overlay: ReadonlyMap<string, string> = new Map()): FileAnalysis {
  const file = path.join(corpusDir, name);
  return analyzeFile(file, new CorpusFileSystem(INCLUDES[name], overlay), { workspaceFolders: [corpusDir] });
}

/** The proxying location whose `location` line is `line` (1-based) in the analysed file. */
export function locationAtLine(analysis: FileAnalysis, line: number): LocationModel | undefined {
  return proxiedLocations(analysis).find(
    (location) => location.node.file === analysis.file && location.node.directive.range.start.line + 1 === line,
  );
}

export function correctLocations(): CorrectLocation[] {
  return readManifest()
    .filter((row) => row.category === 'A' && row.wsEndpoint.startsWith('yes') && row.line !== undefined)
    .map((row) => {
      const plain = analyzeCorpusFile(row.file);
      const first = locationAtLine(plain, row.line ?? 0);
      const base = new Map<string, string>();
      // Not for a file that is visibly a part of a bigger config (its lines use a variable it does
      // not define): there, what cannot be read stays unknown, and the row is skipped.
      const usesOutside = [
        first && effectiveHeader(first, 'upgrade'),
        first && effectiveHeader(first, 'connection'),
      ].some(
        (line) =>
          line?.value !== undefined &&
          variablesIn(line.value.value).some((name) => !isBuiltinVariable(name) && !plain.model.variables.has(name)),
      );
      for (const node of usesOutside ? [] : (first?.unresolvedIncludes ?? [])) {
        const resolution = node.include;
        if (resolution && !resolution.isGlob && mayAffectProxying(resolution.pattern))
          base.set(resolution.resolvedPattern, '');
      }
      const analysis = analyzeCorpusFile(row.file, base);
      return { row, file: row.file, analysis, location: locationAtLine(analysis, row.line ?? 0), base };
    });
}

/** Deletes a directive but keeps its line breaks, so that the lines after it keep their numbers. */
function remove(node: ConfigNode): TextEdit {
  const range = node.directive.range;
  return { file: node.file, range, newText: '\n'.repeat(range.end.line - range.start.line) };
}

function textsAfter(analysis: FileAnalysis, edits: readonly TextEdit[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const file of new Set(edits.map((edit) => edit.file))) {
    const parsed = analysis.tree.files.get(file);
    if (!parsed) throw new Error(`an edit names ${file}, which the analysis did not read`);
    texts.set(
      file,
      applyEdits(
        parsed.text,
        edits.filter((edit) => edit.file === file),
      ),
    );
  }
  return texts;
}

function skipped(kind: MutationKind, reason: string): Mutant {
  return { kind, overlay: new Map(), skip: reason };
}

/** Every mutation of one correct location: applicable ones with their texts, the others with the reason. */
export function mutantsOf(target: CorrectLocation): Mutant[] {
  const { analysis, location } = target;
  if (!location)
    return MUTATION_KINDS.map((kind) =>
      skipped(kind, 'the location does not proxy itself (its manifest row points to the one it hands over to)'),
    );
  // As the rules judge them: an unreadable TLS or MIME include cannot set proxy headers.
  const unreadable = location.unresolvedIncludes
    .map((node) => node.directive.args[0]?.value ?? '')
    .filter((pattern) => mayAffectProxying(pattern));
  if (unreadable.length)
    return MUTATION_KINDS.map((kind) =>
      skipped(
        kind,
        `it includes ${unreadable.join(', ')}, which the corpus does not keep: what that sets is unknown, so findings there are information by design`,
      ),
    );
  const version = location.proxyHttpVersion;
  const upgrade = effectiveHeader(location, 'upgrade');
  const connection = effectiveHeader(location, 'connection');
  const mapName = connection?.value ? soleVariable(connection.value.value) : undefined;
  const map = mapName ? analysis.model.maps.get(mapName) : undefined;
  const mutant = (kind: MutationKind, edits: readonly TextEdit[]): Mutant => ({
    kind,
    overlay: new Map([...target.base, ...textsAfter(analysis, edits)]),
    skip: undefined,
  });
  const connectionValue = (kind: MutationKind, text: string): Mutant =>
    connection?.value
      ? mutant(kind, [{ file: connection.node.file, range: connection.value.range, newText: text }])
      : skipped(kind, 'no Connection line');

  const result: Mutant[] = [];
  result.push(
    version
      ? mutant('delete proxy_http_version', [remove(version.node)])
      : skipped('delete proxy_http_version', 'proxy_http_version is not set'),
  );
  result.push(
    version?.word
      ? mutant('proxy_http_version 1.0', [{ file: version.node.file, range: version.word.range, newText: '1.0' }])
      : skipped('proxy_http_version 1.0', 'proxy_http_version is not set'),
  );
  result.push(
    upgrade ? mutant('delete Upgrade', [remove(upgrade.node)]) : skipped('delete Upgrade', 'no Upgrade line'),
  );
  result.push(
    connection
      ? mutant('delete Connection', [remove(connection.node)])
      : skipped('delete Connection', 'no Connection line'),
  );
  result.push(connectionValue('Connection "close"', 'close'));
  result.push(connectionValue('Connection ""', '""'));
  result.push(connectionValue('Connection "keep-alive"', 'keep-alive'));
  result.push(
    upgrade?.value && connection?.value
      ? mutant('values swapped', [
          { file: upgrade.node.file, range: upgrade.value.range, newText: connection.value.raw },
          { file: connection.node.file, range: connection.value.range, newText: upgrade.value.raw },
        ])
      : skipped('values swapped', 'Upgrade or Connection is not set'),
  );
  result.push(
    map ? mutant('map deleted', [remove(map)]) : skipped('map deleted', 'the Connection value is not a map variable'),
  );
  const hoist = hoisted(analysis, location);
  result.push(hoist.skip ? hoist : { ...hoist, overlay: new Map([...target.base, ...hoist.overlay]) });
  return result;
}

/** The three lines moved to the server block; the location keeps (or gets) one `proxy_set_header Host`. */
function hoisted(analysis: FileAnalysis, location: LocationModel): Mutant {
  const kind: MutationKind = 'hoisted to the server, a local Host left';
  const server = location.server;
  if (!server?.directive.block) return skipped(kind, 'no server block around the location (a bare location)');
  if (location.enclosing) return skipped(kind, 'a nested location: its enclosing location is a level between');
  const own = (node: ConfigNode | undefined): boolean => node?.parent === location.node;
  const version = location.proxyHttpVersion;
  const upgrade = effectiveHeader(location, 'upgrade');
  const connection = effectiveHeader(location, 'connection');
  if (!version || !upgrade || !connection || !own(version.node) || !own(upgrade.node) || !own(connection.node))
    return skipped(kind, 'the location does not set the three lines itself (they are already inherited)');
  const raw = (node: ConfigNode): string =>
    `${node.directive.name} ${node.directive.args.map((arg) => arg.raw).join(' ')};`;
  const others = location.headers.lines.filter((line) => line.key !== 'upgrade' && line.key !== 'connection');
  const block = location.node.directive.block;
  if (!block) return skipped(kind, 'the location has no block');
  const edits: TextEdit[] = [
    remove(version.node),
    remove(upgrade.node),
    remove(connection.node),
    {
      file: server.file,
      range: { start: server.directive.block.openRange.end, end: server.directive.block.openRange.end },
      newText: ` ${raw(version.node)} ${raw(upgrade.node)} ${raw(connection.node)}`,
    },
  ];
  if (!others.length)
    edits.push({
      file: location.node.file,
      range: { start: block.openRange.end, end: block.openRange.end },
      newText: ' proxy_set_header Host $host;',
    });
  return { kind, overlay: textsAfter(analysis, edits), skip: undefined };
}

import type { HeaderLine, LocationModel } from '../model/effective';
import type { FileAnalysis } from '../model/workspace';
import type { ConfigNode } from '../model/tree';
import { proxyTarget } from '../rules/evidence';
import { effectiveHeader, findConnectionUpgradeMap } from '../rules/headers';
import type { Diagnosis } from '../rules/types';
import { defaultsToHttp11, type NginxVersion } from '../rules/version';
import { indentUnit, insertAtBlockStart, insertAtFileStart, insertIntoLocation, type TextEdit } from './edits';

export interface CodeFix {
  readonly title: string;
  readonly isPreferred: boolean;
  readonly edits: readonly TextEdit[];
}

const UPGRADE_LINE = 'proxy_set_header Upgrade $http_upgrade;';
const CONNECTION_LINE = 'proxy_set_header Connection "upgrade";';
const VERSION_LINE = 'proxy_http_version 1.1;';

/** Whether the location proxies to an upstream with `keepalive`, where the map's empty case must be '' not close. */
function usesKeepalive(analysis: FileAnalysis, location: LocationModel): boolean {
  const target = location.proxyPass ? proxyTarget(location.proxyPass.value) : undefined;
  const upstream = target ? analysis.model.upstreams.get(target.host) : undefined;
  return !!upstream?.children.some((child) => child.directive.name === 'keepalive');
}

/** The map from the nginx docs; `indent` is one indentation step of the file it goes into (a tab or spaces). */
export function connectionMapLines(keepalive: boolean, indent = '    '): string[] {
  return [
    'map $http_upgrade $connection_upgrade {',
    `${indent}default upgrade;`,
    keepalive ? `${indent}''      '';` : `${indent}''      close;`,
    '}',
  ];
}

function findHttpBlock(nodes: readonly ConfigNode[]): ConfigNode | undefined {
  for (const node of nodes) {
    if (node.directive.name === 'http' && node.directive.block) return node;
  }
  return undefined;
}

/**
 * Where the `$connection_upgrade` map goes: into the `http {}` block of the config (the main
 * file, when the workspace has it), else at the top of this file when it is read in http context.
 */
export function mapInsertion(analysis: FileAnalysis, location: LocationModel): TextEdit | undefined {
  const keepalive = usesKeepalive(analysis, location);
  const http = findHttpBlock(analysis.tree.children);
  if (http) {
    const parsed = analysis.tree.files.get(http.file);
    return parsed
      ? insertAtBlockStart(parsed, http.directive, connectionMapLines(keepalive, indentUnit(parsed)))
      : undefined;
  }
  if (analysis.context === 'http')
    return insertAtFileStart(analysis.parsed, connectionMapLines(keepalive, indentUnit(analysis.parsed)));
  return undefined;
}

/** The `proxy_set_header Connection ...` line for the map idiom, reusing an equivalent map. */
function mapConnection(
  analysis: FileAnalysis,
  location: LocationModel,
): { line: string; mapEdit: TextEdit | undefined } | undefined {
  const existing = findConnectionUpgradeMap(analysis.model);
  if (existing) return { line: `proxy_set_header Connection $${existing};`, mapEdit: undefined };
  const mapEdit = mapInsertion(analysis, location);
  return mapEdit ? { line: 'proxy_set_header Connection $connection_upgrade;', mapEdit } : undefined;
}

function redeclaration(line: HeaderLine): string {
  return `proxy_set_header ${line.node.directive.args.map((arg) => arg.raw).join(' ')};`;
}

/** Whether the location's proxy_set_header lines all come from an enclosing block. */
function inheritsHeaderLines(location: LocationModel): boolean {
  const level = location.headers.level;
  return location.headers.lines.length > 0 && level !== undefined && level !== location.node;
}

/**
 * `lines` to insert into the location, preceded by its inherited proxy_set_header lines when
 * `lines` declares one: nginx inherits proxy_set_header lines only into a level that has none of
 * its own, so the first one declared here would silently drop them all.
 */
export function keepingInheritedHeaders(location: LocationModel, lines: readonly string[]): string[] {
  if (!lines.some((line) => line.startsWith('proxy_set_header ')) || !inheritsHeaderLines(location)) return [...lines];
  return [...location.headers.lines.map(redeclaration), ...lines];
}

/** The lines that make a location a working WebSocket proxy, that it does not have yet. */
export function missingWebSocketLines(location: LocationModel, nginxVersion: NginxVersion | undefined): string[] {
  const lines: string[] = [];
  if (!location.proxyHttpVersion && !defaultsToHttp11(nginxVersion)) lines.push(VERSION_LINE);
  const dropped = location.headers.dropped;
  const headerLines: string[] = [];
  if (dropped.length) {
    // Declaring anything here drops all inherited lines: declare them all again.
    headerLines.push(...dropped.map(redeclaration));
  }
  const has = (key: string): boolean => !!effectiveHeader(location, key) || dropped.some((line) => line.key === key);
  if (!has('upgrade')) headerLines.push(UPGRADE_LINE);
  if (!has('connection')) headerLines.push(CONNECTION_LINE);
  return [...lines, ...keepingInheritedHeaders(location, headerLines)];
}

function fixAllInLocation(
  analysis: FileAnalysis,
  location: LocationModel,
  nginxVersion: NginxVersion | undefined,
): CodeFix | undefined {
  const lines = missingWebSocketLines(location, nginxVersion);
  const edit = lines.length > 1 ? insertIntoLocation(analysis, location, lines) : undefined;
  return edit
    ? { title: `Add all ${lines.length} missing WebSocket lines to this location`, isPreferred: false, edits: [edit] }
    : undefined;
}

/** The fixes for one finding, computed from the current text: no state is kept between requests. */
export function fixesFor(
  finding: Diagnosis,
  analysis: FileAnalysis,
  nginxVersion: NginxVersion | undefined,
): CodeFix[] {
  const data = finding.data;
  if (data.kind === 'rename') {
    // A misspelt directive name: one fix per near-miss, preferred when there is only one.
    return data.candidates.map((name) => ({
      title: `Change to ${name}`,
      isPreferred: data.candidates.length === 1,
      edits: [{ file: finding.file, range: data.range, newText: name }],
    }));
  }
  const location = finding.location;
  if (!location) return [];
  const fixes: CodeFix[] = [];
  switch (data.kind) {
    case 'insert': {
      const lines = keepingInheritedHeaders(location, data.lines);
      const keeping = lines.length > data.lines.length ? ', declaring the inherited proxy_set_header lines again' : '';
      const edit = insertIntoLocation(analysis, location, lines);
      if (edit) fixes.push({ title: `Add "${data.lines.join(' ')}"${keeping}`, isPreferred: true, edits: [edit] });
      if (finding.code === 'ws-missing-connection') {
        const viaMap = mapConnection(analysis, location);
        const lineEdit = viaMap
          ? insertIntoLocation(analysis, location, keepingInheritedHeaders(location, [viaMap.line]))
          : undefined;
        if (viaMap && lineEdit) {
          fixes.push({
            title:
              (viaMap.mapEdit
                ? `Add "${viaMap.line}" and the map from the nginx docs to the http block`
                : `Add "${viaMap.line}" (the existing map)`) + keeping,
            isPreferred: false,
            edits: viaMap.mapEdit ? [viaMap.mapEdit, lineEdit] : [lineEdit],
          });
        }
      }
      break;
    }
    case 'redeclare': {
      const edit = insertIntoLocation(analysis, location, data.lines);
      if (edit) {
        fixes.push({
          title: `Declare the ${data.lines.length} inherited proxy_set_header line${data.lines.length > 1 ? 's' : ''} again in this location`,
          isPreferred: true,
          edits: [edit],
        });
      }
      break;
    }
    case 'replace-value':
      fixes.push({
        title: `Change to ${data.newValue}`,
        isPreferred: finding.code !== 'ws-read-timeout',
        edits: [{ file: data.file, range: data.range, newText: data.newValue }],
      });
      // The map only mends a Connection line; an Upgrade line needs $http_upgrade whatever the map says.
      if (finding.code === 'ws-undefined-variable' && data.newValue === '"upgrade"') {
        const mapEdit = mapInsertion(analysis, location);
        if (mapEdit)
          fixes.unshift({
            title: 'Add the $connection_upgrade map from the nginx docs to the http block',
            isPreferred: true,
            edits: [mapEdit],
          });
        fixes[fixes.length - 1] = { ...(fixes[fixes.length - 1] as CodeFix), isPreferred: !mapEdit };
      }
      break;
    case 'none':
      break;
  }
  if (finding.code !== 'ws-read-timeout') {
    const all = fixAllInLocation(analysis, location, nginxVersion);
    if (all && !fixes.some((fix) => sameEdits(fix.edits, all.edits))) fixes.push(all);
  }
  return fixes;
}

function sameEdits(a: readonly TextEdit[], b: readonly TextEdit[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Every preferred fix of the file's error and warning findings, as one set of non-overlapping
 * edits: insertions into one location are merged, in the canonical order.
 */
export function fixAllEdits(
  findings: readonly Diagnosis[],
  analysis: FileAnalysis,
  nginxVersion: NginxVersion | undefined,
): TextEdit[] {
  const edits: TextEdit[] = [];
  const done = new Set<LocationModel>();
  for (const finding of findings) {
    if (finding.code === 'ws-read-timeout' || finding.severity === 'information' || finding.severity === 'hint')
      continue;
    // The WebSocket problems only: a general finding (a typo) needs the user's judgement.
    const location = finding.location;
    if (!location) continue;
    const data = finding.data;
    if (data.kind === 'insert' || data.kind === 'redeclare') {
      if (done.has(location)) continue;
      done.add(location);
      const edit = insertIntoLocation(analysis, location, missingWebSocketLines(location, nginxVersion));
      if (edit) edits.push(edit);
      continue;
    }
    const preferred = fixesFor(finding, analysis, nginxVersion).find((fix) => fix.isPreferred);
    for (const edit of preferred?.edits ?? []) {
      if (!edits.some((existing) => overlaps(existing, edit))) edits.push(edit);
    }
  }
  return edits;
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.file !== b.file) return false;
  const before = (x: TextEdit, y: TextEdit): boolean =>
    x.range.end.line < y.range.start.line ||
    (x.range.end.line === y.range.start.line && x.range.end.character <= y.range.start.character);
  return (
    !(before(a, b) || before(b, a)) ||
    (a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character)
  );
}

/** "Enable WebSocket proxying here" for a plain proxy location. */
export function enableWebSocketFix(
  analysis: FileAnalysis,
  location: LocationModel,
  nginxVersion: NginxVersion | undefined,
): CodeFix | undefined {
  const lines = missingWebSocketLines(location, nginxVersion);
  const edit = insertIntoLocation(analysis, location, lines);
  return edit && lines.length
    ? { title: 'Enable WebSocket proxying here', isPreferred: false, edits: [edit] }
    : undefined;
}

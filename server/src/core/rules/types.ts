import type { Range } from '../parser/ast';
import type { SeverityName } from '../config/settings';
import type { ConfigModel, HeaderLine, LocationModel } from '../model/effective';
import type { FileAnalysis } from '../model/workspace';
import type { UpstreamRequest } from '../eval/evaluate';
import type { Evidence } from './evidence';
import type { NginxVersion } from './version';

export type Severity = Exclude<SeverityName, 'off'>;

export interface RelatedLocation {
  readonly file: string;
  readonly range: Range;
  readonly message: string;
}

/** What a quick fix needs to know, carried in the diagnostic's `data`. */
export type FindingData =
  | { readonly kind: 'insert'; readonly lines: readonly string[] }
  | { readonly kind: 'replace-value'; readonly file: string; readonly range: Range; readonly newValue: string }
  | { readonly kind: 'redeclare'; readonly lines: readonly string[] }
  /** Replace the text at `range` (a misspelt directive name) by one of `candidates`. */
  | { readonly kind: 'rename'; readonly range: Range; readonly candidates: readonly string[] }
  | { readonly kind: 'none' };

/** What any check reports: a WebSocket rule's finding, or a general one (an unknown directive, …). */
export interface Diagnosis {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly range: Range;
  readonly related: readonly RelatedLocation[];
  /** The location a WebSocket finding is about; fixes insert into it. */
  readonly location?: LocationModel;
  readonly data: FindingData;
}

/** A WebSocket rule's finding: always about one location. */
export interface Finding extends Diagnosis {
  readonly location: LocationModel;
}

export interface RuleContext {
  readonly analysis: FileAnalysis;
  readonly model: ConfigModel;
  readonly location: LocationModel;
  readonly evidence: Evidence;
  /** The nginx the config is for; undefined: unknown, treated as older than 1.29.7. */
  readonly nginxVersion: NginxVersion | undefined;
  /** Severity for this location's evidence, before per-rule overrides. */
  readonly severity: Severity;
  readonly upgrade: HeaderLine | undefined;
  readonly connection: HeaderLine | undefined;
  /** What the backend receives for a Chrome and a Firefox handshake, evaluated once per location. */
  readonly handshakes: readonly UpstreamRequest[];
  /** A main config, or a file read from one: what it does not define is defined nowhere. */
  readonly complete: boolean;
}

/** A finding as a rule reports it; the runner adds the file, location and final severity. */
export interface RuleFinding {
  readonly message: string;
  /** Defaults to the location's header (`location /ws`). */
  readonly at?: { readonly file: string; readonly range: Range };
  readonly related?: readonly RelatedLocation[];
  readonly data: FindingData;
  /** Overrides the evidence-derived severity (e.g. an information-only rule). */
  readonly severity?: Severity;
}

export interface Rule {
  /** Stable id, used as the diagnostic `code`. */
  readonly code: string;
  /** Severity when nothing lowers or raises it. Rules that follow the evidence say 'error'. */
  readonly defaultSeverity: Severity;
  /** One line for the rules table. */
  readonly title: string;
  /** Usually one finding per location; a rule may report several distinct mistakes. */
  check(context: RuleContext): RuleFinding | readonly RuleFinding[] | undefined;
}

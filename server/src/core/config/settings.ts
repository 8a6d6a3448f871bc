/**
 * The one schema of nginx-ws settings. package.json `contributes.configuration` must say the
 * same (a unit test compares them); the server and the client read their defaults from here.
 */

export type SeverityName = 'error' | 'warning' | 'information' | 'hint' | 'off';

export interface Settings {
  /** Path of the main nginx.conf that includes the other files; empty: search for it. */
  mainConfig: string;
  /** Version of the nginx the config is for, e.g. "1.24.0"; "auto" asks `nginx -v`. */
  nginxVersion: string;
  /** Glob patterns of request paths that carry WebSocket traffic. */
  webSocketPaths: string[];
  /** Per-rule severity overrides, keyed by rule code. */
  severity: Record<string, SeverityName>;
  /** Folder name mappings for symlink-populated folders: `sites-enabled` -> `sites-available`. */
  pathMappings: Record<string, string>;
  /** The nginx executable used by "Test WebSocket proxy" (machine scope only). */
  nginxPath: string;
  /** Seconds before a proxy test gives up. */
  testTimeoutSeconds: number;
  /** Show "Test WebSocket proxy" above each proxied location. */
  codeLens: boolean;
  /** Values of `${VAR}` template placeholders (nginx Docker image templates) for the proxy test. */
  templateVariables: Record<string, string>;
  /** Format Document for nginx files; off when another nginx extension formats them. */
  formatEnable: boolean;
  /** Completion of directives, values, variables, upstreams and named locations. */
  completionEnable: boolean;
  /** Hover documentation of directives and variables. */
  hoverEnable: boolean;
  /** Directives of third-party modules, not reported as unknown. */
  extraDirectives: string[];
}

export type SettingScope = 'application' | 'machine' | 'window' | 'resource' | 'machine-overridable';

export interface SettingSpec<K extends keyof Settings> {
  readonly key: K;
  readonly default: Settings[K];
  readonly scope: SettingScope;
  readonly description: string;
}

export const SETTINGS_PREFIX = 'nginxWs';

export const SETTING_SPECS: { readonly [K in keyof Settings]: SettingSpec<K> } = {
  mainConfig: {
    key: 'mainConfig',
    default: '',
    scope: 'resource',
    description:
      'Path of the main nginx configuration (the one passed to nginx -c). Files it includes are analysed in the context where they are included. Empty: the nearest nginx.conf above the file, else the workspace folder.',
  },
  nginxVersion: {
    key: 'nginxVersion',
    default: 'auto',
    scope: 'resource',
    description:
      'Version of the nginx that will run this configuration, e.g. "1.24.0". nginx before 1.29.7 speaks HTTP/1.0 to upstreams unless told proxy_http_version 1.1. "auto" asks the nginx found on this machine once, and assumes an older nginx when there is none.',
  },
  webSocketPaths: {
    key: 'webSocketPaths',
    default: [],
    scope: 'resource',
    description:
      'Glob patterns of request paths that carry WebSocket traffic (for example "/live/**"). Locations matching them are checked as WebSocket endpoints.',
  },
  severity: {
    key: 'severity',
    default: {},
    scope: 'resource',
    description:
      'Severity per rule code, overriding the default: "error", "warning", "information", "hint" or "off". Example: { "ws-read-timeout": "off" }.',
  },
  pathMappings: {
    key: 'pathMappings',
    default: { 'sites-enabled': 'sites-available' },
    scope: 'resource',
    description:
      'Folders whose files are symlinks to files in another folder: an include of "sites-enabled/*" is read from "sites-available" in the workspace.',
  },
  nginxPath: {
    key: 'nginxPath',
    default: 'nginx',
    scope: 'machine',
    description: 'The nginx executable used by "Test WebSocket proxy". Machine scope: a workspace cannot change it.',
  },
  testTimeoutSeconds: {
    key: 'testTimeoutSeconds',
    default: 10,
    scope: 'resource',
    description: 'Seconds before "Test WebSocket proxy" gives up and cleans up.',
  },
  codeLens: {
    key: 'codeLens',
    default: true,
    scope: 'resource',
    description: 'Show "Test WebSocket proxy" above each location that proxies.',
  },
  formatEnable: {
    key: 'formatEnable',
    default: true,
    scope: 'resource',
    description:
      'Format Document for nginx files: indentation by depth, one statement per line, arguments, comments and Lua bodies kept as written. Turn it off if another nginx extension formats them.',
  },
  completionEnable: {
    key: 'completionEnable',
    default: true,
    scope: 'resource',
    description:
      'Completion in nginx files: directives valid where the cursor is, their values, variables, upstream names and named locations. Turn it off if another nginx extension completes them.',
  },
  hoverEnable: {
    key: 'hoverEnable',
    default: true,
    scope: 'resource',
    description:
      "Hover in nginx files: a directive's syntax, default, contexts and documentation; where a variable is defined. Turn it off if another nginx extension shows them.",
  },
  extraDirectives: {
    key: 'extraDirectives',
    default: [],
    scope: 'resource',
    description:
      'Directive names of nginx modules nginx-ws does not know (a third-party or your own module), so that they are not reported as unknown directives.',
  },
  templateVariables: {
    key: 'templateVariables',
    default: {},
    scope: 'resource',
    description:
      'Values of ${VAR} placeholders in config templates (the nginx Docker image fills them in with envsubst), used by "Test WebSocket proxy". Unset ones are read from the environment, else replaced by a neutral value, and the report says which.',
  },
};

export function defaultSettings(): Settings {
  const result = {} as Record<string, unknown>;
  for (const spec of Object.values(SETTING_SPECS)) result[spec.key] = structuredClone(spec.default);
  return result as unknown as Settings;
}

const SEVERITIES: readonly SeverityName[] = ['error', 'warning', 'information', 'hint', 'off'];

/** Merges what a client sent over the defaults, dropping values of the wrong type. */
export function normalizeSettings(raw: unknown): Settings {
  const settings = defaultSettings();
  if (!raw || typeof raw !== 'object') return settings;
  const input = raw as Record<string, unknown>;
  if (typeof input.mainConfig === 'string') settings.mainConfig = input.mainConfig;
  if (typeof input.nginxVersion === 'string' && input.nginxVersion.trim())
    settings.nginxVersion = input.nginxVersion.trim();
  if (Array.isArray(input.webSocketPaths)) {
    settings.webSocketPaths = input.webSocketPaths.filter((item): item is string => typeof item === 'string');
  }
  if (input.severity && typeof input.severity === 'object') {
    for (const [code, value] of Object.entries(input.severity as Record<string, unknown>)) {
      if (typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)) {
        settings.severity[code] = value as SeverityName;
      }
    }
  }
  if (input.pathMappings && typeof input.pathMappings === 'object') {
    const mappings: Record<string, string> = {};
    for (const [from, to] of Object.entries(input.pathMappings as Record<string, unknown>)) {
      if (typeof to === 'string') mappings[from] = to;
    }
    settings.pathMappings = mappings;
  }
  if (typeof input.nginxPath === 'string' && input.nginxPath.trim()) settings.nginxPath = input.nginxPath.trim();
  if (typeof input.testTimeoutSeconds === 'number' && input.testTimeoutSeconds > 0) {
    settings.testTimeoutSeconds = input.testTimeoutSeconds;
  }
  if (typeof input.codeLens === 'boolean') settings.codeLens = input.codeLens;
  if (typeof input.formatEnable === 'boolean') settings.formatEnable = input.formatEnable;
  if (typeof input.completionEnable === 'boolean') settings.completionEnable = input.completionEnable;
  if (typeof input.hoverEnable === 'boolean') settings.hoverEnable = input.hoverEnable;
  if (Array.isArray(input.extraDirectives)) {
    settings.extraDirectives = input.extraDirectives.filter((item): item is string => typeof item === 'string');
  }
  if (input.templateVariables && typeof input.templateVariables === 'object') {
    for (const [name, value] of Object.entries(input.templateVariables as Record<string, unknown>))
      if (typeof value === 'string') settings.templateVariables[name] = value;
  }
  return settings;
}

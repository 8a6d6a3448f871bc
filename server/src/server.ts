/**
 * The nginx-ws language server: wires the pure engine (parser → model → rules → fixes) to LSP.
 * Runs inside VS Code through the client, or standalone with `--stdio` / `--node-ipc`.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type CodeAction,
  type CodeLens,
  DiagnosticSeverity,
  type Diagnostic,
  type Disposable,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SETTINGS_PREFIX, normalizeSettings, type Settings } from './core/config/settings';
import { enableWebSocketFix, fixAllEdits, fixesFor } from './core/fixes/fixes';
import { ParseCache } from './core/model/tree';
import type { ConfigModel } from './core/model/effective';
import { analyzeConfig, analyzeFile, onAnalysedFile, type FileAnalysis } from './core/model/workspace';
import { assessLocations, checkFile, locationHeaderRange, proxiedLocations } from './core/rules/check';
import { findingsAfterEdit } from './core/rules/afterEdit';
import type { Diagnosis, Finding } from './core/rules/types';
import { generalFindings } from './core/diagnostics/general';
import { readsAsNginx } from './core/diagnostics/recognize';
import { compareVersions, parseNginxVersion, type NginxVersion } from './core/rules/version';
import { rangeContains } from './core/parser/text';
import {
  FIX_ALL_KIND,
  SOURCE,
  findingToDiagnostic,
  fixToCodeAction,
  includeProblemToDiagnostic,
  parseErrorToDiagnostic,
  toWorkspaceEdit,
  uriOf,
} from './lsp/convert';
import { EDITING_CAPABILITIES, registerEditingFeatures } from './lsp/features';
import { NginxVersionProbe } from './lsp/nginxVersion';
import { mainConfigsUnder } from './node/findConfigs';
import { CachingFileSystem } from './node/nodeFileSystem';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const parseCache = new ParseCache();
const versionProbe = new NginxVersionProbe((message) => connection.console.info(message));
/** server/out/server.js → the extension (or repository) root, where docs/rules lives. */
const extensionRoot = path.resolve(__dirname, '..', '..');

let workspaceFolders: string[] = [];
let supportsConfiguration = false;
let supportsWatcherRegistration = false;
let supportsCodeLensRefresh = false;
let supportsWorkspaceFolders = false;
let supportsConfigurationRegistration = false;
let debounceMs = 75;
let watcherRegistration: Promise<Disposable> | undefined;
let watchedDirectories = '';
let reportedFailure = false;

const settingsByUri = new Map<string, Promise<Settings>>();
/** Open document URI → files its last analysis read. */
const dependenciesByUri = new Map<string, Set<string>>();
/** Per open document: folders its includes point into, where a new file changes its analysis. */
const includeFoldersByUri = new Map<string, Set<string>>();
const pendingValidations = new Map<string, NodeJS.Timeout>();
/** Open document URI → its last analysis, which completion, hover and definition read instead of re-analysing. */
const analysisByUri = new Map<string, FileAnalysis>();
/** Models of the workspace's nginx.conf files, for workspace symbols; dropped when a file changes. */
let workspaceModels: ConfigModel[] | undefined;

function fileOf(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

const openDocumentsByFile = new Map<string, TextDocument>();
const fileSystem = new CachingFileSystem((file) => openDocumentsByFile.get(file)?.getText());

function settingsFor(uri: string): Promise<Settings> {
  if (!supportsConfiguration) return Promise.resolve(normalizeSettings(undefined));
  let settings = settingsByUri.get(uri);
  if (!settings) {
    settings = connection.workspace
      .getConfiguration({ scopeUri: uri, section: SETTINGS_PREFIX })
      .then((raw: unknown) => normalizeSettings(raw));
    settingsByUri.set(uri, settings);
  }
  return settings;
}

interface Analysed {
  readonly analysis: FileAnalysis;
  /** The WebSocket findings, then the general ones. */
  readonly findings: Diagnosis[];
  readonly webSocketFindings: readonly Finding[];
  /**
   * False for a file VS Code took for nginx by its name alone (an Apache `sites-available/*.conf`,
   * a supervisor `conf.d/*.conf`) that no nginx.conf includes and that does not read as nginx
   * (core/diagnostics/recognize.ts): it gets one note saying so, not a diagnostic per line.
   */
  readonly readsAsNginx: boolean;
  readonly settings: Settings;
  readonly nginxVersion: NginxVersion | undefined;
  /** Made on the first code action request for this analysis, then kept with it. */
  fixAll?: ReturnType<typeof fixAllEdits>;
  assessed?: ReturnType<typeof assessLocations>;
}

function fixAllOf(analysed: Analysed): ReturnType<typeof fixAllEdits> {
  return (analysed.fixAll ??= fixAllEdits(analysed.findings, analysed.analysis, analysed.nginxVersion));
}

/**
 * The last analysis per open document, for its version: code actions (asked on every cursor
 * move), code lenses and the editing features reuse it instead of analysing the file again,
 * which on a 4 MB config is most of a second. Dropped when the document, a file it reads or the
 * settings change (`schedule` is called for each of those).
 */
const analysedByUri = new Map<string, { readonly version: number; readonly result: Promise<Analysed> }>();

function analyse(document: TextDocument): Promise<Analysed> {
  const known = analysedByUri.get(document.uri);
  if (known && known.version === document.version) return known.result;
  const result = analyseNow(document);
  analysedByUri.set(document.uri, { version: document.version, result });
  // A failure is reported by the caller; the next request tries again.
  result.catch(() => {
    if (analysedByUri.get(document.uri)?.result === result) analysedByUri.delete(document.uri);
  });
  return result;
}

/**
 * The last finished analysis per open document: after a typing edit inside a value, the next
 * one's WebSocket findings are made from its findings (rules/afterEdit.ts) instead of judging
 * every location of the file again.
 */
const lastAnalysedByUri = new Map<string, Analysed>();

function sameVersion(a: NginxVersion | undefined, b: NginxVersion | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && compareVersions(a, b) === 0);
}

async function analyseNow(document: TextDocument): Promise<Analysed> {
  const settings = await settingsFor(document.uri);
  const nginxVersion =
    settings.nginxVersion === 'auto'
      ? await versionProbe.detect(settings.nginxPath)
      : parseNginxVersion(settings.nginxVersion);
  const analysis = analyzeFile(fileOf(document.uri), fileSystem, {
    mainConfig: settings.mainConfig,
    workspaceFolders,
    pathMappings: settings.pathMappings,
    parseCache,
  });
  if (!readsAsNginx(analysis, new Set(settings.extraDirectives))) {
    const analysed: Analysed = {
      analysis,
      findings: [],
      webSocketFindings: [],
      readsAsNginx: false,
      settings,
      nginxVersion,
    };
    lastAnalysedByUri.set(document.uri, analysed);
    return analysed;
  }
  const options = { nginxVersion, webSocketPaths: settings.webSocketPaths, severity: settings.severity };
  const previous = lastAnalysedByUri.get(document.uri);
  const webSocketFindings =
    (previous?.readsAsNginx && previous.settings === settings && sameVersion(previous.nginxVersion, nginxVersion)
      ? findingsAfterEdit({ analysis: previous.analysis, findings: previous.webSocketFindings }, analysis, options)
      : undefined) ?? checkFile(analysis, options);
  const findings: Diagnosis[] = [...webSocketFindings];
  // What nginx -t would reject, beside the WebSocket findings: the same as `nginx-ws check` reports.
  for (const finding of generalFindings(analysis, {
    nginxVersion,
    extraDirectives: settings.extraDirectives,
    severity: settings.severity,
  }))
    findings.push(finding);
  const analysed: Analysed = { analysis, findings, webSocketFindings, readsAsNginx: true, settings, nginxVersion };
  lastAnalysedByUri.set(document.uri, analysed);
  return analysed;
}

function reportFailure(what: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  connection.console.error(`${what}: ${detail}`);
  if (!reportedFailure) {
    reportedFailure = true;
    void connection.window.showErrorMessage(
      `nginx-ws: ${what}. Diagnostics may be out of date; details are in the "nginx WebSocket" output.`,
    );
  }
}

function notNginxDiagnostic(document: TextDocument): Diagnostic {
  const firstLine = document.getText({ start: { line: 0, character: 0 }, end: { line: 1, character: 0 } });
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: firstLine.replace(/\r?\n$/, '').length } },
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    message:
      'This file does not read as nginx configuration: fewer than half of its top-level statements are nginx ' +
      'directives ended by ";" or a block, and no nginx.conf includes it. nginx-ws reports nothing here. ' +
      'If it is another format (Apache, supervisor), choose its language mode; if it is nginx, include it ' +
      'from your nginx.conf or name that file in nginxWs.mainConfig.',
  };
}

async function validate(uri: string): Promise<void> {
  const document = documents.get(uri);
  if (!document) return;
  const version = document.version;
  try {
    const { analysis, findings, readsAsNginx } = await analyse(document);
    if (documents.get(uri)?.version !== version) return; // a newer validation is scheduled
    const file = fileOf(uri);
    // A site opened at sites-available/app that nginx reads through sites-enabled/app: all on the opened file.
    const onFile = onAnalysedFile(analysis);
    const diagnostics: Diagnostic[] = !readsAsNginx
      ? [notNginxDiagnostic(document)]
      : [
          ...analysis.parsed.errors.map(parseErrorToDiagnostic),
          ...analysis.tree.includeProblems
            .filter((problem) => onFile(problem.node.file) === file)
            .map((problem) => includeProblemToDiagnostic(problem.node, problem.message)),
          ...findings.map((finding) => findingToDiagnostic(finding, extensionRoot, onFile)),
        ];
    await connection.sendDiagnostics({ uri, version, diagnostics });
    analysisByUri.set(uri, analysis);
    // With the files' own paths: an edit of sites-available/app reaches what reads it as sites-enabled/app.
    dependenciesByUri.set(
      uri,
      new Set(analysis.dependencies.flatMap((dependency) => [dependency, fileSystem.canonical(dependency)])),
    );
    includeFoldersByUri.set(uri, new Set(analysis.includeFolders));
    updateWatchers();
  } catch (error) {
    reportFailure(`analysing ${fileOf(uri)} failed`, error);
  }
}

function schedule(uri: string): void {
  analysedByUri.delete(uri); // something it read may have changed
  clearTimeout(pendingValidations.get(uri));
  if (debounceMs <= 0) {
    pendingValidations.delete(uri);
    void validate(uri);
    return;
  }
  pendingValidations.set(
    uri,
    setTimeout(() => {
      pendingValidations.delete(uri);
      void validate(uri);
    }, debounceMs),
  );
}

/**
 * Revalidates every open document whose analysis read `file`, or a file beside it, or whose
 * includes point into `file`'s folder (a new glob match, a missing snippet that now exists).
 */
function revalidateDependents(file: string, except?: string): void {
  const directory = path.dirname(file);
  for (const [uri, files] of dependenciesByUri) {
    if (uri === except) continue;
    if (
      files.has(file) ||
      includeFoldersByUri.get(uri)?.has(directory) ||
      [...files].some((dependency) => path.dirname(dependency) === directory)
    )
      schedule(uri);
  }
}

/**
 * Watches the folders of every file the open documents depend on, and the folders their includes
 * point into, so that an edit, a new file or a deletion outside the editor updates them.
 */
function updateWatchers(): void {
  if (!supportsWatcherRegistration) return;
  const directories = new Set<string>();
  for (const files of dependenciesByUri.values())
    for (const file of files) if (path.isAbsolute(file)) directories.add(path.dirname(file));
  for (const folders of includeFoldersByUri.values())
    for (const folder of folders) if (path.isAbsolute(folder)) directories.add(folder);
  const key = [...directories].sort().join('\n');
  if (key === watchedDirectories) return;
  watchedDirectories = key;
  const previous = watcherRegistration;
  watcherRegistration = (async () => {
    // A registration that failed has nothing to dispose, and must not fail every later one.
    if (previous) (await previous.catch(() => undefined))?.dispose();
    return connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [...directories].map((directory) => ({ globPattern: { baseUri: uriOf(directory), pattern: '*' } })),
    });
  })();
  watcherRegistration.catch((error: unknown) => reportFailure('watching included files failed', error));
}

connection.onInitialize((params): InitializeResult => {
  const capabilities = params.capabilities;
  supportsConfiguration = !!capabilities.workspace?.configuration;
  supportsWatcherRegistration = !!capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
  supportsCodeLensRefresh = !!capabilities.workspace?.codeLens?.refreshSupport;
  supportsWorkspaceFolders = !!capabilities.workspace?.workspaceFolders;
  supportsConfigurationRegistration = !!capabilities.workspace?.didChangeConfiguration?.dynamicRegistration;
  const options = (params.initializationOptions ?? {}) as { debounceMs?: unknown };
  if (typeof options.debounceMs === 'number') debounceMs = options.debounceMs;
  workspaceFolders = (params.workspaceFolders ?? []).map((folder) => fileOf(folder.uri));
  if (!workspaceFolders.length && params.rootUri) workspaceFolders = [fileOf(params.rootUri)];
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: {
        codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND, CodeActionKind.RefactorRewrite],
        resolveProvider: false,
      },
      codeLensProvider: { resolveProvider: false },
      ...EDITING_CAPABILITIES,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'nginx-ws', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  // Only a client that says it takes this registration may be sent it; a refusal must not end the server.
  if (supportsConfiguration && supportsConfigurationRegistration) {
    connection.client
      .register(DidChangeConfigurationNotification.type, { section: SETTINGS_PREFIX })
      .catch((error: unknown) => connection.console.warn(`Registering for settings changes failed: ${String(error)}`));
  }
  if (!supportsWorkspaceFolders) return;
  connection.workspace.onDidChangeWorkspaceFolders((event) => {
    const removed = new Set(event.removed.map((folder) => fileOf(folder.uri)));
    workspaceFolders = [
      ...workspaceFolders.filter((folder) => !removed.has(folder)),
      ...event.added.map((folder) => fileOf(folder.uri)),
    ];
    for (const document of documents.all()) schedule(document.uri);
  });
});

connection.onDidChangeConfiguration(() => {
  settingsByUri.clear();
  fileSystem.invalidateAll();
  for (const document of documents.all()) schedule(document.uri);
  if (supportsCodeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
});

documents.onDidOpen((event) => {
  openDocumentsByFile.set(fileOf(event.document.uri), event.document);
  // Opening a file is rare next to typing: a good moment to forget what the disk looked like
  // outside the watched folders (a new nginx.conf, an edited main config).
  fileSystem.invalidateAll();
});

documents.onDidChangeContent((event) => {
  workspaceModels = undefined;
  const file = fileOf(event.document.uri);
  openDocumentsByFile.set(file, event.document);
  schedule(event.document.uri);
  revalidateDependents(file, event.document.uri);
});

documents.onDidClose((event) => {
  const uri = event.document.uri;
  const file = fileOf(uri);
  openDocumentsByFile.delete(file);
  fileSystem.invalidate(file); // read it from disk again: the buffer may have been saved, or not
  clearTimeout(pendingValidations.get(uri));
  pendingValidations.delete(uri);
  dependenciesByUri.delete(uri);
  analysisByUri.delete(uri);
  includeFoldersByUri.delete(uri);
  settingsByUri.delete(uri);
  analysedByUri.delete(uri);
  lastAnalysedByUri.delete(uri);
  void connection.sendDiagnostics({ uri, diagnostics: [] });
  // Others now read this file from disk instead of the closed buffer.
  revalidateDependents(file);
  updateWatchers();
});

connection.onDidChangeWatchedFiles((params) => {
  workspaceModels = undefined;
  for (const change of params.changes) {
    const file = fileOf(change.uri);
    fileSystem.invalidate(file);
    if (openDocumentsByFile.has(file)) continue; // the editor's buffer is what counts
    revalidateDependents(file);
  }
});

function findingForDiagnostic(findings: readonly Diagnosis[], diagnostic: Diagnostic): Diagnosis | undefined {
  return findings.find(
    (finding) =>
      finding.code === diagnostic.code &&
      finding.range.start.line === diagnostic.range.start.line &&
      finding.range.start.character === diagnostic.range.start.character,
  );
}

function wants(only: readonly string[] | undefined, kind: string): boolean {
  return !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
}

connection.onCodeAction(async (params): Promise<CodeAction[]> => {
  const document = documents.get(params.textDocument.uri);
  if (!document) return [];
  try {
    const analysed = await analyse(document);
    const { analysis, findings, nginxVersion, settings } = analysed;
    const onFile = onAnalysedFile(analysis);
    const only = params.context.only;
    const actions: CodeAction[] = [];
    if (wants(only, FIX_ALL_KIND)) {
      const edits = fixAllOf(analysed);
      if (edits.length)
        actions.push({
          title: 'Fix all nginx-ws WebSocket problems',
          kind: FIX_ALL_KIND,
          edit: toWorkspaceEdit(edits, onFile),
        });
      if (only) return actions; // fix-on-save asked only for this
    }
    if (wants(only, CodeActionKind.QuickFix)) {
      const ours = params.context.diagnostics.filter((diagnostic) => diagnostic.source === SOURCE);
      // One action per distinct edit: "Add all missing lines" is offered by each of a location's diagnostics.
      const byEdit = new Map<string, CodeAction>();
      for (const diagnostic of ours) {
        const finding = findingForDiagnostic(findings, diagnostic);
        if (!finding) continue;
        for (const fix of fixesFor(finding, analysis, nginxVersion)) {
          const key = `${fix.title}\n${JSON.stringify(fix.edits)}`;
          const known = byEdit.get(key);
          if (known) known.diagnostics?.push(diagnostic);
          else byEdit.set(key, fixToCodeAction(fix, [diagnostic], CodeActionKind.QuickFix, onFile));
        }
      }
      actions.push(...byEdit.values());
      const fixable = findings.filter((finding) => finding.severity === 'error' || finding.severity === 'warning');
      if (ours.length && fixable.length > 1) {
        const edits = fixAllOf(analysed);
        if (edits.length) {
          actions.push({
            title: 'Fix all WebSocket problems in this file',
            kind: CodeActionKind.QuickFix,
            edit: toWorkspaceEdit(edits, onFile),
          });
        }
      }
    }
    if (wants(only, CodeActionKind.RefactorRewrite)) {
      for (const { location, evidence } of (analysed.assessed ??= assessLocations(analysis, settings))) {
        if (evidence.strength !== 'none' || location.kind !== 'location') continue;
        if (!rangeContains(location.node.directive.range, params.range.start)) continue;
        const fix = enableWebSocketFix(analysis, location, nginxVersion);
        if (fix) actions.push(fixToCodeAction(fix, [], CodeActionKind.RefactorRewrite, onFile));
      }
    }
    return actions;
  } catch (error) {
    reportFailure('computing quick fixes failed', error);
    return [];
  }
});

connection.onCodeLens(async (params): Promise<CodeLens[]> => {
  const document = documents.get(params.textDocument.uri);
  if (!document) return [];
  try {
    const { analysis, settings } = await analyse(document);
    if (!settings.codeLens) return [];
    return proxiedLocations(analysis)
      .filter((location) => location.kind === 'location' && location.node.directive.block)
      .map((location) => {
        const range = locationHeaderRange(location);
        return {
          range,
          command: {
            title: 'Test WebSocket proxy',
            command: 'nginxWs.testProxy',
            arguments: [document.uri, range.start.line],
          },
        };
      });
  } catch (error) {
    reportFailure('computing code lenses failed', error);
    return [];
  }
});

/** Models of the nginx.conf files of the workspace folders, made on the first workspace symbol search. */
function workspaceConfigModels(): ConfigModel[] {
  if (!workspaceModels) {
    workspaceModels = [];
    for (const folder of workspaceFolders) {
      for (const main of mainConfigsUnder(folder)) {
        const analyses = analyzeConfig(main, fileSystem, { parseCache, workspaceFolders });
        if (analyses[0]) workspaceModels.push(analyses[0].model);
      }
    }
  }
  return workspaceModels;
}

registerEditingFeatures(connection, documents, {
  settingsFor,
  parsed: (document) => parseCache.get(fileOf(document.uri), document.getText()),
  analysisOf: (uri) => analysisByUri.get(uri),
  configModels: () => {
    const models = new Set<ConfigModel>();
    for (const analysis of analysisByUri.values()) models.add(analysis.model);
    try {
      for (const model of workspaceConfigModels()) models.add(model);
    } catch (error) {
      reportFailure('reading the workspace configs for symbols failed', error);
    }
    return models;
  },
  inform: (message) => void connection.window.showInformationMessage(message),
  reportFailure,
});

documents.listen(connection);
connection.listen();

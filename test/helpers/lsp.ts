// A small LSP client for the protocol-level tests: starts the bundled language server
// (server/out/server.js) as a real process, over stdio or a Node IPC channel, and speaks LSP to it
// the way VS Code's language client does. It answers workspace/configuration from per-test
// settings, records dynamic registrations (file watchers), keeps the text of the documents it has
// open, applies WorkspaceEdits to them, and waits for events with a deadline instead of sleeping.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  CodeLensRefreshRequest,
  CodeLensRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  FileChangeType,
  IPCMessageReader,
  IPCMessageWriter,
  InitializeRequest,
  InitializedNotification,
  LogMessageNotification,
  MessageType,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ResponseError,
  ShowMessageNotification,
  ShowMessageRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  UnregistrationRequest,
  WatchKind,
  createMessageConnection,
  type CodeAction,
  type CodeActionContext,
  type ClientCapabilities,
  type CodeLens,
  type Command,
  type ConfigurationItem,
  type Diagnostic,
  type FileSystemWatcher,
  type InitializeParams,
  type InitializeResult,
  type MessageConnection,
  type PublishDiagnosticsParams,
  type Range,
  type Registration,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { repoRoot } from './paths';
import { offsetOf } from './text';

/** The bundle `npm run build` makes; NGINX_WS_SERVER_SCRIPT runs the tests against another build of it. */
export const SERVER_SCRIPT = process.env.NGINX_WS_SERVER_SCRIPT || path.join(repoRoot, 'server', 'out', 'server.js');
export const LANGUAGE_ID = 'nginx';
/** Deadline for one awaited event (a publish, a response, an exit). Generous for a loaded CI machine. */
export const DEFAULT_DEADLINE_MS = 10_000;

/** Throws a clear message when the bundle is missing, instead of a spawn error or a silent hang. */
export function assertServerBuilt(script: string = SERVER_SCRIPT): void {
  if (!existsSync(script)) {
    throw new Error(
      `The bundled language server ${path.relative(repoRoot, script)} does not exist. ` +
        'Run `npm run build` (or `node scripts/bundle.mjs`) before the protocol tests.',
    );
  }
}

export function uriOf(file: string): string {
  return pathToFileURL(file).toString();
}

export function fileOf(uri: string): string {
  return fileURLToPath(uri);
}

/** The `nginxWs` section as the client's settings.json would hold it. */
export type NginxWsSettings = Record<string, unknown>;

export interface StartOptions {
  /** Absolute paths of the workspace folders. */
  readonly workspaceFolders: readonly string[];
  /** The `nginxWs` settings answered to workspace/configuration; a function may vary them per file. */
  readonly settings?: NginxWsSettings | ((scopeUri: string | undefined) => NginxWsSettings);
  /** `stdio` (default) spawns `node server.js --stdio`; `ipc` forks it with `--node-ipc`. */
  readonly transport?: 'stdio' | 'ipc';
  /** initializationOptions.debounceMs; 0 (the default here) validates on every change at once. */
  readonly debounceMs?: number;
  /** The server to start; SERVER_SCRIPT unless a test says otherwise. */
  readonly serverScript?: string;
  /** Changes the client capabilities sent with initialize (to play a less capable client). */
  readonly capabilities?: (defaults: ClientCapabilities) => ClientCapabilities;
  /** Answer client/registerCapability with an error, as a client that does not take it does. */
  readonly refuseRegistrations?: boolean;
}

export interface OpenDocument {
  readonly uri: string;
  version: number;
  text: string;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Published {
  /** Order of arrival, over all URIs: `since` in waitForDiagnostics compares against it. */
  readonly sequence: number;
  readonly params: PublishDiagnosticsParams;
}

interface Waiter {
  readonly check: () => boolean;
  readonly reject: (error: Error) => void;
}

export interface WaitOptions {
  /** Milliseconds before giving up (DEFAULT_DEADLINE_MS). */
  readonly deadlineMs?: number;
  /**
   * Only publishes that arrive after this mark (from `mark()`) count. Without it, the last publish
   * already received counts too, as long as it is for the document's current version.
   */
  readonly since?: number;
}

/** The LSP client. Create it with `startServer`; always `dispose()` it (tests: `t.after`). */
export class LspClient {
  readonly documents = new Map<string, OpenDocument>();
  /** Every publishDiagnostics, by URI, in order of arrival. */
  readonly published = new Map<string, Published[]>();
  /** Dynamic registrations currently in force, by id; and those refused (`refuseRegistrations`). */
  readonly registrations = new Map<string, Registration>();
  readonly refusedRegistrations: Registration[] = [];
  /** window/showMessage and window/logMessage notifications, in order. */
  readonly messages: { readonly kind: 'show' | 'log'; readonly type: MessageType; readonly message: string }[] = [];
  /** workspace/configuration requests answered (and their items), workspace/codeLens/refresh requests received. */
  configurationRequests = 0;
  readonly configurationItems: ConfigurationItem[] = [];
  codeLensRefreshes = 0;
  settings: NginxWsSettings | ((scopeUri: string | undefined) => NginxWsSettings);
  initializeResult: InitializeResult | undefined;

  private sequence = 0;
  private readonly waiters = new Set<Waiter>();
  private stderrTail = '';
  private exitStatus: ExitStatus | undefined;
  private readonly exited: Promise<ExitStatus>;

  constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
    settings: NginxWsSettings | ((scopeUri: string | undefined) => NginxWsSettings),
    refuseRegistrations = false,
  ) {
    this.settings = settings;
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': by then stderr has been read to its end, for the error messages.
      child.once('close', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
        const error = new Error(`the language server exited (code ${code}, signal ${signal})${this.stderrDetail()}`);
        for (const waiter of this.waiters) waiter.reject(error);
        this.waiters.clear();
      });
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });

    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const list = this.published.get(params.uri) ?? [];
      list.push({ sequence: ++this.sequence, params });
      this.published.set(params.uri, list);
      this.notify();
    });
    connection.onRequest(ConfigurationRequest.type, (params) => {
      this.configurationRequests++;
      this.configurationItems.push(...params.items);
      return params.items.map((item) => {
        const all = typeof this.settings === 'function' ? this.settings(item.scopeUri) : this.settings;
        if (!item.section || item.section === 'nginxWs') return structuredClone(all);
        if (item.section.startsWith('nginxWs.'))
          return structuredClone(all[item.section.slice('nginxWs.'.length)] ?? null);
        return null;
      });
    });
    connection.onRequest(RegistrationRequest.type, (params) => {
      if (refuseRegistrations) {
        this.refusedRegistrations.push(...params.registrations);
        this.notify();
        return new ResponseError(-32601, 'this client takes no dynamic registrations');
      }
      for (const registration of params.registrations) this.registrations.set(registration.id, registration);
      this.notify();
    });
    connection.onRequest(UnregistrationRequest.type, (params) => {
      for (const unregistration of params.unregisterations) this.registrations.delete(unregistration.id);
      this.notify();
    });
    connection.onRequest(CodeLensRefreshRequest.type, () => {
      this.codeLensRefreshes++;
      this.notify();
    });
    connection.onRequest(ShowMessageRequest.type, (params) => {
      this.messages.push({ kind: 'show', type: params.type, message: params.message });
      return null;
    });
    connection.onNotification(ShowMessageNotification.type, (params) => {
      this.messages.push({ kind: 'show', type: params.type, message: params.message });
    });
    connection.onNotification(LogMessageNotification.type, (params) => {
      this.messages.push({ kind: 'log', type: params.type, message: params.message });
    });
    connection.listen();
  }

  get pid(): number {
    const pid = this.child.pid;
    if (pid === undefined) throw new Error('the language server process has no pid (it failed to start)');
    return pid;
  }

  /** The current mark: pass it as `since` to wait only for what the server sends after now. */
  mark(): number {
    return this.sequence;
  }

  // ---- documents -------------------------------------------------------------------------------

  /** didOpen; the text defaults to the file's content on disk. Returns the URI. */
  async open(file: string, text: string = readFileSync(file, 'utf8')): Promise<string> {
    const uri = uriOf(file);
    if (this.documents.has(uri)) throw new Error(`${file} is already open`);
    this.documents.set(uri, { uri, version: 1, text });
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: LANGUAGE_ID, version: 1, text },
    });
    return uri;
  }

  document(uri: string): OpenDocument {
    const document = this.documents.get(uri);
    if (!document) throw new Error(`${uri} is not open`);
    return document;
  }

  /** Replaces the whole text (a full-content didChange). */
  async replaceText(uri: string, text: string): Promise<void> {
    await this.sendChanges(uri, text, [{ text }]);
  }

  /** Applies `edits` to the open document and sends them as incremental changes, as VS Code does. */
  async edit(uri: string, edits: readonly TextEdit[]): Promise<void> {
    const document = this.document(uri);
    const ordered = orderForApplying(document.text, edits);
    const text = applyOrdered(document.text, ordered);
    // Applied back to front, each range is still right for the text the previous changes left.
    const changes: TextDocumentContentChangeEvent[] = ordered.map(({ edit }) => ({
      range: edit.range,
      text: edit.newText,
    }));
    await this.sendChanges(uri, text, changes);
  }

  private async sendChanges(
    uri: string,
    text: string,
    contentChanges: TextDocumentContentChangeEvent[],
  ): Promise<void> {
    const document = this.document(uri);
    document.version++;
    document.text = text;
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: document.version },
      contentChanges,
    });
  }

  async close(uri: string): Promise<void> {
    this.document(uri);
    this.documents.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /**
   * Applies a WorkspaceEdit the way VS Code does: open documents get an incremental didChange; a
   * file that is not open is loaded from disk into a buffer (which VS Code reports as didOpen)
   * with the edit applied, and left unsaved. Returns the new text of every document it touched.
   */
  async applyEdit(edit: WorkspaceEdit): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const [uri, edits] of workspaceEditEntries(edit)) {
      const open = this.documents.get(uri);
      if (open) {
        await this.edit(uri, edits);
        result.set(uri, open.text);
      } else {
        const text = applyTextEdits(readFileSync(fileOf(uri), 'utf8'), edits);
        await this.open(fileOf(uri), text);
        result.set(uri, text);
      }
    }
    return result;
  }

  // ---- workspace -------------------------------------------------------------------------------

  /** Changes the settings and tells the server, as VS Code does when settings.json changes. */
  async updateSettings(settings: NginxWsSettings | ((scopeUri: string | undefined) => NginxWsSettings)): Promise<void> {
    this.settings = settings;
    // In the pull model VS Code's client sends no settings with the notification.
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /** The file watchers the server has registered (workspace/didChangeWatchedFiles). */
  fileWatchers(): FileSystemWatcher[] {
    const watchers: FileSystemWatcher[] = [];
    for (const registration of this.registrations.values()) {
      if (registration.method !== DidChangeWatchedFilesNotification.method) continue;
      const options = registration.registerOptions as { watchers?: FileSystemWatcher[] } | undefined;
      watchers.push(...(options?.watchers ?? []));
    }
    return watchers;
  }

  /** Whether a registered watcher covers `file` for events of `kind`, as VS Code would decide. */
  isWatched(file: string, kind: WatchKind = WatchKind.Change): boolean {
    return this.fileWatchers().some(
      (watcher) => ((watcher.kind ?? 7) & kind) !== 0 && globPatternMatches(watcher.globPattern, file),
    );
  }

  /**
   * Reports a change on disk with workspace/didChangeWatchedFiles. Like VS Code, it only reports
   * what a registered watcher covers: a file nobody watches is a test failure, not a silent no-op.
   */
  async notifyFileChanged(file: string, type: FileChangeType = FileChangeType.Changed): Promise<void> {
    const kind =
      type === FileChangeType.Created
        ? WatchKind.Create
        : type === FileChangeType.Deleted
          ? WatchKind.Delete
          : WatchKind.Change;
    if (!this.isWatched(file, kind)) {
      const globs = this.fileWatchers().map((watcher) => JSON.stringify(watcher.globPattern));
      throw new Error(
        `No registered watcher covers ${file}, so VS Code would not report it. Watchers: ${globs.join(', ') || 'none'}.`,
      );
    }
    await this.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: uriOf(file), type }],
    });
  }

  // ---- requests --------------------------------------------------------------------------------

  async codeActions(uri: string, range: Range, context: Partial<CodeActionContext> = {}): Promise<CodeAction[]> {
    const result = await this.request(
      this.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range,
        context: { diagnostics: [], ...context },
      }),
      'textDocument/codeAction',
    );
    return (result ?? []).map((item: Command | CodeAction) => {
      // A bare Command has a string `command`; a CodeAction's `command` is an object, if any.
      if (typeof item.command === 'string')
        throw new Error(`the server returned a bare Command, not a CodeAction: ${item.title}`);
      return item as CodeAction;
    });
  }

  async codeLenses(uri: string): Promise<CodeLens[]> {
    return (
      (await this.request(
        this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }),
        'textDocument/codeLens',
      )) ?? []
    );
  }

  /** A request's answer, or a clear error when it does not come before the deadline. */
  request<T>(response: Promise<T>, what: string, deadlineMs = DEFAULT_DEADLINE_MS): Promise<T> {
    // A server that dies fails the request at once, with its stderr, rather than at the deadline.
    const died = this.exited.then((status): never => {
      throw new Error(
        `the language server exited (code ${status.code}, signal ${status.signal}) before answering ${what}${this.stderrDetail()}`,
      );
    });
    died.catch(() => undefined);
    return withDeadline(
      Promise.race([response, died]),
      deadlineMs,
      () => `no answer to ${what} within ${deadlineMs} ms${this.stderrDetail()}`,
    );
  }

  // ---- waiting ---------------------------------------------------------------------------------

  /** Resolves with the first value `probe` returns that is not undefined, re-checked on every message. */
  waitFor<T>(probe: () => T | undefined, description: string, deadlineMs = DEFAULT_DEADLINE_MS): Promise<T> {
    let first: T | undefined;
    try {
      first = probe();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (first !== undefined) return Promise.resolve(first);
    if (this.exitStatus)
      return Promise.reject(
        new Error(`waiting for ${description}, but the language server has exited${this.stderrDetail()}`),
      );
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`waited ${deadlineMs} ms for ${description}${this.stderrDetail()}`));
      }, deadlineMs);
      const waiter: Waiter = {
        check: () => {
          let value: T | undefined;
          try {
            value = probe();
          } catch (error) {
            // A condition that throws fails the wait; it must not throw into the connection's handler.
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
            return true;
          }
          if (value === undefined) return false;
          clearTimeout(timer);
          resolve(value);
          return true;
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * The first publishDiagnostics for `uri` that satisfies `predicate`, within the deadline (ms, or
   * `options.deadlineMs`). Only publishes for the client's current version of an open document
   * count (an older one describes text that is gone). Without `since`, the latest publish already
   * received is checked first; with it (from `mark()`), only publishes after the mark count.
   */
  waitForDiagnostics(
    uri: string,
    predicate: (diagnostics: Diagnostic[], params: PublishDiagnosticsParams) => boolean = () => true,
    options: WaitOptions | number = {},
  ): Promise<PublishDiagnosticsParams> {
    const { deadlineMs = DEFAULT_DEADLINE_MS, since } = typeof options === 'number' ? { deadlineMs: options } : options;
    let next = since === undefined ? Math.max(0, (this.published.get(uri)?.length ?? 0) - 1) : 0;
    const probe = (): PublishDiagnosticsParams | undefined => {
      const list = this.published.get(uri) ?? [];
      for (; next < list.length; next++) {
        const entry = list[next] as Published;
        if (since !== undefined && entry.sequence <= since) continue;
        const open = this.documents.get(uri);
        if (open && entry.params.version !== undefined && entry.params.version !== open.version) continue;
        if (predicate(entry.params.diagnostics, entry.params)) return entry.params;
      }
      return undefined;
    };
    return this.waitFor(probe, `diagnostics for ${uri} that satisfy the test's condition`, deadlineMs).catch(
      (error: Error) => {
        const last = this.published.get(uri)?.at(-1);
        const summary = last
          ? `last published (version ${last.params.version ?? '-'}): ${describeDiagnostics(last.params.diagnostics)}`
          : 'nothing was published for it';
        throw new Error(`${error.message}; ${summary}`);
      },
    );
  }

  /** The latest diagnostics published for `uri` (empty when none). */
  latestDiagnostics(uri: string): Diagnostic[] {
    return this.published.get(uri)?.at(-1)?.params.diagnostics ?? [];
  }

  /** Error-level messages the server showed or logged: a test that expects none asserts this is empty. */
  serverErrors(): string[] {
    return this.messages
      .filter((entry) => entry.type === MessageType.Error)
      .map((entry) => `${entry.kind}: ${entry.message}`);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) if (waiter.check()) this.waiters.delete(waiter);
  }

  private stderrDetail(): string {
    const tail = this.stderrTail.trim();
    return tail ? `\nserver stderr:\n${tail}` : '';
  }

  // ---- lifetime --------------------------------------------------------------------------------

  /** The exit status once the process has exited, else undefined. */
  get exit(): ExitStatus | undefined {
    return this.exitStatus;
  }

  /**
   * shutdown, then exit, then waits for the process to end; kills it when it does not end by the
   * deadline and reports that as an error. Returns the exit status.
   */
  async shutdown(deadlineMs = DEFAULT_DEADLINE_MS): Promise<ExitStatus> {
    if (this.exitStatus) return this.exitStatus;
    let failure: Error | undefined;
    try {
      await this.request(this.connection.sendRequest(ShutdownRequest.type), 'shutdown', deadlineMs);
      await this.connection.sendNotification(ExitNotification.type);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    const status = await withDeadline(this.exited, deadlineMs, () => 'exit').catch(() => undefined);
    if (!status) {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(
        `the language server did not exit within ${deadlineMs} ms of shutdown/exit; killed it${failure ? ` (${failure.message})` : ''}`,
      );
    }
    this.connection.dispose();
    if (failure) throw failure;
    return status;
  }

  /** For `t.after`: a clean shutdown if the process still runs, a kill if that fails. Never throws. */
  async dispose(): Promise<void> {
    if (this.exitStatus) {
      this.connection.dispose();
      return;
    }
    try {
      await this.shutdown(3000);
    } catch {
      if (!this.exitStatus) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
      this.connection.dispose();
    }
  }
}

/** Starts the server, initializes it (with `initialized`) and returns the client. */
export async function startServer(options: StartOptions): Promise<LspClient> {
  const script = options.serverScript ?? SERVER_SCRIPT;
  assertServerBuilt(script);
  const transport = options.transport ?? 'stdio';
  let child: ChildProcess;
  let connection: MessageConnection;
  if (transport === 'ipc') {
    child = fork(script, ['--node-ipc'], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    // Nothing should come out here; drain it so that a stray write can never block the server.
    child.stdout?.resume();
  } else {
    child = spawn(process.execPath, [script, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    if (!child.stdout || !child.stdin) throw new Error('spawn gave the language server no stdio pipes');
    connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  }
  const spawnFailure = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new Error(`could not start the language server: ${error.message}`))),
  );
  spawnFailure.catch(() => undefined);
  const client = new LspClient(child, connection, options.settings ?? {}, options.refuseRegistrations);
  try {
    const folders = options.workspaceFolders.map((folder) => ({ uri: uriOf(folder), name: path.basename(folder) }));
    const defaults: ClientCapabilities = {
      workspace: {
        configuration: true,
        workspaceFolders: true,
        applyEdit: true,
        didChangeConfiguration: { dynamicRegistration: true },
        didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
        codeLens: { refreshSupport: true },
      },
      textDocument: {
        synchronization: { dynamicRegistration: false, didSave: false, willSave: false },
        publishDiagnostics: {
          relatedInformation: true,
          versionSupport: true,
          codeDescriptionSupport: true,
          dataSupport: true,
        },
        codeAction: {
          isPreferredSupport: true,
          dataSupport: true,
          codeActionLiteralSupport: {
            codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite', 'source', 'source.fixAll'] },
          },
        },
        codeLens: {},
      },
      window: { showMessage: {} },
    };
    const params: InitializeParams = {
      processId: process.pid,
      clientInfo: { name: 'nginx-ws protocol tests' },
      rootUri: folders[0]?.uri ?? null,
      workspaceFolders: folders,
      initializationOptions: { debounceMs: options.debounceMs ?? 0 },
      capabilities: options.capabilities ? options.capabilities(structuredClone(defaults)) : defaults,
    };
    const initialize = client.request(connection.sendRequest(InitializeRequest.type, params), 'initialize');
    client.initializeResult = await Promise.race([initialize, spawnFailure]);
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  } catch (error) {
    await client.dispose();
    throw error;
  }
}

// ---- edits -------------------------------------------------------------------------------------

function workspaceEditEntries(edit: WorkspaceEdit): [string, TextEdit[]][] {
  const entries: [string, TextEdit[]][] = Object.entries(edit.changes ?? {});
  for (const change of edit.documentChanges ?? []) {
    if (!('textDocument' in change))
      throw new Error(`resource operations are not supported here: ${JSON.stringify(change)}`);
    const edits = change.edits.map((item): TextEdit => {
      if (!('newText' in item)) throw new Error(`snippet edits are not supported here: ${JSON.stringify(item)}`);
      return { range: item.range, newText: item.newText };
    });
    entries.push([change.textDocument.uri, edits]);
  }
  return entries;
}

interface Located {
  readonly edit: TextEdit;
  readonly start: number;
  readonly end: number;
  readonly index: number;
}

/** Edits with offsets, last in the text first; inserts at one position keep their array order in the result. */
function orderForApplying(text: string, edits: readonly TextEdit[]): Located[] {
  const located = edits.map((edit, index) => {
    const start = offsetOf(text, edit.range.start);
    const end = offsetOf(text, edit.range.end);
    if (start === undefined || end === undefined || end < start)
      throw new Error(`edit range ${JSON.stringify(edit.range)} is not inside the document`);
    return { edit, start, end, index };
  });
  const ascending = [...located].sort((a, b) => a.start - b.start || a.index - b.index);
  for (let i = 1; i < ascending.length; i++) {
    const previous = ascending[i - 1] as Located;
    const current = ascending[i] as Located;
    // Two inserts at one point are fine (LSP keeps their order); anything else sharing text is not.
    if (current.start < previous.end)
      throw new Error(`overlapping edits: ${JSON.stringify(previous.edit)} and ${JSON.stringify(current.edit)}`);
  }
  return ascending.reverse();
}

function applyOrdered(text: string, ordered: readonly Located[]): string {
  let result = text;
  for (const { start, end, edit } of ordered) result = result.slice(0, start) + edit.newText + result.slice(end);
  return result;
}

/** The text after LSP TextEdits (non-overlapping, against the original text). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  return applyOrdered(text, orderForApplying(text, edits));
}

/** Applies a WorkspaceEdit to texts held in memory (by URI); returns the changed ones. */
export function applyWorkspaceEdit(texts: ReadonlyMap<string, string>, edit: WorkspaceEdit): Map<string, string> {
  const result = new Map<string, string>();
  for (const [uri, edits] of workspaceEditEntries(edit)) {
    const text = result.get(uri) ?? texts.get(uri);
    if (text === undefined) throw new Error(`the edit changes ${uri}, which is not among the texts`);
    result.set(uri, applyTextEdits(text, edits));
  }
  return result;
}

// ---- small helpers -----------------------------------------------------------------------------

export function withDeadline<T>(promise: Promise<T>, deadlineMs: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what())), deadlineMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A glob as VS Code's file watcher reads it: `**`, `*`, `?`, `{a,b}`, `[...]`. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*' && glob[i + 1] === '*') {
      // `**/` matches any number of folders, including none.
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '{') source += '(?:';
    else if (ch === '}') source += ')';
    else if (ch === ',') source += '|';
    else if (ch === '[' || ch === ']') source += ch;
    else source += ch.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function globPatternMatches(pattern: FileSystemWatcher['globPattern'], file: string): boolean {
  if (typeof pattern === 'string') return globToRegExp(pattern.replace(/\\/g, '/')).test(file.replace(/\\/g, '/'));
  const base = typeof pattern.baseUri === 'string' ? pattern.baseUri : pattern.baseUri.uri;
  const relative = path.relative(fileOf(base), file);
  if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) return false;
  return globToRegExp(pattern.pattern).test(relative.split(path.sep).join('/'));
}

const SEVERITY_NAMES = ['', 'error', 'warning', 'information', 'hint'];

export function severityName(diagnostic: Diagnostic): string {
  return SEVERITY_NAMES[diagnostic.severity ?? 1] ?? String(diagnostic.severity);
}

/** `code@line:character severity` for each diagnostic (0-based positions, as LSP): for failure messages. */
export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  if (!diagnostics.length) return 'no diagnostics';
  return diagnostics
    .map(
      (diagnostic) =>
        `${String(diagnostic.code)}@${diagnostic.range.start.line}:${diagnostic.range.start.character} ${severityName(diagnostic)}`,
    )
    .join(', ');
}

/** A diagnostic's message as text (LSP 3.18 also allows markup). */
export function messageOf(diagnostic: Diagnostic): string {
  return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}

export function codesOf(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => String(diagnostic.code));
}

/** Whether a process with this pid still exists (signal 0 only checks). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

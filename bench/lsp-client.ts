// The smallest LSP client that the language-server benchmark needs: start the bundled server over
// stdio, initialize (answering workspace/configuration), open and edit one document, and note the
// moment each publishDiagnostics for a given version arrives. (The protocol tests have a fuller
// client in test/helpers/lsp.ts; the bench project cannot import from test/.)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  UnregistrationRequest,
  createMessageConnection,
  type MessageConnection,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const SERVER_SCRIPT = path.resolve(__dirname, '..', 'server', 'out', 'server.js');

export interface Publish {
  /** performance.now() when the notification was handled here. */
  readonly at: number;
  readonly count: number;
}

export interface ProcessMemory {
  /** Resident set size now, and its peak (VmHWM), in bytes. */
  readonly rss: number;
  readonly peak: number;
}

export class BenchClient {
  private readonly waiting = new Map<string, (publish: Publish) => void>();
  private readonly versions = new Map<string, number>();
  private stderr = '';
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly connection: MessageConnection,
    settings: Record<string, unknown>,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('close', (code) => {
        this.exitCode = code;
        resolve();
      }),
    );
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const at = performance.now();
      const resolve = this.waiting.get(`${params.uri}#${params.version ?? ''}`);
      if (!resolve) return;
      this.waiting.delete(`${params.uri}#${params.version ?? ''}`);
      resolve({ at, count: params.diagnostics.length });
    });
    connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => settings));
    connection.onRequest(RegistrationRequest.type, () => undefined);
    connection.onRequest(UnregistrationRequest.type, () => undefined);
    connection.listen();
  }

  /** Starts the server; `nodeFlags` go before the script (e.g. `--cpu-prof`). */
  static async start(
    folder: string,
    settings: Record<string, unknown>,
    debounceMs = 0,
    nodeFlags: readonly string[] = [],
  ): Promise<BenchClient> {
    if (!existsSync(SERVER_SCRIPT)) {
      throw new Error(`${path.relative(process.cwd(), SERVER_SCRIPT)} does not exist: run \`npm run build\` first.`);
    }
    const child = spawn(process.execPath, [...nodeFlags, SERVER_SCRIPT, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (!child.stdout || !child.stdin) throw new Error('no stdio pipes to the language server');
    const connection = createMessageConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    const client = new BenchClient(child, connection, settings);
    const uri = pathToFileURL(folder).toString();
    await client.deadline(
      connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: uri,
        workspaceFolders: [{ uri, name: path.basename(folder) }],
        initializationOptions: { debounceMs },
        capabilities: {
          workspace: {
            configuration: true,
            didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
          },
          textDocument: {
            publishDiagnostics: {
              relatedInformation: true,
              versionSupport: true,
              codeDescriptionSupport: true,
              dataSupport: true,
            },
          },
        },
      }),
      30_000,
      'initialize',
    );
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the language server has no pid');
    return this.child.pid;
  }

  /** VmRSS and VmHWM of the server process, from /proc (Linux). */
  memory(): ProcessMemory {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const field = (name: string): number => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      if (!match) throw new Error(`no ${name} in /proc/${this.pid}/status`);
      return Number(match[1]) * 1024;
    };
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  }

  /** User + system CPU time of the server process so far, in ms (clock-tick resolution). */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  }

  /** Resolves when the publish for this version of the document arrives. */
  private published(uri: string, version: number, deadlineMs: number): Promise<Publish> {
    return this.deadline(
      new Promise<Publish>((resolve) => this.waiting.set(`${uri}#${version}`, resolve)),
      deadlineMs,
      `diagnostics for version ${version} of ${uri}`,
    );
  }

  /** didOpen; resolves with the time from sending it to its diagnostics. */
  async open(file: string, text: string, deadlineMs = 120_000): Promise<{ ms: number; count: number }> {
    const uri = pathToFileURL(file).toString();
    this.versions.set(uri, 1);
    const publish = this.published(uri, 1, deadlineMs);
    const start = performance.now();
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'nginx', version: 1, text },
    });
    const { at, count } = await publish;
    return { ms: at - start, count };
  }

  /** An incremental didChange; resolves with the time from sending it to its diagnostics. */
  async change(
    file: string,
    change: TextDocumentContentChangeEvent,
    deadlineMs = 60_000,
  ): Promise<{ ms: number; count: number }> {
    const uri = pathToFileURL(file).toString();
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const publish = this.published(uri, version, deadlineMs);
    const start = performance.now();
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [change],
    });
    const { at, count } = await publish;
    return { ms: at - start, count };
  }

  /** shutdown + exit; kills the process if it has not ended after the deadline. */
  async shutdown(deadlineMs = 10_000): Promise<void> {
    if (this.exitCode !== undefined) return;
    try {
      await this.deadline(this.connection.sendRequest(ShutdownRequest.type), deadlineMs, 'shutdown');
      await this.connection.sendNotification(ExitNotification.type);
      await this.deadline(this.exited, deadlineMs, 'exit');
    } catch {
      this.child.kill('SIGKILL');
      await this.exited;
    } finally {
      this.connection.dispose();
    }
  }

  private deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const failure = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no ${what} within ${ms} ms${this.stderr ? `; server stderr: ${this.stderr}` : ''}`)),
        ms,
      );
    });
    const died = this.exited.then((): never => {
      throw new Error(
        `the language server exited (code ${this.exitCode}) while waiting for ${what}${this.stderr ? `: ${this.stderr}` : ''}`,
      );
    });
    died.catch(() => undefined);
    return Promise.race([promise, failure, died]).finally(() => clearTimeout(timer));
  }
}

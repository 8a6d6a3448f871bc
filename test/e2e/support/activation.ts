// The extension's activation time as it reports it: activate() logs "nginx-ws language server
// started in N ms." to its output channel, which VS Code keeps as a log file of the run:
// <user-data-dir>/logs/<session>/exthost<n>/nginx-ws.nginx-ws/nginx WebSocket.log.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const STARTED = /nginx-ws language server started in (\d+) ms/;

/** The first "started in N ms" of a log's text. Pure. */
export function parseActivationMs(logText: string): number | undefined {
  const match = STARTED.exec(logText);
  return match ? Number(match[1]) : undefined;
}

/** Searches the run's VS Code logs for the extension's output channel and reads its start time. */
export function activationTime(userDataDir: string): number | undefined {
  const logs = join(userDataDir, 'logs');
  if (!existsSync(logs)) return undefined;
  for (const entry of readdirSync(logs, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name !== 'nginx WebSocket.log') continue;
    const found = parseActivationMs(readFileSync(join(entry.parentPath, entry.name), 'utf8'));
    if (found !== undefined) return found;
  }
  return undefined;
}

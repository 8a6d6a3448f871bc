/**
 * The private directory one proxy test runs in: nginx's prefix, its config, pid file, logs and
 * temp paths. Created under os.tmpdir() with mode 0700 and removed, whatever happened, by
 * `dispose()`.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every proxy-test directory starts with this, so leftovers can be found and counted. */
export const TEMP_DIR_PREFIX = 'nginx-ws-test-';

export interface TempDir {
  readonly path: string;
  /** Removes the directory and everything in it; safe to call more than once. */
  dispose(): Promise<void>;
}

export async function createTempDir(prefix: string = TEMP_DIR_PREFIX, parent: string = tmpdir()): Promise<TempDir> {
  const path = await mkdtemp(join(parent, prefix));
  // mkdtemp already uses 0700 on POSIX; say it explicitly rather than rely on it.
  await chmod(path, 0o700);
  let disposal: Promise<void> | undefined;
  return {
    path,
    dispose: () => (disposal ??= rm(path, { recursive: true, force: true, maxRetries: 3 })),
  };
}

/**
 * Lets other users enter the directory (0711) without listing it. Needed when nginx's master runs
 * as root: its workers switch to an unprivileged user (`nobody` by default) and must reach the
 * `*_temp_path` directories inside, which the master creates and chowns to that user. Files we
 * write ourselves (nginx.conf) stay 0600, and names cannot be listed.
 */
export async function allowWorkersToEnter(path: string): Promise<void> {
  await chmod(path, 0o711);
}

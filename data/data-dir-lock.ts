import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * lowdb is one process's store: whoever writes to DATA_DIR holds its lock (proper-lockfile: an atomic mkdir whose
 * mtime the holder refreshes). A second process that would write — a second bot, `npm run purge` beside the bot —
 * is refused with a message that says what to do. A lock left by a process that was killed is taken over: at once
 * when it was a process on this computer that no longer runs, otherwise once it has gone stale.
 */

export class DataDirLockedError extends Error {}

const STALE_MS = 30_000;
const OWNER_FILE = '.lock-owner.json';

export interface DataDirLock {
  release(): Promise<void>;
}

/** Whether a process of this computer with this id runs (a signal 0 reaches it, or it is someone else's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockDataDir(dataDir: string, purpose: string, onCompromised: (error: Error) => void = () => {}): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = path.join(dataDir, '.lock');
  const owner = path.join(dataDir, OWNER_FILE);
  const options = { lockfilePath: lockPath, stale: STALE_MS, realpath: false, onCompromised };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = await readFile(owner, 'utf8').then((text) => JSON.parse(text) as { pid?: number; host?: string; purpose?: string }, () => undefined);
    const gone = holder?.host === hostname() && typeof holder.pid === 'number' && holder.pid !== process.pid && !isRunning(holder.pid);
    if (!gone) {
      const who = holder?.purpose ? `${holder.purpose} (proces ${holder.pid} op ${holder.host})` : 'een ander proces';
      throw new DataDirLockedError(
        `De gegevensmap ${dataDir} is in gebruik door ${who}. lowdb is de opslag van één proces: stop dat proces eerst, ` +
          'of gebruik PostgreSQL (DATABASE_URL) om met meerdere instanties te werken.',
      );
    }
    // Killed without cleaning up (kill -9, a crash): nobody holds it any more.
    await rm(lockPath, { recursive: true, force: true });
    await rm(owner, { force: true });
    release = await lockfile.lock(dataDir, options);
  }
  await writeFile(owner, JSON.stringify({ pid: process.pid, host: hostname(), purpose, since: new Date().toISOString() }), { mode: 0o600 });
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await rm(owner, { force: true });
      await release().catch(() => {});
    },
  };
}

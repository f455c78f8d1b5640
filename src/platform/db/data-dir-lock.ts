import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';

/**
 * PGlite takes no lock on its data folder, and two processes on one folder lose each other's writes
 * (or leave a folder with no tables when both create it). This lock file, holding the pid of the process
 * that has the folder open, makes a second process refuse instead.
 */
export const LOCK_FILE = 'commonground.lock';

/** Folders this process holds: a pid equal to ours in a lock file not listed here is a previous life's (a container restarted). */
const heldHere = new Set<string>();

export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`The embedded database in ${dataDir} is already in use by process ${pid}${pid === process.pid ? ' (this process)' : ''}. `
      + 'Only one process at a time can open it: stop that process (for the server, Ctrl+C or '
      + `kill ${pid}) and run the command again, or run the command against PostgreSQL with DATABASE_URL.`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock { release(): void }

/** Takes the folder's lock, creating the folder if need be; throws DataDirInUseError when a live process holds it. */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const key = path.resolve(file);
  const mine = `${process.pid}\n`;
  for (;;) {
    if (tryCreate(file, mine)) break;
    const holder = readHolder(file);
    if (holder === null) continue; // released between our attempt and our look: try again
    if (isAlive(holder) && (holder !== process.pid || heldHere.has(key))) throw new DataDirInUseError(dataDir, holder);
    await takeOverStale(file, holder);
  }
  heldHere.add(key);
  const onExit = () => release();
  // process.exit() skips close(): the lock still goes, so the next command is not refused.
  process.on('exit', onExit);
  let released = false;
  function release() {
    if (released) return;
    released = true;
    process.off('exit', onExit);
    heldHere.delete(key);
    if (readHolder(file) === process.pid) unlinkSync(file);
  }
  return { release };
}

/** Writes the pid to a file of our own and links it into place: the lock appears whole, or not at all (never empty). */
function tryCreate(file: string, content: string): boolean {
  const own = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(own, content, { flag: 'wx' });
  try {
    linkSync(own, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(own);
  }
}

function readHolder(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    // A file we cannot read a pid from was not written by this code (linking makes ours whole): treat it as stale.
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a lock left by a process that died without releasing it (kill -9). Two processes may find the same
 * stale lock at once: a guard folder (mkdir is atomic) lets one of them at a time look again and remove it, so
 * neither removes the fresh lock the other has just taken.
 */
async function takeOverStale(file: string, stalePid: number): Promise<void> {
  const guard = `${file}.takeover`;
  for (;;) {
    try {
      mkdirSync(guard);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A guard older than a few seconds belongs to a process killed in the middle of a takeover.
      if (guardAge(guard) > 5_000) removeGuard(guard);
      else await sleep(20);
    }
  }
  try {
    if (readHolder(file) === stalePid) unlinkSync(file);
  } finally {
    removeGuard(guard);
  }
}

function removeGuard(guard: string): void {
  try {
    rmdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function guardAge(guard: string): number {
  try {
    return Date.now() - statSync(guard).mtimeMs;
  } catch {
    return 0;
  }
}

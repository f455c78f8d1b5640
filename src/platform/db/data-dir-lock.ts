import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';

/**
 * PGlite takes no lock on its data folder, and two processes on one folder lose each other's writes
 * (or leave a folder with no tables when both create it). This lock file, holding the pid and host of the process
 * that has the folder open, makes a second process refuse instead.
 *
 * A process on another host (another container sharing the volume) cannot be asked whether it still runs, and its
 * pid means nothing here (both may be pid 1): the holder touches the file every few seconds, and a lock from another
 * host is taken over only once that heartbeat has stopped.
 */
export const LOCK_FILE = 'commonground.lock';

/** How often the holder touches its lock, and how long after the last touch a lock from another host counts as left behind. */
const HEARTBEAT_MS = 5_000;
const HEARTBEAT_STALE_MS = 30_000;

interface Holder { pid: number; host: string | null; raw: string; touchedAt: number }

/** Folders this process holds: a pid equal to ours in a lock file not listed here is a previous life's (a container restarted). */
const heldHere = new Set<string>();

export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly pid: number, readonly host: string | null = null) {
    super(`The embedded database in ${dataDir} is already in use by process ${pid}${host && host !== hostname() ? ` on ${host}` : pid === process.pid ? ' (this process)' : ''}. `
      + 'Only one process at a time can open it: stop that process (for the server, Ctrl+C or '
      + `kill ${pid}) and run the command again, or run the command against PostgreSQL with DATABASE_URL.`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock { release(): void }

/** Takes the folder's lock, creating the folder if need be; throws DataDirInUseError when a live process holds it. */
export async function lockDataDir(dataDir: string, options: { heartbeatMs?: number } = {}): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const key = path.resolve(file);
  // (the pid first, alone on its line, as locks written before the host was kept)
  const mine = `${process.pid}\n${hostname()}\n`;
  for (;;) {
    if (tryCreate(file, mine)) break;
    const holder = readHolder(file);
    if (holder === null) continue; // released between our attempt and our look: try again
    if (holdsIt(holder, heldHere.has(key))) throw new DataDirInUseError(dataDir, holder.pid, holder.host);
    await takeOverStale(file, holder.raw);
  }
  heldHere.add(key);
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      if (readHolder(file)?.raw === mine) utimesSync(file, now, now);
    } catch { /* a missed beat is caught up by the next */ }
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  const onExit = () => release();
  // process.exit() skips close(): the lock still goes, so the next command is not refused.
  process.on('exit', onExit);
  let released = false;
  function release() {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off('exit', onExit);
    heldHere.delete(key);
    if (readHolder(file)?.raw === mine) unlinkSync(file);
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

function readHolder(file: string): Holder | null {
  try {
    const raw = readFileSync(file, 'utf8');
    const touchedAt = statSync(file).mtimeMs;
    const [pidLine, host] = raw.split('\n');
    const pid = Number.parseInt(pidLine ?? '', 10);
    // A file we cannot read a pid from was not written by this code (linking makes ours whole): treat it as stale.
    return { pid: Number.isInteger(pid) && pid > 0 ? pid : 0, host: host || null, raw, touchedAt };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Whether the lock's holder still has the folder. On this host its pid answers, except our own pid in a lock this
 * process did not take (a container restarted with the same pid). From another host only its heartbeat tells.
 */
function holdsIt(holder: Holder, heldByThisProcess: boolean): boolean {
  if (holder.host !== null && holder.host !== hostname()) return Date.now() - holder.touchedAt < HEARTBEAT_STALE_MS;
  return isAlive(holder.pid) && (holder.pid !== process.pid || heldByThisProcess);
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
async function takeOverStale(file: string, staleLock: string): Promise<void> {
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
    if (readHolder(file)?.raw === staleLock) unlinkSync(file);
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

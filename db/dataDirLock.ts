/**
 * The embedded data directory's lock: a pid file that follows its holder, as PostgreSQL's own `postmaster.pid` does.
 *
 * The file (`DATA_DIR/pathway.pid`) is created atomically and names its holder: pid, host name and the process's start
 * time (Linux `/proc/<pid>/stat` field 22, so a recycled pid is not taken for the holder). A process that finds it asks
 * whether that process still lives and takes the directory over only if it does not. Nothing here depends on time: a
 * holder whose event loop is blocked keeps the directory, and a restart right after `kill -9` gets it at once.
 */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const lockFileName = 'pathway.pid';

export type LockHolder = { pid: number; host: string; startTime: string | null };

/** Thrown when a second process tries to open a PGlite directory that one already holds. */
export class DataDirLockedError extends Error {
  constructor(
    dir: string,
    readonly holder?: LockHolder,
  ) {
    const who = holder
      ? holder.host === hostname()
        ? ` by server process ${holder.pid}`
        : ` by process ${holder.pid} on host ${holder.host} (its life cannot be checked from here: if it is certainly stopped, delete ${join(dir, lockFileName)})`
      : '';
    super(
      `The data directory ${dir} is already in use${who}. ` +
        'Embedded PGlite allows one process per directory: stop the other server, or set DATA_DIR to another directory, or DATABASE_URL to use PostgreSQL.',
    );
  }
}

/** A process's start time in clock ticks since boot (`/proc/<pid>/stat` field 22); null where there is no /proc. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) is in parentheses and may hold spaces: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // fields[0] is field 3
  } catch {
    return null;
  }
}

/** Whether the process a lock file names is alive: same host, pid alive, and (where known) the same start time. */
export function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true; // Cannot be checked from here: never taken over.
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: alive, another user's.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.startTime === null) return true;
  const now = processStartTime(holder.pid);
  return now === null || now === holder.startTime;
}

const parse = (text: string): LockHolder | undefined => {
  const [pid, host, startTime] = text.split('\n');
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0 || !host) return undefined;
  return { pid: n, host, startTime: startTime && startTime !== '-' ? startTime : null };
};

const readHolder = (path: string): { text: string; holder: LockHolder | undefined } | undefined => {
  try {
    const text = readFileSync(path, 'utf8');
    return { text, holder: parse(text) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

export type DataDirLock = { path: string; release: () => void };

/**
 * Takes the directory (created owner-only when missing) for this process, or throws DataDirLockedError naming the
 * live holder. Released by `release()`, at the process's exit, or by its death.
 */
export function lockDataDir(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, lockFileName);
  const me = `${process.pid}\n${hostname()}\n${processStartTime(process.pid) ?? '-'}\n`;
  // Written in full under a name of its own, then linked into place: the lock appears atomically, complete or not at all.
  const draft = join(dir, `${lockFileName}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  const fd = openSync(draft, 'wx', 0o600);
  try {
    writeSync(fd, me);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        linkSync(draft, path);
        return held(path, me);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const found = readHolder(path);
      if (!found) continue; // Released meanwhile: try again.
      // A file that names no process was not written by this code (it links complete files only): refuse, do not guess.
      if (!found.holder) throw new Error(`${path} does not name a process; if no server uses ${dir}, delete it`);
      if (isAlive(found.holder)) throw new DataDirLockedError(dir, found.holder);
      // The holder is dead: move its file aside (atomic, so of two processes taking over only one moves it) and check
      // that what was moved is the dead holder's, not a live process's that took over between our read and the move.
      const aside = `${draft}.stale`;
      try {
        renameSync(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = readHolder(aside);
      if (moved && moved.text !== found.text) {
        // Someone else's fresh lock: put it back and look again.
        try {
          linkSync(aside, path);
        } finally {
          unlinkSync(aside);
        }
        continue;
      }
      unlinkSync(aside);
    }
    throw new Error(`could not take ${path}: other processes kept changing it`);
  } finally {
    unlinkSync(draft);
  }
}

function held(path: string, me: string): DataDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Only our own file: never one a later holder wrote.
    if (readHolder(path)?.text === me) unlinkSync(path);
  };
  // A clean exit (process.exit included) removes it; a crash leaves it for the next process to find dead.
  process.on('exit', release);
  return { path, release };
}

/** The live process holding `dir`, if one does (backups ask it for a copy). */
export function liveHolder(dir: string): LockHolder | undefined {
  const found = readHolder(join(dir, lockFileName));
  return found?.holder && found.holder.host === hostname() && isAlive(found.holder) ? found.holder : undefined;
}

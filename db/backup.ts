/**
 * Backups of the embedded database: a gzipped tarball of the data directory, taken by the process that holds it
 * (PGlite's dumpDataDir, between statements), and restored into a new directory. PostgreSQL has its own tools
 * (pg_dump, base backups with WAL archiving): see the README.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir, lockFileName } from './dataDirLock.ts';

/** Where the running server writes a backup a signal asks for: BACKUP_DIR, else `backups` beside the data directory. */
export const backupDirFor = (dataDir: string, env: NodeJS.ProcessEnv = process.env) => env.BACKUP_DIR || join(dirname(dataDir), 'backups');

/** The file a backup command leaves in the data directory to tell the server (SIGUSR2) where to write. */
export const backupRequestName = 'backup.request';

/** Writes `dump()` to `file`: complete or not at all (written aside, then renamed), owner-only. Returns its size. */
export async function writeBackup(dump: () => Promise<Blob>, file: string): Promise<number> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const bytes = Buffer.from(await (await dump()).arrayBuffer());
  const part = `${file}.part`;
  writeFileSync(part, bytes, { mode: 0o600 });
  renameSync(part, file);
  return bytes.length;
}

/** A backup of a directory no server holds: taken under its lock. */
export async function backupIdle(dataDir: string, file: string): Promise<number> {
  const lock = lockDataDir(dataDir);
  try {
    const client = new PGlite(dataDir);
    try {
      // Opened (recovery done) before the copy: dumpDataDir on a client still starting never settles.
      await client.query('select 1');
      return await writeBackup(() => client.dumpDataDir('gzip'), file);
    } finally {
      await client.close();
    }
  } finally {
    lock.release();
  }
}

/** Restores `file` into `dataDir`, which must not exist or be empty. */
export async function restore(file: string, dataDir: string): Promise<void> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) throw new Error(`${dataDir} is not empty: restore into a new directory`);
  const lock = lockDataDir(dataDir);
  try {
    const client = new PGlite(dataDir, { loadDataDir: new Blob([readFileSync(file)]) });
    await client.waitReady;
    await client.close();
  } finally {
    // The copy carries the lock file of the server it was taken from: not this directory's holder.
    rmSync(join(dataDir, lockFileName), { force: true });
    rmSync(join(dataDir, backupRequestName), { force: true });
    lock.release();
  }
}

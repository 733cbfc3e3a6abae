/** Opens the database: postgres.js when a URL is given, embedded PGlite otherwise; both migrated by the same files. */
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type DataDirLock, DataDirLockedError, lockDataDir } from './dataDirLock.ts';
import * as schema from './schema/index.ts';
import { type MigrationReport, upgrade } from './upgrade.ts';

export { DataDirLockedError };

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Database = {
  db: Db;
  kind: 'postgres' | 'pglite';
  close: () => Promise<void>;
  /** What opening did to the schema (db/upgrade.ts); absent where another process migrates. */
  migrations?: MigrationReport;
  /** Embedded only: a consistent copy of the data directory, a gzipped tarball (db/backup.ts). */
  dump?: () => Promise<Blob>;
};

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * `role`: the role the server's statements run as (set at connection start; migrations always run as the connecting
 * owner, or as `migrationUrl` when given). Without it, statements run as the connecting user.
 */
export type DatabaseOptions = (
  | { url: string; max?: number; role?: string | undefined; migrationUrl?: string | undefined }
  /** `dataDir` undefined keeps everything in memory (tests). */
  | { dataDir?: string; role?: string | undefined }
) & {
  /** This release's migrations unless given (tests open databases as an older release would). */
  migrationsFolder?: string;
};

/** The role the server runs as (migration 0011): it can append to the history but never rewrite it. */
export const appRole = 'pathway_app';

/**
 * Opens and migrates. A database written by a newer release is refused (SchemaTooNewError); one written by an older
 * release is migrated forward, and `migrations` says from which to which.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const folder = options.migrationsFolder ?? migrationsFolder;
  if ('url' in options) {
    let migrations: MigrationReport | undefined;
    if (options.role || options.migrationUrl) {
      // Migrations as the owner, on a connection of their own; then the pool runs as the role.
      const owner = postgres(options.migrationUrl ?? options.url, { max: 1, onnotice: () => {} });
      const ownerDb = drizzlePostgres(owner, { schema, casing: 'snake_case' });
      try {
        migrations = await upgrade(ownerDb, folder, () => migratePostgres(ownerDb, { migrationsFolder: folder }));
      } finally {
        await owner.end({ timeout: 5 });
      }
    }
    const sql = postgres(options.url, {
      max: options.max ?? 10,
      onnotice: () => {},
      ...(options.role ? { connection: { role: options.role } } : {}),
    });
    const db = drizzlePostgres(sql, { schema, casing: 'snake_case' });
    if (!options.role && !options.migrationUrl) {
      try {
        migrations = await upgrade(db, folder, () => migratePostgres(db, { migrationsFolder: folder }));
      } catch (error) {
        await sql.end({ timeout: 5 });
        throw error;
      }
    }
    return { db: db as unknown as Db, kind: 'postgres', close: () => sql.end({ timeout: 5 }), ...(migrations ? { migrations } : {}) };
  }
  // Two processes on one PGlite directory silently lose data: hold it for the life of this process (db/dataDirLock.ts).
  const lock: DataDirLock | undefined = options.dataDir ? lockDataDir(options.dataDir) : undefined;
  try {
    return await openPglite(options.dataDir, options.role, lock, folder);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function openPglite(
  dataDir: string | undefined,
  role: string | undefined,
  lock: DataDirLock | undefined,
  folder: string,
): Promise<Database> {
  const client = new PGlite(dataDir);
  const db = drizzlePglite(client, { schema, casing: 'snake_case' });
  let migrations: MigrationReport;
  try {
    migrations = await upgrade(db, folder, () => migratePglite(db, { migrationsFolder: folder }));
  } catch (error) {
    await client.close();
    throw error;
  }
  // One embedded session: from here on it runs as the role.
  if (role) await client.exec(`SET ROLE ${role}`);
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    migrations,
    // Taken between statements (PGlite runs one at a time): a still copy, as after a crash, that recovery replays.
    dump: () => client.dumpDataDir('gzip'),
    close: async () => {
      await client.close();
      lock?.release();
    },
  };
}

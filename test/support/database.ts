/** Test databases: embedded PGlite always, and real Postgres when DATABASE_URL is set, each run in a fresh database. */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../db/client.ts';
import { loadDirectory } from '../../db/seed/directory.ts';

export type Backend = { name: 'pglite' | 'postgres'; open: () => Promise<TestDatabase> };
export type TestDatabase = Database & { url?: string; drop: () => Promise<void> };

/** Creates `pathway_test_<random>` on the server named by DATABASE_URL; dropped again by `drop()`. */
export async function createPostgresDatabase(baseUrl: string): Promise<{ url: string; dropDatabase: () => Promise<void> }> {
  const name = `pathway_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dropDatabase: async () => {
      const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

async function openPglite(): Promise<TestDatabase> {
  const database = await openDatabase({});
  await loadDirectory(database.db);
  return { ...database, drop: database.close };
}

async function openPostgres(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL as string;
  const { url, dropDatabase } = await createPostgresDatabase(base);
  const database = await openDatabase({ url, max: 60 });
  await loadDirectory(database.db);
  return {
    ...database,
    url,
    drop: async () => {
      await database.close();
      await dropDatabase();
    },
  };
}

/** The backends an API suite runs against: PGlite always, Postgres when DATABASE_URL is set. */
export const backends: Backend[] = [
  { name: 'pglite', open: openPglite },
  ...(process.env.DATABASE_URL ? [{ name: 'postgres' as const, open: openPostgres }] : []),
];
export const postgresBackend = backends.find((b) => b.name === 'postgres');

/**
 * Upgrades: before migrating, what the database has applied (drizzle.__drizzle_migrations: hash, created_at) is set
 * against this release's migrations (db/migrations/meta/_journal.json). Migrations this release does not know mean a
 * newer release wrote the database: refused, rather than run on a schema this code does not know (drizzle's migrator
 * would skip them silently). Otherwise the missing ones are applied and reported, from which to which.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';

type Execute = { execute: (query: ReturnType<typeof sql>) => Promise<unknown> };

export type Migration = { tag: string; when: number; hash: string };
export type AppliedRow = { hash: string; createdAt: number };

/** What a start did to the schema: `from` null on an empty database; `applied` empty when it was up to date. */
export type MigrationReport = { from: string | null; to: string; applied: string[] };

/** Thrown when the database holds migrations newer than any this release has. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly unknown: AppliedRow[],
    readonly newestKnown: Migration,
  ) {
    const list = unknown.map((m) => `applied as of ${new Date(m.createdAt).toISOString()} (hash ${m.hash.slice(0, 12)})`).join('; ');
    super(
      `The database was written by a newer release: it has ${unknown.length} migration${unknown.length === 1 ? '' : 's'} this release does not know (${list}); ` +
        `this release knows up to ${newestKnown.tag}. Run the newer release, or restore a backup taken before the upgrade.`,
    );
  }
}

/** This release's migrations, oldest first, with the hashes drizzle records. */
export function localMigrations(migrationsFolder: string): Migration[] {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  return readMigrationFiles({ migrationsFolder }).map((m, i) => ({
    tag: journal.entries[i]?.tag as string,
    when: m.folderMillis,
    hash: m.hash,
  }));
}

const rowsOf = (result: unknown): Record<string, unknown>[] =>
  (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as Record<string, unknown>[];

/** The migrations the database has applied, oldest first (none on an empty database). */
export async function appliedMigrations(db: Execute): Promise<AppliedRow[]> {
  const [exists] = rowsOf(await db.execute(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as "exists"`));
  if (!exists?.exists) return [];
  const rows = rowsOf(await db.execute(sql`select hash, created_at from drizzle.__drizzle_migrations order by created_at, id`));
  return rows.map((r) => ({ hash: String(r.hash), createdAt: Number(r.created_at) }));
}

/**
 * Sets the database's applied migrations against this release's: throws SchemaTooNewError for later ones it does not
 * know, else says what migrating will apply.
 */
export function planUpgrade(local: Migration[], applied: AppliedRow[]): MigrationReport {
  const newest = local.at(-1) as Migration;
  const unknown = applied.filter((a) => a.createdAt > newest.when && !local.some((m) => m.hash === a.hash));
  if (unknown.length) throw new SchemaTooNewError(unknown, newest);
  // drizzle applies every local migration later than the last one applied.
  const last = applied.at(-1);
  const pending = local.filter((m) => !last || m.when > last.createdAt);
  const current = last ? [...local].reverse().find((m) => m.when <= last.createdAt) : undefined;
  return { from: current?.tag ?? null, to: newest.tag, applied: pending.map((m) => m.tag) };
}

/** Checks, then runs `migrate`; the report says what was applied. */
export async function upgrade(db: Execute, migrationsFolder: string, migrate: () => Promise<void>): Promise<MigrationReport> {
  const plan = planUpgrade(localMigrations(migrationsFolder), await appliedMigrations(db));
  if (plan.applied.length) await migrate();
  return plan;
}

/** The log line for a start's migrations. */
export function describeUpgrade(report: MigrationReport): string | undefined {
  if (!report.applied.length) return undefined;
  if (report.from === null) return `created the database schema (${report.applied.length} migrations, up to ${report.to})`;
  return `upgraded the database schema from ${report.from} to ${report.to}: applied ${report.applied.join(', ')}`;
}

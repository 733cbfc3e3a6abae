/**
 * Upgrades: a newer release migrates an older database forward at start and says so; an older release refuses a
 * database a newer one wrote. On embedded PGlite (a data directory) and, with DATABASE_URL, on PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { type DatabaseOptions, migrationsFolder, openDatabase } from '../../db/client.ts';
import { describeUpgrade, localMigrations, SchemaTooNewError } from '../../db/upgrade.ts';
import { createPostgresDatabase } from '../support/database.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'pathway-upgrades-'));
const local = localMigrations(migrationsFolder);
const tags = local.map((m) => m.tag);
const oldCount = 5;

/** An older release's migrations: the first `n` of this one's (files and journal). */
function olderRelease(n: number): string {
  const folder = join(base, `release-${n}`);
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8'));
  journal.entries = journal.entries.slice(0, n);
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  for (const tag of tags.slice(0, n)) copyFileSync(join(migrationsFolder, `${tag}.sql`), join(folder, `${tag}.sql`));
  return folder;
}
const older = olderRelease(oldCount);

type Target = { name: string; options: () => Promise<DatabaseOptions & { env: Record<string, string> }> };
const drops: (() => Promise<void>)[] = [];
const targets: Target[] = [
  {
    name: 'pglite',
    options: async () => {
      const dataDir = mkdtempSync(join(base, 'data-'));
      return { dataDir, env: { DATA_DIR: dataDir } };
    },
  },
  ...(process.env.DATABASE_URL
    ? [
        {
          name: 'postgres',
          options: async () => {
            const { url, dropDatabase } = await createPostgresDatabase(process.env.DATABASE_URL as string);
            drops.push(dropDatabase);
            return { url, env: { DATABASE_URL: url } };
          },
        },
      ]
    : []),
];

afterAll(async () => {
  for (const drop of drops) await drop();
  rmSync(base, { recursive: true, force: true });
});

describe.each(targets)('Upgrades on $name', ({ options }) => {
  it('should migrate a database written by an older release forward at start, saying from which migration to which', async () => {
    const { env, ...opts } = await options();
    const old = await openDatabase({ ...opts, migrationsFolder: older });
    expect(old.migrations).toEqual({ from: null, to: tags[oldCount - 1], applied: tags.slice(0, oldCount) });
    await old.close();

    // This release's server on it: migrated forward, and the log says so.
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATABASE_URL: '',
        ...env,
        PORT: '0',
        AUTH_SECRET: randomBytes(32).toString('hex'),
        SEED_DEMO: 'false',
        LOG_LEVEL: 'info',
      },
    });
    let log = '';
    child.stdout?.on('data', (d) => (log += d));
    child.stderr?.on('data', (d) => (log += d));
    const until = Date.now() + 120_000;
    while (!log.includes('listening on') && child.exitCode === null && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    const line = log
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; migrations?: unknown })
      .find((l) => l.migrations);
    const expected = { from: tags[oldCount - 1] as string, to: tags.at(-1) as string, applied: tags.slice(oldCount) };
    expect(line?.migrations, log).toEqual(expected);
    expect(line?.msg).toBe(
      `upgraded the database schema from ${tags[oldCount - 1]} to ${tags.at(-1)}: applied ${tags.slice(oldCount).join(', ')}`,
    );
    expect(line?.msg).toBe(describeUpgrade(expected));

    // Up to date now: opening again applies nothing.
    const again = await openDatabase(opts);
    expect(again.migrations).toEqual({ from: tags.at(-1), to: tags.at(-1), applied: [] });
    await again.close();
  }, 180_000);

  it('should refuse a database written by a newer release, naming the migrations it does not know', async () => {
    const { env: _env, ...opts } = await options();
    const current = await openDatabase(opts);
    expect(current.migrations?.applied).toEqual(tags);
    // A later release's migration, as drizzle records it.
    const later = { hash: 'c0ffee'.repeat(10).padEnd(64, '0'), createdAt: (local.at(-1)?.when as number) + 86_400_000 };
    await current.db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${later.hash}, ${later.createdAt})`);
    await current.close();

    const refused = openDatabase(opts);
    await expect(refused).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(openDatabase(opts)).rejects.toThrow(
      `The database was written by a newer release: it has 1 migration this release does not know (applied as of ${new Date(later.createdAt).toISOString()} (hash c0ffeec0ffee)); this release knows up to ${tags.at(-1)}.`,
    );
    // An older release on this database: every migration after its own is one it does not know.
    await expect(openDatabase({ ...opts, migrationsFolder: older })).rejects.toThrow(
      new RegExp(`has ${tags.length - oldCount + 1} migrations this release does not know .*knows up to ${tags[oldCount - 1]}\\.`),
    );
  }, 120_000);
});

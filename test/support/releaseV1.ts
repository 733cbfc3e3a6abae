/**
 * Rows written by the release before pathway versions existed (test/fixtures/release-v1-rows.json: a synthetic cohort
 * of 30 cases that release lived through its machine, dumped table by table). They prove version 1 is frozen (its
 * histories replay on it to the snapshots that release stored) and that a database written then upgrades.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { migrationsFolder } from '../../db/client.ts';
import type { HistoryEvent } from '../../machines/snapshot.ts';

type Row = Record<string, unknown>;
type Fixture = { release: string; tables: Record<string, Row[]> };

export const releaseV1: Fixture = JSON.parse(readFileSync(new URL('../fixtures/release-v1-rows.json', import.meta.url), 'utf8'));

/** The last migration that release had: its schema is 0000–0008. */
export const releaseV1LastMigration = 8;

/** Each case of the fixture with its stored row and its history as the machine received it. */
export function releaseV1Cases(): { row: Row; events: HistoryEvent[] }[] {
  const events = releaseV1.tables.case_events ?? [];
  return (releaseV1.tables.cases ?? []).map((row) => ({
    row,
    events: events
      .filter((e) => e.case_id === row.id)
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map(
        (e) =>
          ({
            ...(e.payload as object),
            type: e.type,
            at: new Date(e.at as string).toISOString(),
            actor: { id: e.actor_id, agencyId: e.actor_agency_id, agencyKind: e.actor_agency_kind, role: e.actor_role },
          }) as HistoryEvent,
      ),
  }));
}

/** A migrations folder holding only the release's migrations, to build a database as that release left it. */
export function releaseV1MigrationsFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pathway-release-v1-migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
  journal.entries = journal.entries.filter((e) => e.idx <= releaseV1LastMigration);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

/** Tables whose `id` is a bigserial. */
const serialIds = ['case_events', 'refused_attempts'];

/** Writes the fixture's rows into a database at the release's schema (parents first; triggers project as they did). */
export async function insertReleaseV1Rows(db: Db): Promise<void> {
  for (const table of ['service_users', 'cases', 'case_events', 'case_deadlines', 'state_stays', 'refused_attempts']) {
    const rows = releaseV1.tables[table] ?? [];
    if (rows.length === 0) continue;
    await db.execute(
      sql`insert into ${sql.identifier(table)} select * from jsonb_populate_recordset(null::${sql.identifier(table)}, ${JSON.stringify(rows)}::jsonb)`,
    );
    // Rows keep the ids the release gave them: its sequences carry on after them, as they did there.
    if (serialIds.includes(table)) {
      await db.execute(sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.identifier(table)}))`);
    }
  }
}

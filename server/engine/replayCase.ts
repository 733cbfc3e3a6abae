/** Rebuilds a case's snapshot from its append-only history: the check that the log is the truth. */
import { isDeepStrictEqual } from 'node:util';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { caseEvents, cases } from '../../db/schema/index.ts';
import type { PathwayEvent } from '../../machines/events.ts';
import { type PathwaySnapshot, persist, replay } from '../../machines/snapshot.ts';

/** The event as the machine saw it, from its stored row. */
export const eventFromRow = (row: typeof caseEvents.$inferSelect): PathwayEvent =>
  ({
    ...(row.payload as object),
    type: row.type,
    at: row.at.toISOString(),
    actor: { id: row.actorId, agencyId: row.actorAgencyId, agencyKind: row.actorAgencyKind, role: row.actorRole },
  }) as PathwayEvent;

export async function replayCase(db: Db, caseId: string): Promise<PathwaySnapshot> {
  const rows = await db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
  return replay(rows.map(eventFromRow));
}

/** Whether replaying the history gives exactly the stored snapshot. */
export async function verifyCase(db: Db, caseId: string): Promise<{ ok: boolean; stored: unknown; replayed: unknown }> {
  const [row] = await db.select({ snapshot: cases.snapshot }).from(cases).where(eq(cases.id, caseId));
  const replayed = persist(await replayCase(db, caseId));
  // jsonb orders keys its own way: compare values, not text.
  return { ok: isDeepStrictEqual(replayed, row?.snapshot), stored: row?.snapshot, replayed };
}

/** Rebuilds a case's snapshot from its append-only history: the check that the log is the truth. */
import { isDeepStrictEqual } from 'node:util';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { caseEvents, cases } from '../../db/schema/index.ts';
import { type HistoryEvent, type PathwaySnapshot, persist, replay, startVersionOf } from '../../machines/snapshot.ts';

/** The event as the machine saw it (or a migration), from its stored row. */
export const eventFromRow = (row: typeof caseEvents.$inferSelect): HistoryEvent =>
  ({
    ...(row.payload as object),
    type: row.type,
    at: row.at.toISOString(),
    actor: { id: row.actorId, agencyId: row.actorAgencyId, agencyKind: row.actorAgencyKind, role: row.actorRole },
  }) as HistoryEvent;

/** A case rebuilt from its history, on the version its first event was judged by and through every migration since. */
export async function replayCase(db: Db, caseId: string): Promise<PathwaySnapshot> {
  const [row] = await db.select({ pathwayVersion: cases.pathwayVersion }).from(cases).where(eq(cases.id, caseId));
  if (!row) throw new Error(`No case ${caseId}`);
  const rows = await db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
  const events = rows.map(eventFromRow);
  return replay(events, startVersionOf(events, row.pathwayVersion));
}

/**
 * History lists in one order: jsonb keeps no key order and a restored snapshot rebuilds its parallel regions in
 * the stored key order, so the same remembered states can come back listed in another order.
 */
export const canonicalSnapshot = (snapshot: unknown): unknown => {
  const s = snapshot as { historyValue?: Record<string, { id: string }[]> } | undefined;
  if (!s?.historyValue) return s;
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { ...s, historyValue: Object.fromEntries(Object.entries(s.historyValue).map(([k, nodes]) => [k, [...nodes].sort(byId)])) };
};

/** Whether replaying the history gives exactly the stored snapshot. */
export async function verifyCase(db: Db, caseId: string): Promise<{ ok: boolean; stored: unknown; replayed: unknown }> {
  const [row] = await db.select({ snapshot: cases.snapshot }).from(cases).where(eq(cases.id, caseId));
  const replayed = persist(await replayCase(db, caseId));
  // jsonb orders keys its own way: compare values, not text.
  return { ok: isDeepStrictEqual(canonicalSnapshot(replayed), canonicalSnapshot(row?.snapshot)), stored: row?.snapshot, replayed };
}

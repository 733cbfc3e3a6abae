/** Rebuilds the state stays of cases that have none, from their history (databases that predate the projection). */
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { caseEvents, stateStays } from '../../db/schema/index.ts';
import { startVersionOf } from '../../machines/snapshot.ts';
import { eventFromRow } from '../engine/replayCase.ts';
import { replayStays, type StayRow } from './projections.ts';
import { rows } from './sql.ts';

/** Replays each such case through `step()` and writes the stays the engine would have written; returns how many cases. */
export async function rebuildStays(db: Db): Promise<number> {
  const missing = await rows<{ id: string }>(
    db,
    sql`select c.id::text as id from cases c where not exists (select 1 from state_stays s where s.case_id = c.id)`,
  );
  for (const { id } of missing) {
    const events = (await db.select().from(caseEvents).where(eq(caseEvents.caseId, id)).orderBy(asc(caseEvents.seq))).map(eventFromRow);
    // Such databases predate pathway versions: their cases began on version 1.
    let stays: StayRow[];
    try {
      ({ stays } = replayStays(id, events, startVersionOf(events, 1)));
    } catch (error) {
      throw new Error(`rebuild of case ${id}: ${(error as Error).message}`);
    }
    if (stays.length) await db.insert(stateStays).values(stays);
  }
  return missing.length;
}

/** Each agency's part in a case (machines/access.ts): filled in for cases written before the engine kept it. */
import { and, asc, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { caseEvents, cases } from '../../db/schema/index.ts';
import { tiedAgencies } from '../../machines/access.ts';
import { startVersionOf } from '../../machines/snapshot.ts';
import { replayStays } from '../audits/projections.ts';
import { eventFromRow } from './replayCase.ts';

/**
 * Replays, a batch at a time, the history of every case without ties and stores the ties it gives (every case has
 * at least the service its referral went to, so an empty set means "not yet filled in"). Returns how many cases.
 */
export async function backfillTies(db: Db, batchSize = 500): Promise<number> {
  let done = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await db
      .select({ id: cases.id, pathwayVersion: cases.pathwayVersion })
      .from(cases)
      .where(and(sql`${cases.ties} = '{}'::jsonb`, gt(cases.id, after)))
      .orderBy(asc(cases.id))
      .limit(batchSize);
    if (batch.length === 0) return done;
    const rows = await db
      .select()
      .from(caseEvents)
      .where(
        inArray(
          caseEvents.caseId,
          batch.map((b) => b.id),
        ),
      )
      .orderBy(asc(caseEvents.caseId), asc(caseEvents.seq));
    const byCase = new Map<string, (typeof rows)[number][]>();
    for (const r of rows) byCase.set(r.caseId, [...(byCase.get(r.caseId) ?? []), r]);
    const filled = batch.map((c) => {
      const history = (byCase.get(c.id) ?? []).map(eventFromRow);
      const { ties } = replayStays(c.id, history, startVersionOf(history, c.pathwayVersion));
      return { id: c.id, ties, agencies: tiedAgencies(ties) };
    });
    // One statement per batch, not one per case.
    await db.execute(sql`
      update cases c set ties = x.ties, agencies = x.agencies
        from jsonb_to_recordset(${JSON.stringify(filled)}::jsonb) as x(id uuid, ties jsonb, agencies text[])
       where c.id = x.id`);
    done += batch.length;
    after = batch[batch.length - 1]?.id ?? after;
  }
}

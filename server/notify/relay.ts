/**
 * Live inspection across server instances (PostgreSQL): every transition's statement notifies `pathway_transition` at
 * commit, in commit order, with the case and its sequence number; each instance listens, reads the event and the case
 * from the database (the tables are the truth; the notification only wakes it) and reports them to its own inspection
 * hub. So every instance, on any host, sees every transition once — its own included, by the same road.
 */
import { and, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import postgres from 'postgres';
import type { Db } from '../../db/client.ts';
import { caseEvents, cases } from '../../db/schema/index.ts';
import type { Ties } from '../../machines/access.ts';
import type { PathwayEvent } from '../../machines/events.ts';
import { eventFromRow } from '../engine/replayCase.ts';
import { TRANSITION_CHANNEL } from '../engine/transitionWrite.ts';
import type { InspectionHub } from '../inspection.ts';

type Snapshot = { status: 'active' | 'done'; value: unknown; context: unknown };

/** Reads a notified transition and reports it; null when the notification names nothing (never expected). */
async function reportOne(db: Db, hub: InspectionHub, payload: string): Promise<void> {
  const [caseId, seqText] = payload.split(':');
  const seq = Number(seqText);
  if (!caseId || !Number.isInteger(seq)) return;
  const [[event], [kase]] = await Promise.all([
    db
      .select()
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.seq, seq))),
    db.select({ snapshot: cases.snapshot, ties: cases.ties }).from(cases).where(eq(cases.id, caseId)),
  ]);
  if (!event || !kase) return;
  // The case as it is now: when it has moved on since, its later transitions are on their way too.
  const { status, value, context } = kase.snapshot as Snapshot;
  hub.report({
    caseId,
    event: eventFromRow(event) as PathwayEvent,
    ties: kase.ties as Ties,
    snapshot: { status, value, context } as never,
  });
}

/** Listens for transitions committed by any instance; returns a function that stops listening. */
export async function relayTransitions(url: string, db: Db, hub: InspectionHub, log: Logger): Promise<() => Promise<void>> {
  // A connection of its own: LISTEN holds it. postgres.js listens again after a reconnect.
  const listener = postgres(url, { max: 1, onnotice: () => {} });
  // One at a time, in the order PostgreSQL delivered them (commit order).
  let chain = Promise.resolve();
  await listener.listen(TRANSITION_CHANNEL, (payload) => {
    chain = chain.then(() =>
      reportOne(db, hub, payload).catch((error) =>
        log.error({ err: error }, 'could not read a notified transition for the live inspection'),
      ),
    );
  });
  return async () => {
    await chain;
    await listener.end({ timeout: 5 });
  };
}

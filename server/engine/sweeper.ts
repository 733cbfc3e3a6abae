/** Fires due deadlines exactly once, whichever server instance gets there first (FOR UPDATE SKIP LOCKED). */
import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { caseDeadlines } from '../../db/schema/index.ts';
import type { Principal } from '../auth.ts';
import { ProblemError } from '../problem.ts';
import { type Applied, applyInTx } from './applyEvent.ts';

/** The engine itself, as the actor of the events it fires. */
export const systemPrincipal: Principal = {
  id: 'pathway-engine',
  name: 'Pathway engine',
  agencyId: 'pathway-engine',
  agencyKind: 'OUT_OF_AREA',
  role: 'system',
};

export type SweepResult = { fired: number; skipped: number };

/**
 * Claims up to `batch` due deadlines and, in the same transaction, applies `deadline.reached` to each
 * case and marks the deadline fired. A crash before commit leaves both undone; after, both done.
 */
export async function sweepDeadlines(
  db: Db,
  { now = new Date(), batch = 50, onApplied }: { now?: Date; batch?: number; onApplied?: (a: Applied) => void } = {},
): Promise<SweepResult> {
  const applied: Applied[] = [];
  const result = await db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(caseDeadlines)
      .where(and(isNull(caseDeadlines.firedAt), lte(caseDeadlines.dueAt, now)))
      .orderBy(asc(caseDeadlines.dueAt))
      .limit(batch)
      .for('update', { skipLocked: true });
    let fired = 0;
    let skipped = 0;
    for (const d of due) {
      try {
        const body = { type: 'deadline.reached' as const, deadline: d.name, ...(d.ref ? { ref: d.ref } : {}) };
        const r = await applyInTx(tx, d.caseId, body, systemPrincipal, { now: () => now });
        if (r.applied) applied.push(r.applied);
        fired++;
      } catch (error) {
        // Refused (the deadline no longer applies): mark it so it is not claimed again; anything else aborts the batch.
        if (!(error instanceof ProblemError)) throw error;
        skipped++;
      }
      await tx
        .update(caseDeadlines)
        .set({ firedAt: now })
        .where(and(eq(caseDeadlines.caseId, d.caseId), eq(caseDeadlines.name, d.name), eq(caseDeadlines.ref, d.ref)));
    }
    return { fired, skipped };
  });
  for (const a of applied) onApplied?.(a);
  return result;
}

/** Runs the sweeper every `intervalMs` until stopped; errors are logged and the next tick tries again. */
export function startSweeper(
  db: Db,
  {
    intervalMs = 60_000,
    onError = (_e: unknown) => {},
    onApplied,
  }: { intervalMs?: number; onError?: (e: unknown) => void; onApplied?: (a: Applied) => void } = {},
) {
  let current: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (current || stopped) return current;
    current = (async () => {
      try {
        for (
          let r = await sweepDeadlines(db, { onApplied });
          r.fired + r.skipped === 50 && !stopped;
          r = await sweepDeadlines(db, { onApplied })
        );
      } catch (error) {
        onError(error);
      } finally {
        current = undefined;
      }
    })();
    return current;
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  void tick();
  /** Stops the sweeps; resolves once a sweep under way has finished. */
  return async () => {
    stopped = true;
    clearInterval(timer);
    await current;
  };
}

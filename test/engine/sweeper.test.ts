import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { caseDeadlines, caseEvents } from '../../db/schema/index.ts';
import type { Principal } from '../../server/auth.ts';
import { openCase } from '../../server/engine/openCase.ts';
import { verifyCase } from '../../server/engine/replayCase.ts';
import { sweepDeadlines } from '../../server/engine/sweeper.ts';
import { openCaseBody, services } from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { useDatabase } from '../support/suite.ts';

const gp: Principal = { id: 'dr-patel', name: 'Dr Patel', agencyId: 'kmpt-pcmhs-maidstone', agencyKind: 'PRIMARY', role: 'practitioner' };
const day = 86_400_000;

async function referralToSms(database: TestDatabase, at: Date): Promise<string> {
  const r = await openCase(database.db, openCaseBody({ to: services.sms, on: at }), gp, { now: () => at });
  return (r.body as { id: string }).id;
}

describe.each(backends)('deadline sweeper on $name', (backend) => {
  const suite = useDatabase(backend);

  it('should fire an unanswered referral follow-up once, as a system event in the history (R-REF-FOLLOWUP)', async () => {
    const opened = new Date('2026-02-02T10:00:00Z');
    const caseId = await referralToSms(suite.database, opened);
    const [deadline] = await suite.database.db.select().from(caseDeadlines).where(eq(caseDeadlines.caseId, caseId));
    expect(deadline?.name).toBe('referralFollowUp');
    expect(deadline?.dueAt.toISOString()).toBe(new Date(opened.getTime() + 14 * day).toISOString());

    expect((await sweepDeadlines(suite.database.db, { now: new Date(opened.getTime() + 13 * day) })).fired).toBe(0);
    const due = new Date(opened.getTime() + 15 * day);
    const first = await sweepDeadlines(suite.database.db, { now: due });
    const again = await sweepDeadlines(suite.database.db, { now: new Date(due.getTime() + day) });

    expect(first.fired).toBeGreaterThanOrEqual(1);
    expect(again.fired).toBe(0);
    const events = await suite.database.db
      .select()
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.type, 'deadline.reached')));
    expect(events).toHaveLength(1);
    expect(events[0]?.actorRole).toBe('system');
    expect(events[0]?.payload).toEqual({ deadline: 'referralFollowUp' });
    expect((await verifyCase(suite.database.db, caseId)).ok).toBe(true);
  });

  // Concurrency needs a server with several connections: Postgres only (registered, not skipped, elsewhere).
  if (backend.name !== 'postgres') return;
  it('should fire each due deadline once when several sweepers run at the same time', async () => {
    const opened = new Date('2026-05-04T10:00:00Z');
    const ids = await Promise.all(Array.from({ length: 12 }, () => referralToSms(suite.database, opened)));
    const now = new Date(opened.getTime() + 20 * day);
    const results = await Promise.all(Array.from({ length: 4 }, () => sweepDeadlines(suite.database.db, { now, batch: 5 })));
    const more = await sweepDeadlines(suite.database.db, { now, batch: 50 });
    const total = results.reduce((n, r) => n + r.fired, 0) + more.fired;

    const fired = await suite.database.db.select().from(caseEvents).where(eq(caseEvents.type, 'deadline.reached'));
    const forThese = fired.filter((e) => ids.includes(e.caseId));
    expect(forThese).toHaveLength(12);
    expect(new Set(forThese.map((e) => e.caseId)).size).toBe(12);
    expect(total).toBeGreaterThanOrEqual(12);
  });
});

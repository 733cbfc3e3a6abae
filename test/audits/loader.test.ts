/**
 * The batch loader writes what the engine writes: a synthetic cohort loaded in batches (COPY on Postgres, multi-row
 * inserts on PGlite) equals the same journeys applied event by event through openCase, applyEvent and the sweeper.
 */
import { asc, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { auditEvents, caseDeadlines, caseEvents, cases, refusedAttempts, serviceUsers, stateStays } from '../../db/schema/index.ts';
import type { PathwayEvent } from '../../machines/events.ts';
import { generateCase } from '../../server/audits/cohort/journey.ts';
import { loadCohort } from '../../server/audits/cohort/load.ts';
import type { Principal } from '../../server/auth.ts';
import { applyEvent } from '../../server/engine/applyEvent.ts';
import { openCase } from '../../server/engine/openCase.ts';
import { sweepDeadlines } from '../../server/engine/sweeper.ts';
import { backends, type TestDatabase } from '../support/database.ts';

const seed = 3;
const count = 80;
const end = Date.parse('2026-11-23T00:00:00.000Z');
const window = { start: end - 2 * 365 * 86_400_000, end };

const principalOf = (e: PathwayEvent): Principal => ({
  id: e.actor.id,
  name: e.actor.id,
  agencyId: e.actor.agencyId,
  agencyKind: e.actor.agencyKind,
  role: e.actor.role,
});
const bodyOf = (e: PathwayEvent) => {
  const { at: _at, actor: _actor, ...body } = e;
  return body;
};

/** Applies one generated journey through the engine, as a client and the sweeper would have sent it. */
async function applyThroughEngine(db: Db, slot: number, people: Map<string, string>): Promise<string> {
  const g = generateCase(seed, slot, window);
  const [first, ...rest] = g.events as [PathwayEvent, ...PathwayEvent[]];
  const { type: _t, person: p, ...referral } = bodyOf(first) as Record<string, unknown> & { person: { residency: string } };
  const known = people.get(g.person.id);
  const person = known
    ? { id: known }
    : { dateOfBirth: g.person.dateOfBirth, area: g.person.area, givenName: g.person.givenName, familyName: g.person.familyName };
  const opened = await openCase(db, { person, residency: p.residency, referral }, principalOf(first), {
    now: () => new Date(first.at),
    synthetic: true,
  });
  const id = (opened.body as { id: string; person: { id: string } }).id;
  const [row] = await db.select({ personId: cases.personId }).from(cases).where(eq(cases.id, id));
  people.set(g.person.id, row?.personId as string);
  const refusedBefore = new Map(g.refused.map((r) => [r.before, r.event]));
  for (const [i, e] of rest.entries()) {
    const attempt = refusedBefore.get(i + 1);
    if (attempt) {
      await expect(applyEvent(db, id, bodyOf(attempt), principalOf(attempt), { now: () => new Date(attempt.at) })).rejects.toMatchObject({
        problem: { status: 422, rule: 'R-REF-NOINTOX' },
      });
    }
    if (e.actor.role === 'system') {
      expect((await sweepDeadlines(db, { now: new Date(e.at) })).fired).toBe(1);
    } else {
      await applyEvent(db, id, bodyOf(e), principalOf(e), { now: () => new Date(e.at) });
    }
  }
  return id;
}

/** Everything the database holds about a case, without the ids each path makes up. */
async function rowsOf(db: Db, id: string) {
  const [kase] = await db.select().from(cases).where(eq(cases.id, id));
  const { id: _i, reference: _r, personId, ...rest } = kase as typeof cases.$inferSelect;
  const [person] = await db.select().from(serviceUsers).where(eq(serviceUsers.id, personId));
  const { id: _p, createdAt: _c, ...who } = person as typeof serviceUsers.$inferSelect;
  const events = (await db.select().from(caseEvents).where(eq(caseEvents.caseId, id)).orderBy(asc(caseEvents.seq))).map(
    // The hash covers the case id, which differs between the two databases: each chain is verified on its own.
    ({ id: _e, caseId: _c2, hash: _h, ...e }) => e,
  );
  const deadlines = (
    await db.select().from(caseDeadlines).where(eq(caseDeadlines.caseId, id)).orderBy(asc(caseDeadlines.name), asc(caseDeadlines.ref))
  ).map(({ caseId: _c3, ...d }) => d);
  const stays = (
    await db.select().from(stateStays).where(eq(stateStays.caseId, id)).orderBy(asc(stateStays.enteredSeq), asc(stateStays.state))
  ).map(({ caseId: _c4, ...s }) => s);
  const refused = (await db.select().from(refusedAttempts).where(eq(refusedAttempts.caseId, id)).orderBy(asc(refusedAttempts.at))).map(
    ({ id: _x, caseId: _c5, ...r }) => r,
  );
  // The audit events projected by the trigger (engine) and set-wise (COPY) must be the same rows.
  const audited = (await db.select().from(auditEvents).where(eq(auditEvents.caseId, id)).orderBy(asc(auditEvents.seq))).map(
    ({ caseId: _c6, ...a }) => a,
  );
  return { kase: rest, who, events, deadlines, stays, refused, audited };
}

describe.each(backends)('batch loader on $name', (backend) => {
  let loaded: TestDatabase;
  let engine: TestDatabase;
  beforeAll(async () => {
    [loaded, engine] = await Promise.all([backend.open(), backend.open()]);
  });
  afterAll(async () => Promise.all([loaded.drop(), engine.drop()]));

  it('should write each case exactly as the engine writes it event by event', async () => {
    const copy = loaded.url ? postgres(loaded.url, { max: 1, onnotice: () => {} }) : undefined;
    try {
      const totals = await loadCohort({ db: loaded.db, copy, seed, cases: count, window, batchSize: 25, workers: 0 });
      expect(totals.cases).toBe(count);
    } finally {
      await copy?.end();
    }
    const people = new Map<string, string>();
    const seen = new Set<string>();
    for (let slot = 0; slot < count; slot++) {
      const id = await applyThroughEngine(engine.db, slot, people);
      const g = generateCase(seed, slot, window);
      const [batch] = await loaded.db.select({ id: cases.id }).from(cases).where(eq(cases.reference, g.reference));
      const expected = await rowsOf(engine.db, id);
      expect(await rowsOf(loaded.db, batch?.id as string), `slot ${slot}`).toEqual(expected);
      // The overdue audit relies on it: a closed case has no pending deadline left.
      if (expected.kase.status !== 'open') expect(expected.deadlines, `slot ${slot}`).toEqual([]);
      for (const e of g.events) seen.add(e.type);
      if (g.refused.length) seen.add('refused');
      if (g.episode === 2) seen.add('re-referral');
      if (g.snapshot.status === 'active') seen.add('open');
    }
    // The sample covers the shapes the audits care about.
    expect([...seen]).toEqual(
      expect.arrayContaining([
        're-referral',
        'open',
        'refused',
        'deadline.reached',
        'handover.accept',
        'dispute.confirm',
        'appointment.followUp',
        'case.close',
      ]),
    );
    // 80 journeys applied event by event and compared row by row: far longer than a unit test on a busy machine.
  }, 120_000);
});

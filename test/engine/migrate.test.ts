/**
 * Migrating open cases to a later pathway version (docs/decisions/0010-pathway-versions.md): the dry run reports every
 * open case and changes nothing; the run moves each case in its own transaction, leaves the history gapless with one
 * `pathway.migrated` entry per step, is idempotent, and never loses, duplicates or overwrites an event applied while
 * it runs. On PGlite always, and on PostgreSQL when DATABASE_URL is set.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { caseEvents, cases } from '../../db/schema/index.ts';
import { currentVersion } from '../../machines/versions.ts';
import { loadCohort } from '../../server/audits/cohort/load.ts';
import { sectionText } from '../../server/audits/format.ts';
import type { Principal } from '../../server/auth.ts';
import { applyEvent } from '../../server/engine/applyEvent.ts';
import { planMigration, planSections, runMigration } from '../../server/engine/migrate.ts';
import { verifyCase } from '../../server/engine/replayCase.ts';
import { backends } from '../support/database.ts';
import { useDatabase } from '../support/suite.ts';

const end = Date.parse('2026-11-23T00:00:00.000Z');
const window = { start: end - 365 * 86_400_000, end, pathwayVersion: 1 };
const actor = { id: 'pathway-migration', agencyId: 'pathway-engine', agencyKind: 'OUT_OF_AREA', role: 'system' } as const;
const request = { to: currentVersion, actor, by: 'Dr Test, clinical director', reason: 'The second reading of the protocol' };

const openOnVersion = async (db: Db, version: number) =>
  db
    .select({ id: cases.id })
    .from(cases)
    .where(and(eq(cases.status, 'open'), eq(cases.pathwayVersion, version)));

/** Every case's history runs 1..version without a gap and replays to its stored snapshot. */
async function checkHistories(db: Db): Promise<void> {
  const rows = await db.select({ id: cases.id, version: cases.version }).from(cases);
  const seqs = await db.select({ caseId: caseEvents.caseId, seq: caseEvents.seq }).from(caseEvents).orderBy(asc(caseEvents.seq));
  const byCase = new Map<string, number[]>();
  for (const s of seqs) byCase.set(s.caseId, [...(byCase.get(s.caseId) ?? []), s.seq]);
  for (const r of rows) {
    expect(byCase.get(r.id), `history of ${r.id}`).toEqual(Array.from({ length: r.version }, (_, i) => i + 1));
    const verified = await verifyCase(db, r.id);
    expect(verified.ok, `replay of ${r.id}`).toBe(true);
  }
}

describe.each(backends)('pathway migration on $name', (backend) => {
  describe('dry run, then the run', () => {
    const ctx = useDatabase(backend);
    let openBefore: number;

    it('loads a cohort lived under version 1', async () => {
      const totals = await loadCohort({ db: ctx.database.db, seed: 5, cases: 120, window, batchSize: 40, workers: 0 });
      expect(totals.cases).toBe(120);
      openBefore = (await openOnVersion(ctx.database.db, 1)).length;
      expect(openBefore).toBeGreaterThan(30);
    });

    it('reports every open case on an earlier version, with totals that add up, and changes nothing', async () => {
      const { db } = ctx.database;
      const [{ events: eventsBefore } = { events: 0 }] = await db.select({ events: sql<number>`count(*)::int` }).from(caseEvents);
      const plan = await planMigration(db, currentVersion, { batchSize: 17 });
      expect(plan.cases).toHaveLength(openBefore);
      expect(plan.totals.total).toBe(openBefore);
      expect(plan.totals.migrates + plan.totals.migratesDiverging + plan.totals.cannotMigrate).toBe(openBefore);
      const sum = (by: Record<string, { total: number }>) => Object.values(by).reduce((n, t) => n + t.total, 0);
      expect(sum(plan.byArea)).toBe(openBefore);
      expect(sum(plan.byLeadAgency)).toBe(openBefore);
      for (const c of plan.cases) {
        expect(c.fromVersion).toBe(1);
        if (c.outcome === 'cannotMigrate') {
          expect(c.mapped).toBeNull();
          expect(c.reason).toBeTruthy();
        } else {
          expect(c.mapped?.length).toBeGreaterThan(0);
          expect(c.outcome === 'migrates').toBe(c.replay.agrees);
        }
        if (c.replay.refused) {
          expect(c.replay.refused.blockedBy.length).toBeGreaterThan(0);
          for (const b of c.replay.refused.blockedBy) expect(b.rule).toMatch(/^R-/);
        }
      }
      const text = planSections(plan).map(sectionText).join('\n\n');
      expect(text).toContain(`Open cases to pathway version ${currentVersion}`);
      expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
      // Nothing changed.
      const [{ events: eventsAfter } = { events: 0 }] = await db.select({ events: sql<number>`count(*)::int` }).from(caseEvents);
      expect(eventsAfter).toBe(eventsBefore);
      expect(await openOnVersion(db, 1)).toHaveLength(openBefore);
    });

    it('moves every case the plan said could move, lists the rest, and leaves every history gapless and replayable', async () => {
      const { db } = ctx.database;
      const plan = await planMigration(db, currentVersion);
      const run = await runMigration(db, request, { batchSize: 13 });
      expect(run.migrated).toBe(plan.totals.migrates + plan.totals.migratesDiverging);
      expect(run.stayed.map((s) => s.reference).sort()).toEqual(
        plan.cases
          .filter((c) => c.outcome === 'cannotMigrate')
          .map((c) => c.reference)
          .sort(),
      );
      expect(await openOnVersion(db, currentVersion)).toHaveLength(run.migrated);
      expect(await openOnVersion(db, 1)).toHaveLength(run.stayed.length);
      const migratedEvents = await db.select().from(caseEvents).where(eq(caseEvents.type, 'pathway.migrated'));
      expect(migratedEvents).toHaveLength(run.migrated);
      for (const e of migratedEvents) {
        expect(e.payload).toEqual({ from: 1, to: currentVersion, by: request.by, reason: request.reason });
        expect(e.actorRole).toBe('system');
      }
      await checkHistories(db);
    });

    it('is idempotent: a second run moves nothing and writes nothing', async () => {
      const { db } = ctx.database;
      const again = await runMigration(db, request);
      expect(again.migrated).toBe(0);
      const migratedEvents = await db.select({ id: caseEvents.id }).from(caseEvents).where(eq(caseEvents.type, 'pathway.migrated'));
      expect(migratedEvents.length).toBe((await openOnVersion(db, currentVersion)).length);
    });
  });

  describe('while events are being applied to the same cases', () => {
    const ctx = useDatabase(backend);

    it('loses, duplicates and overwrites nothing', async () => {
      const { db } = ctx.database;
      await loadCohort({ db, seed: 9, cases: 150, window, batchSize: 50, workers: 0 });
      // Cases in joint care take an MDT consultation from their lead under both versions.
      const targets = await db
        .select({ id: cases.id, lead: cases.leadAgencyId, kind: cases.leadAgencyKind })
        .from(cases)
        .where(and(eq(cases.status, 'open'), eq(cases.phase, 'jointCare')));
      expect(targets.length).toBeGreaterThan(10);
      const acknowledged: { caseId: string; key: string }[] = [];
      let stop = false;
      const writer = async (worker: number) => {
        for (let round = 0; !stop && round < 40; round++) {
          const t = targets[(round * 7 + worker * 3) % targets.length];
          if (!t?.lead || !t.kind) continue;
          const principal: Principal = {
            id: `${t.lead}-w${worker}`,
            name: 'Writer',
            agencyId: t.lead,
            agencyKind: t.kind,
            role: 'practitioner',
          };
          const key = `w${worker}-${round}`;
          const res = await applyEvent(db, t.id, { type: 'mdt.consult', agencies: [t.lead], outcome: `round ${round}` }, principal, {
            idempotencyKey: key,
          }).catch((e: { problem?: { status: number } }) => ({ status: e.problem?.status ?? 500 }));
          if (res.status === 200) acknowledged.push({ caseId: t.id, key });
          else expect(res.status, 'only protocol refusals are acceptable').toBe(422);
        }
      };
      const writers = [0, 1, 2, 3].map(writer);
      const run = await runMigration(db, request, { batchSize: 5 });
      stop = true;
      await Promise.all(writers);
      expect(run.migrated).toBeGreaterThan(0);
      expect(acknowledged.length).toBeGreaterThan(0);
      // Every acknowledged event is in its case's history exactly once.
      const keyed = await db.select({ caseId: caseEvents.caseId, key: caseEvents.idempotencyKey }).from(caseEvents);
      for (const a of acknowledged) {
        expect(
          keyed.filter((k) => k.caseId === a.caseId && k.key === a.key),
          `event ${a.key} of ${a.caseId}`,
        ).toHaveLength(1);
      }
      // Every case that could move did, with exactly one migration entry, and every history is gapless and replays.
      const remaining = await planMigration(db, currentVersion);
      expect(remaining.totals.total).toBe(run.stayed.length);
      const perCase = await db
        .select({ caseId: caseEvents.caseId, n: sql<number>`count(*)::int` })
        .from(caseEvents)
        .where(eq(caseEvents.type, 'pathway.migrated'))
        .groupBy(caseEvents.caseId);
      for (const p of perCase) expect(p.n).toBe(1);
      await checkHistories(db);
    });
  });
});

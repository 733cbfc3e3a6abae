/**
 * Tamper evidence: every event row carries a hash chained to the previous event of its case, set by the database on
 * insert; `verifyHistory` (npm run verify, GET /api/integrity) finds a changed event, a changed projection, deadline or
 * stay, and leaves an untouched history intact. On PGlite and PostgreSQL.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { caseEvents, cases } from '../../db/schema/index.ts';
import { loadCohort } from '../../server/audits/cohort/load.ts';
import { verifyHistory } from '../../server/engine/verify.ts';
import { testApi } from '../support/api.ts';
import { backends } from '../support/database.ts';
import { useDatabase } from '../support/suite.ts';

const end = Date.parse('2026-11-23T00:00:00.000Z');
const window = { start: end - 365 * 86_400_000, end };

describe.each(backends)('history integrity on $name', (backend) => {
  const ctx = useDatabase(backend);

  it('chains every event to the one before, by the database, whoever writes', async () => {
    const { db } = ctx.database;
    await loadCohort({ db, seed: 21, cases: 40, window, batchSize: 15, workers: 0 });
    const events = await db.select().from(caseEvents).orderBy(asc(caseEvents.caseId), asc(caseEvents.seq));
    expect(events.length).toBeGreaterThan(100);
    expect(new Set(events.map((e) => e.hash)).size).toBe(events.length);
    for (const e of events) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    const report = await verifyHistory(db, { batchSize: 7 });
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ ok: true, cases: 40, events: events.length });
    expect(report.seal).toMatch(/^[0-9a-f]{64}$/);
    // The same history gives the same seal.
    expect((await verifyHistory(db)).seal).toBe(report.seal);
  });

  it('refuses an event that follows no recorded event', async () => {
    const { db } = ctx.database;
    const [first] = await db.select().from(caseEvents).where(eq(caseEvents.seq, 1)).limit(1);
    if (!first) throw new Error('no event');
    const { id: _id, hash: _h, ...row } = first;
    await expect(db.insert(caseEvents).values({ ...row, seq: 99 })).rejects.toThrow();
  });

  it('finds an event changed behind the engine’s back, and the case it belongs to', async () => {
    const { db } = ctx.database;
    const [victim] = await db.select().from(caseEvents).where(eq(caseEvents.seq, 2)).limit(1);
    if (!victim) throw new Error('no second event');
    // Only the tables' owner can lift the append-only guard; it is what tamper evidence is for.
    await db.execute(sql`alter table case_events disable trigger case_events_no_update_delete`);
    await db.execute(sql`update case_events set payload = payload || '{"note":"rewritten"}'::jsonb where id = ${victim.id}`);
    await db.execute(sql`alter table case_events enable trigger case_events_no_update_delete`);
    const report = await verifyHistory(db);
    expect(report.ok).toBe(false);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ caseId: victim.caseId, check: 'chain', detail: expect.stringMatching(/^event 2:/) }),
    );
  });

  it('finds a projection and a deadline that do not follow from the history', async () => {
    const { db } = ctx.database;
    const [open] = await db.select().from(cases).where(eq(cases.status, 'open')).limit(1);
    if (!open) throw new Error('no open case');
    await db
      .update(cases)
      .set({ quadrant: open.quadrant === 'Q1' ? 'Q4' : 'Q1' })
      .where(eq(cases.id, open.id));
    await db.execute(sql`insert into case_deadlines (case_id, name, ref, due_at) values (${open.id}, 'leadFollowUp', 'forged', now())`);
    const findings = (await verifyHistory(db)).findings.filter((f) => f.caseId === open.id);
    expect(findings.map((f) => f.check)).toEqual(expect.arrayContaining(['projection', 'deadlines']));
    expect(findings.find((f) => f.check === 'projection')?.detail).toMatch(/^quadrant:/);
  });

  it('is offered to auditors only, through the API', async () => {
    const api = testApi(ctx.database);
    const auditor = await api.request('GET', '/api/integrity', { as: 'kent-medway-icb', role: 'auditor' });
    expect(auditor.status).toBe(200);
    expect(auditor.json.ok).toBe(false);
    for (const role of ['practitioner', 'serviceManager', 'commissioner'] as const) {
      expect((await api.request('GET', '/api/integrity', { as: 'kent-medway-icb', role })).status, role).toBe(403);
    }
  });
});

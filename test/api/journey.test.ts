/** A whole journey through HTTP, the append-only history, and replay after a long random run — on every backend. */
import { asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { caseEvents, cases } from '../../db/schema/index.ts';
import type { AgencyRef, EventBody, PathwayContext, Role } from '../../machines/index.ts';
import { rules } from '../../machines/index.ts';
import { random as prng } from '../../server/audits/cohort/sim.ts';
import { verifyCase } from '../../server/engine/replayCase.ts';
import type { TestApi } from '../support/api.ts';
import { type CaseEventRow, caseOf, databaseState, expectProblem, storedCase } from '../support/apiChecks.ts';
import { caseAt, httpJourneys, type ReferralOptions, referCase, sendEvent, services } from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { bodies, body } from '../support/pathwayFactory.ts';
import { useApi } from '../support/suite.ts';

/** The message of an error and of every error it wraps (drivers and Drizzle wrap database errors). */
const messages = (error: unknown): string => {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) parts.push(String(e.message));
  return parts.join(' / ');
};
const failure = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    return messages(error);
  }
  throw new Error('the statement was not refused');
};

describe.each(backends)('journeys on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ database, api } = opened);
  });

  describe('A full journey through HTTP', () => {
    it('should take a person from referral to closure, refusing what the protocol forbids, and replay to the stored snapshot', async () => {
      const times: string[] = [];
      const opened = await referCase(api);
      times.push(api.now().toISOString());
      const id = opened.id;
      expect(opened.res.status).toBe(201);
      expect(caseOf(opened.res)).toMatchObject({
        state: ['active.referral.awaitingAcceptance'],
        // R-CLARITY (pathway version 2): the referring GP practice stays responsible until CGL accepts.
        responsibility: { responsible: { id: services.primary.id } },
      });

      const step = async (event: EventBody, as: AgencyRef, days = 2) => {
        api.advanceDays(days);
        const res = await sendEvent(api, id, [event, as]);
        expect(res.status, res.text).toBe(200);
        times.push(api.now().toISOString());
        expect(res.headers.get('ETag')).toBe(`"${times.length}"`);
        expect(caseOf(res).version).toBe(times.length);
        return caseOf(res);
      };

      expect((await step(bodies.acceptReferral(), services.sms)).state).toEqual(['active.assessment']);

      const assessed = await step(body.assessment('moderate', true), services.sms, 10);
      expect(assessed).toMatchObject({ state: ['active.leadAssignment.deciding'], quadrant: 'Q3', phase: 'leadAssignment' });

      const led = await step(bodies.assignLead(), services.sms);
      expect(led.state).toEqual(['active.jointCare.carePlan.unplanned', 'active.jointCare.detox.none']);
      expect(led.responsibility.lead).toMatchObject({ agency: { id: services.sms.id, kind: 'SMS' }, coordinator: { name: 'Sam Okafor' } });

      const planned = await step(body.carePlan(), services.sms, 7);
      expect(planned.state).toContain('active.jointCare.carePlan.agreed');

      const steppedUp = await step(body.reassessment('severe', true), services.sms, 40);
      expect(steppedUp).toMatchObject({ state: ['active.handover.required'], quadrant: 'Q1', phase: 'handover' });
      expect(steppedUp.facts?.stepChange).toMatchObject({ from: 'Q3', to: 'Q1' });

      const requested = await step(body.handover(services.cmht), services.sms, 1);
      expect(requested.state).toEqual(['active.handover.awaitingAcceptance']);
      // R-HANDOVER-ACCEPT: the sender leads until the receiver accepts.
      expect(requested.responsibility.lead?.agency.id).toBe(services.sms.id);

      api.advanceDays(1);
      const before = await databaseState(database.db, id);
      const refused = expectProblem(await sendEvent(api, id, [body.close(), services.sms]), 422);
      expect(refused).toMatchObject({ rule: 'R-CLOSE-ACCEPTED', clause: rules['R-CLOSE-ACCEPTED'].clause });
      expect(await databaseState(database.db, id)).toEqual(before);

      const accepted = await step(bodies.acceptHandover('Alex Green'), services.cmht, 11);
      expect(accepted.state).toEqual(['active.jointCare.carePlan.agreed', 'active.jointCare.detox.none']);
      expect(accepted.responsibility.lead).toMatchObject({
        agency: { id: services.cmht.id, kind: 'MHS' },
        coordinator: { name: 'Alex Green' },
      });
      expect(accepted.responsibility.supporting).toEqual([{ agency: expect.objectContaining({ id: services.sms.id }), status: 'active' }]);
      expect(accepted.responsibility.pendingHandover).toBeNull();
      const listed = await api.request('GET', `/api/cases?lead=${services.cmht.id}&limit=200`, { as: services.cmht.id });
      expect((listed.json.items as { id: string }[]).map((i) => i.id)).toContain(id);

      // R-CLOSE-GAPLESS (d), pathway version 2: CGL's support ends before the discharge to the GP.
      await step(bodies.endInvolvement('inv-1'), services.cmht, 89);
      const closed = await step(body.close(), services.cmht, 1);
      expect(closed).toMatchObject({ status: 'closed', state: ['closed'], phase: 'closed', closedAt: api.now().toISOString() });
      expect(closed.facts?.closure).toMatchObject({ reason: 'dischargedToGp' });
      expect(closed.responsibility.open).toBe(false);

      const afterClosure = await databaseState(database.db, id);
      for (const [event, as] of [
        [bodies.safeguarding(), services.cmht],
        [bodies.acceptReferral(), services.sms],
        [body.close(), services.cmht],
        [bodies.consent('refused'), services.sms],
      ] as const) {
        const problem = expectProblem(await sendEvent(api, id, [event, as]), 422);
        expect(problem).toMatchObject({ rule: 'R-CLOSE-FINAL', clause: rules['R-CLOSE-FINAL'].clause });
      }
      expect(await databaseState(database.db, id)).toEqual(afterClosure);

      const history = await api.request('GET', `/api/cases/${id}/events`, { as: services.cmht.id });
      expect(history.status).toBe(200);
      const items = history.json.items as CaseEventRow[];
      const sender = { agencyId: services.sms.id, agencyKind: 'SMS', role: 'practitioner', id: `${services.sms.id}-practitioner` };
      const receiver = { agencyId: services.cmht.id, agencyKind: 'MHS', role: 'practitioner', id: `${services.cmht.id}-practitioner` };
      expect(items.map((e) => [e.seq, e.type, e.actor])).toEqual([
        [
          1,
          'referral.make',
          { agencyId: services.primary.id, agencyKind: 'PRIMARY', role: 'practitioner', id: `${services.primary.id}-practitioner` },
        ],
        [2, 'referral.accept', sender],
        [3, 'assessment.record', sender],
        [4, 'lead.assign', sender],
        [5, 'careplan.agree', sender],
        [6, 'assessment.review', sender],
        [7, 'handover.request', sender],
        [8, 'handover.accept', receiver],
        [9, 'involvement.end', receiver],
        [10, 'case.close', receiver],
      ]);
      expect(items.map((e) => e.at)).toEqual(times);
      expect(items[0]?.fromState).toEqual(['new']);
      items.forEach((e, i) => {
        if (i > 0) expect(e.fromState).toEqual(items[i - 1]?.toState);
        expect(e.payload).not.toHaveProperty('actor');
        expect(e.payload).not.toHaveProperty('at');
      });
      expect(items[5]?.toState).toEqual(['active.handover.required']);
      expect(items.at(-1)?.toState).toEqual(['closed']);
      expect(items[7]?.payload).toEqual({ coordinator: { id: 'coord-alex-green', name: 'Alex Green' } });
      expect(api.applied.filter((a) => a.caseId === id).map((a) => a.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

      const verified = await verifyCase(database.db, id);
      expect(verified.ok).toBe(true);
      expect(verified.replayed).toMatchObject({
        status: 'done',
        value: 'closed',
        context: (verified.stored as { context: object }).context,
      });
    });
  });

  describe('The append-only history', () => {
    it('should refuse UPDATE, DELETE and TRUNCATE on case_events in the database itself', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const before = await databaseState(database.db, opened.id);

      expect(await failure(database.db.execute(sql`update case_events set type = 'case.close' where case_id = ${opened.id}`))).toMatch(
        /case_events is append-only: UPDATE refused/,
      );
      expect(await failure(database.db.execute(sql`delete from case_events where case_id = ${opened.id}`))).toMatch(
        /case_events is append-only: DELETE refused/,
      );
      expect(await failure(database.db.execute(sql`truncate case_events cascade`))).toMatch(/case_events is append-only: TRUNCATE refused/);
      expect(await failure(database.db.update(caseEvents).set({ actorRole: 'system' }).where(eq(caseEvents.caseId, opened.id)))).toMatch(
        /append-only/,
      );

      expect(await databaseState(database.db, opened.id)).toEqual(before);
      expect((await verifyCase(database.db, opened.id)).ok).toBe(true);
    });
  });

  describe('Replay after a long random run', () => {
    it('should replay every case to its stored snapshot, each history numbered 1..n without gaps', async () => {
      const rng = prng(backend.name === 'pglite' ? 7 : 11);
      const pool = Object.values(services);
      const severities = ['mild', 'moderate', 'severe'] as const;
      const chance = (p: number) => rng.next() < p;
      type Facts = PathwayContext;
      const involvementIds = (f: Facts) => (f.involvements.length ? f.involvements.map((i) => i.id) : ['inv-1']);
      /** Plausible bodies for each event type, some of them deliberately wrong. */
      const generators: Record<string, (f: Facts) => EventBody> = {
        'referral.make': () => body.referral(rng.pick(pool)),
        'referral.accept': () => bodies.acceptReferral(),
        'referral.decline': () => bodies.declineReferral(chance(0.2) ? { reason: 'substanceUse' } : {}),
        'referral.redirect': () => bodies.redirect(rng.pick(pool)),
        'assessment.record': () =>
          body.assessment(
            rng.pick(severities),
            chance(0.5),
            chance(0.1) ? { scores: { phq9: 30 } } : chance(0.3) ? { canServiceAloneSupport: false, nextStep: 'jointCare' } : {},
          ),
        'assessment.review': () => body.reassessment(rng.pick(severities), chance(0.5)),
        'mdt.consult': () => ({ type: 'mdt.consult', agencies: [rng.pick(pool).id], outcome: 'Joint working agreed' }),
        'lead.assign': () => bodies.assignLead(chance(0.5) ? { rationale: 'Known to this service for years' } : {}),
        'lead.propose': () => bodies.proposeLead(rng.pick(pool), chance(0.5) ? { rationale: 'Best placed to coordinate' } : {}),
        'lead.accept': () => bodies.acceptLead(),
        'lead.decline': () => ({ type: 'lead.decline', reason: 'needsBetterMetElsewhere', explanation: 'Not our quadrant' }),
        'lead.retain': () => bodies.retainLead(chance(0.7) ? 'An established relationship with the person' : undefined),
        'involvement.request': () => {
          const to = rng.pick(pool);
          return bodies.involve(to, to.kind === 'WRAPAROUND' && chance(0.7) ? { keyWorkerNamed: true, recoveryPlanInPlace: true } : {});
        },
        'involvement.accept': (f) => bodies.acceptInvolvement(rng.pick(involvementIds(f))),
        'involvement.decline': (f) => bodies.declineInvolvement(rng.pick(involvementIds(f))),
        'involvement.start': (f) => bodies.startInvolvement(rng.pick(involvementIds(f))),
        'involvement.end': (f) => bodies.endInvolvement(rng.pick(involvementIds(f))),
        'careplan.agree': () => body.carePlan(chance(0.3) ? { cpa: true } : {}),
        'careplan.review': () => bodies.review(),
        'engagement.decline': () => bodies.declineServices(chance(0.7)),
        'engagement.resume': () => ({ type: 'engagement.resume' }),
        'engagement.assertiveOutreach': () => bodies.assertiveOutreach(),
        'safeguarding.raise': () => bodies.safeguarding(chance(0.8) ? 'adult' : 'child'),
        'consent.record': () => bodies.consent(chance(0.7) ? 'given' : 'refused'),
        'carer.offerAssessment': () => ({ type: 'carer.offerAssessment', carerName: 'Pat', accepted: chance(0.5) }),
        'detox.plan': () => ({
          type: 'detox.plan',
          substance: 'alcohol',
          postDetoxPlan: 'Community follow-up after detox',
          mdtAgreed: chance(0.8),
        }),
        'detox.start': () => ({ type: 'detox.start', substance: chance(0.7) ? 'alcohol' : 'opioids' }),
        'detox.complete': () => ({ type: 'detox.complete' }),
        'handover.request': () =>
          body.handover(rng.pick(pool), {
            reason: rng.pick(['stepUp', 'stepDown', 'transfer'] as const),
            senderContinuesAsSupport: chance(0.5),
          }),
        'handover.accept': () => bodies.acceptHandover(),
        'handover.decline': () => bodies.declineHandover(),
        'handover.withdraw': () => bodies.withdrawHandover(),
        'dispute.raise': () => bodies.raiseDispute(),
        'dispute.escalate': () => bodies.escalateDispute(),
        'dispute.resolve': () => bodies.resolveDispute(rng.pick(pool), { rationale: 'Agreed by both services' }),
        'case.close': (f) =>
          body.close(
            rng.pick([
              {},
              { reason: 'declinedWithCapacity' as const },
              { reason: 'transferredAccepted' as const, to: f.involvements[0]?.agency ?? rng.pick(pool) },
            ]),
          ),
        'deadline.reached': () => bodies.deadline('referralFollowUp'),
      };
      const referrals: ReferralOptions[] = [
        {},
        { to: services.cmht },
        {
          to: services.cmht,
          referral: { referrer: { name: 'Dr Mensah', agencyId: services.primary.id, qualification: 'consultantPsychiatrist' } },
        },
        { to: services.iapt },
        { to: services.wraparound, referral: { keyWorkerNamed: true, recoveryPlanInPlace: true } },
        { to: services.smsEast, area: 'EAST_KENT' },
      ];
      // Events that move a journey on are likelier than those that end it early.
      const terminal = ['referral.decline', 'case.close', 'referral.redirect'];
      const progress = [
        'referral.accept',
        'assessment.record',
        'lead.assign',
        'lead.accept',
        'careplan.agree',
        'assessment.review',
        'handover.request',
        'handover.accept',
        'involvement.request',
        'involvement.accept',
        'dispute.resolve',
      ];
      const weighted = (types: string[]) => {
        const weights = types.map((t) => (terminal.includes(t) ? 0.3 : progress.includes(t) ? 5 : 1));
        let r = rng.next() * weights.reduce((a, b) => a + b, 0);
        for (const [i, t] of types.entries()) {
          r -= weights[i] ?? 0;
          if (r <= 0) return t;
        }
        return types[types.length - 1] as string;
      };
      const applied = new Map<string, number>();
      const openCases = async () => {
        const opened = await referCase(api, rng.pick(referrals));
        applied.set(opened.id, 1);
        return opened.id;
      };

      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await openCases());
      const statuses = new Map<number, number>();
      for (let n = 0; n < 200; n++) {
        if (chance(0.02)) ids.push(await openCases());
        api.advanceDays(rng.int(0, 3));
        const id = rng.pick(ids);
        // Pick a plausible service (one with a part in it, read from the stored case), or sometimes any service.
        const { row: stored } = await storedCase(database.db, id);
        if (!stored) throw new Error(`case ${id} not stored`);
        const f = (stored.snapshot as { context: Facts }).context;
        const parties = [f.referral?.to, f.lead?.agency, f.handover?.to, f.leadProposal?.to, ...f.involvements.map((i) => i.agency)].filter(
          (a): a is AgencyRef => !!a && pool.some((p) => p.id === a.id),
        );
        const as = chance(0.75) && parties.length ? rng.pick(parties) : rng.pick(pool);
        const role: Role = rng.pick(['practitioner', 'practitioner', 'practitioner', 'serviceManager', 'clinicalDirector'] as const);
        // A service with no part in the case is not told it exists (404), and may not act on it.
        const read = await api.request('GET', `/api/cases/${id}`, { as: as.id, role });
        const allowed =
          read.status === 200
            ? caseOf(read)
                .nextEvents.filter((e) => e.allowed && e.type in generators)
                .map((e) => e.type)
            : [];
        const type = chance(0.85) && allowed.length ? weighted(allowed) : rng.pick(Object.keys(generators));
        const generate = generators[type] as (f: Facts) => EventBody;
        const res = await sendEvent(api, id, [generate(f), as], { role });

        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) applied.set(id, (applied.get(id) ?? 0) + 1);
        else expectProblem(res, res.status);
        expect([200, 403, 422, ...(read.status === 404 ? [404] : [])], `${type} as ${as.id}: ${res.text}`).toContain(res.status);
      }

      expect(statuses.get(200) ?? 0).toBeGreaterThan(60);
      expect((statuses.get(422) ?? 0) + (statuses.get(403) ?? 0)).toBeGreaterThan(10);
      const stored = await database.db.select({ id: cases.id }).from(cases);
      for (const id of ids) {
        expect(stored.map((s) => s.id)).toContain(id);
        const seqs = (
          await database.db.select({ seq: caseEvents.seq }).from(caseEvents).where(eq(caseEvents.caseId, id)).orderBy(asc(caseEvents.seq))
        ).map((r) => r.seq);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
        expect(seqs.length).toBe(applied.get(id));
        const [row] = await database.db.select({ version: cases.version }).from(cases).where(eq(cases.id, id));
        expect(row?.version).toBe(seqs.length);
        const verified = await verifyCase(database.db, id);
        expect(verified.ok, id).toBe(true);
      }
    });
  });
});

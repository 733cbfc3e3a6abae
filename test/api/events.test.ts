/** POST /api/cases/:id/events: preconditions, idempotency and refusals by the protocol — on every backend. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { caseEvents } from '../../db/schema/index.ts';
import { rules } from '../../machines/index.ts';
import type { TestApi } from '../support/api.ts';
import { caseOf, databaseState, expectProblem, storedCase } from '../support/apiChecks.ts';
import { caseAt, commissioningBody, httpJourneys, openCaseBody, sendEvent, services } from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { bodies, body } from '../support/pathwayFactory.ts';
import { useApi } from '../support/suite.ts';

describe.each(backends)('events API on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ database, api } = opened);
  });

  const eventsOf = (caseId: string) => `/api/cases/${caseId}/events`;

  describe('POST /api/cases/:id/events', () => {
    it('should apply an event and answer the case with its new version as ETag', async () => {
      const opened = await caseAt(api, httpJourneys.smsAssessing());
      const res = await sendEvent(api, opened.id, [body.assessment('severe', false), services.sms]);

      expect(res.status).toBe(200);
      expect(res.headers.get('ETag')).toBe('"3"');
      expect(caseOf(res)).toMatchObject({ version: 3, quadrant: 'Q2', state: ['active.leadAssignment.deciding'] });
    });

    it('should apply an event whose If-Match is the current version, strong or weak', async () => {
      const opened = await caseAt(api, httpJourneys.smsAssessing());
      const assessed = await sendEvent(api, opened.id, [body.assessment('moderate', true), services.sms], {
        headers: { 'If-Match': '"2"' },
      });
      expect(assessed.status).toBe(200);
      const led = await sendEvent(api, opened.id, [bodies.assignLead(), services.sms], { headers: { 'If-Match': 'W/"3"' } });
      expect(led.status).toBe(200);
      expect(led.headers.get('ETag')).toBe('"4"');
    });

    it('should keep the order of the state and the time it was entered when an event leaves the state as it was', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const entered = caseOf(await api.request('GET', `/api/cases/${opened.id}`, { as: services.sms.id }));
      api.advanceDays(3);
      const same = caseOf(await sendEvent(api, opened.id, [bodies.consent('given'), services.sms]));
      expect(same.version).toBe(entered.version + 1);
      expect(same.state).toEqual(entered.state);
      expect(same.stateEnteredAt).toBe(entered.stateEnteredAt);

      api.advanceDays(1);
      const planned = caseOf(await sendEvent(api, opened.id, [body.carePlan(), services.sms]));
      expect(planned.state).toEqual(['active.jointCare.carePlan.agreed', 'active.jointCare.detox.none']);
      expect(planned.stateEnteredAt).toBe(api.now().toISOString());
    });

    it('should answer 412 to a stale If-Match and write nothing', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const before = await databaseState(database.db, opened.id);
      const res = await sendEvent(api, opened.id, [body.carePlan(), services.sms], { headers: { 'If-Match': '"3"' } });

      const problem = expectProblem(res, 412);
      expect(problem.detail).toMatch(/current version 4/);
      expect(res.headers.get('ETag')).toBe('"4"');
      expect(await databaseState(database.db, opened.id)).toEqual(before);
    });

    it('should answer 428 to an event without If-Match, with or without an Idempotency-Key, writing nothing', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const before = await databaseState(database.db, opened.id);
      for (const headers of [{}, { 'Idempotency-Key': randomUUID() }] as Record<string, string>[]) {
        const res = await api.request('POST', `/api/cases/${opened.id}/events`, { as: services.sms.id, body: body.carePlan(), headers });
        const problem = expectProblem(res, 428);
        expect(problem.type).toMatch(/precondition-required$/);
        expect(problem.detail).toMatch(/If-Match/);
      }
      expect(await databaseState(database.db, opened.id)).toEqual(before);
      // Opening a case has no version to match: it needs no If-Match.
      expect((await api.request('POST', '/api/cases', { as: services.primary.id, body: openCaseBody({ on: api.now() }) })).status).toBe(
        201,
      );
    });

    it('should apply one of several concurrent requests with the same If-Match', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          sendEvent(api, opened.id, [bodies.safeguarding(), services.sms], { headers: { 'If-Match': '"4"' } }),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(7).fill(412)]);
      expect((await storedCase(database.db, opened.id)).events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    });

    it('should answer 400 to an If-Match that is not a version', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const before = await databaseState(database.db, opened.id);
      for (const ifMatch of ['*', '"abc"', '"4", "5"']) {
        expectProblem(await sendEvent(api, opened.id, [body.carePlan(), services.sms], { headers: { 'If-Match': ifMatch } }), 400);
      }
      expect(await databaseState(database.db, opened.id)).toEqual(before);
    });

    it('should answer a repeated Idempotency-Key and body with the first answer, writing one event', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const key = randomUUID();
      // A retry repeats the whole request, the version it was made from included.
      const headers = { 'Idempotency-Key': key, 'If-Match': `"${await api.versionOf(opened.id)}"` };
      const first = await sendEvent(api, opened.id, [body.carePlan(), services.sms], { headers });
      api.advanceDays(1);
      const again = await sendEvent(api, opened.id, [body.carePlan(), services.sms], { headers });
      // The same request with its keys in another order is the same request.
      const reordered = Object.fromEntries(Object.entries(body.carePlan()).reverse());
      const third = await sendEvent(api, opened.id, [reordered as ReturnType<typeof body.carePlan>, services.sms], { headers });

      expect(first.status).toBe(200);
      for (const retry of [again, third]) {
        expect(retry.status).toBe(first.status);
        expect(retry.json).toEqual(first.json);
        expect(retry.headers.get('ETag')).toBe(first.headers.get('ETag'));
      }
      const rows = await database.db.select().from(caseEvents).where(eq(caseEvents.idempotencyKey, key));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ caseId: opened.id, seq: 5, type: 'careplan.agree' });
    });

    it('should answer 422 to an Idempotency-Key reused with another body, writing nothing', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const key = randomUUID();
      expect((await sendEvent(api, opened.id, [body.carePlan(), services.sms], { headers: { 'Idempotency-Key': key } })).status).toBe(200);
      const before = await databaseState(database.db, opened.id);
      const res = await sendEvent(api, opened.id, [bodies.review(), services.sms], { headers: { 'Idempotency-Key': key } });

      const problem = expectProblem(res, 422);
      expect(problem.type).toMatch(/idempotency-key-reused$/);
      expect(await databaseState(database.db, opened.id)).toEqual(before);
    });

    it('should not hand another practitioner the answer stored under an Idempotency-Key', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const key = randomUUID();
      const step = [bodies.consent('given'), services.sms] as const;
      expect((await sendEvent(api, opened.id, step, { headers: { 'Idempotency-Key': key } })).status).toBe(200);
      const before = await databaseState(database.db, opened.id);
      // Another service with a part in the case (the referrer) reusing the key: refused, not handed the first answer.
      const res = await sendEvent(api, opened.id, [step[0], services.primary], { headers: { 'Idempotency-Key': key } });
      expectProblem(res, 422);
      expect(res.text).not.toContain(opened.person.nhsNumber);
      // A service with no part in it is not even told the case exists.
      const stranger = await sendEvent(api, opened.id, [step[0], services.smsEast], { headers: { 'Idempotency-Key': key } });
      expectProblem(stranger, 404);
      expect(stranger.text).not.toContain(opened.person.nhsNumber);
      expect(await databaseState(database.db, opened.id)).toEqual(before);
    });

    it('should refuse closure while a handover awaits acceptance', async () => {
      const opened = await caseAt(api, httpJourneys.handoverPending());
      const before = await databaseState(database.db, opened.id);
      const res = await sendEvent(api, opened.id, [body.close(), services.sms]);

      const problem = expectProblem(res, 422);
      expect(problem).toMatchObject({ rule: 'R-CLOSE-ACCEPTED', clause: rules['R-CLOSE-ACCEPTED'].clause });
      expect(problem.type).toMatch(/refused-by-protocol$/);
      expect(problem.blockedBy).toEqual(
        expect.arrayContaining([
          {
            rule: 'R-CLOSE-ACCEPTED',
            clause: rules['R-CLOSE-ACCEPTED'].clause,
            message: expect.stringContaining(services.cmht.name),
            guard: 'noPendingAcceptance',
          },
          { rule: 'R-STEP', clause: rules['R-STEP'].clause, message: expect.any(String), guard: 'noStepChangeOutstanding' },
        ]),
      );
      expect(problem.detail).toContain('R-CLOSE-ACCEPTED');
      expect(await databaseState(database.db, opened.id)).toEqual(before);
    });

    it('should refuse a screening score out of range (R-ASSESS-FACTORS) and a decline for substance use (R-REF-NOINTOX)', async () => {
      const assessing = await caseAt(api, httpJourneys.smsAssessing());
      const referred = await caseAt(api, []);
      const before = [await databaseState(database.db, assessing.id), await databaseState(database.db, referred.id)];

      const score = await sendEvent(api, assessing.id, [body.assessment('mild', false, { scores: { phq9: 28 } }), services.sms]);
      expect(expectProblem(score, 422).rule).toBe('R-ASSESS-FACTORS');
      const decline = await sendEvent(api, referred.id, [bodies.declineReferral({ reason: 'intoxication' }), services.sms]);
      expect(expectProblem(decline, 422).blockedBy?.map((b) => b.rule)).toContain('R-REF-NOINTOX');
      expect([await databaseState(database.db, assessing.id), await databaseState(database.db, referred.id)]).toEqual(before);
    });

    it('should answer 403 naming R-HANDOVER-ONLYRECEIVER when a service other than the receiver accepts a handover', async () => {
      const opened = await caseAt(api, httpJourneys.handoverPending());
      const before = await databaseState(database.db, opened.id);
      // The sender and the referrer have a part in the case: the pathway's rule answers them.
      for (const agency of [services.sms, services.primary]) {
        const problem = expectProblem(await sendEvent(api, opened.id, [bodies.acceptHandover(), agency]), 403);
        expect(problem).toMatchObject({ rule: 'R-HANDOVER-ONLYRECEIVER', clause: rules['R-HANDOVER-ONLYRECEIVER'].clause });
        expect(problem.blockedBy?.[0]?.message).toContain(services.cmht.name);
      }
      // A service with no part in it is not told the case exists (the access policy, machines/access.ts).
      for (const agency of [services.cmhtMedway, services.iapt]) {
        const hidden = expectProblem(await sendEvent(api, opened.id, [bodies.acceptHandover(), agency]), 404);
        expect(hidden.detail).toBe(`No case ${opened.id}`);
      }
      expect(await databaseState(database.db, opened.id)).toEqual(before);
    });

    it('should answer 403 to commissioners, auditors, the system role and agencies outside the directory', async () => {
      const opened = await caseAt(api, httpJourneys.handoverPending());
      const before = await databaseState(database.db, opened.id);
      for (const [agency, role] of [
        [commissioningBody, 'commissioner'],
        [commissioningBody, 'auditor'],
        [services.cmht.id, 'commissioner'],
        [services.cmht.id, 'auditor'],
        [services.cmht.id, 'system'],
        ['not-a-directory-agency', 'practitioner'],
      ] as const) {
        const res = await api.request('POST', eventsOf(opened.id), { as: agency, role, body: bodies.acceptHandover() });
        expectProblem(res, 403);
      }
      expect(await databaseState(database.db, opened.id)).toEqual(before);
    });

    it('should answer 404 to an event for a case nobody has', async () => {
      const before = await databaseState(database.db);
      expectProblem(await api.request('POST', eventsOf(randomUUID()), { as: services.sms.id, body: bodies.acceptReferral() }), 404);
      expect(await databaseState(database.db)).toEqual(before);
    });
  });
});

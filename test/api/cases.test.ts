/** /api/cases: opening cases from referrals, listing them, and reading one — on every backend. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../../db/schema/index.ts';
import { rules } from '../../machines/index.ts';
import type { TestApi } from '../support/api.ts';
import { type CaseSummary, caseOf, databaseState, expectProblem, tableCounts } from '../support/apiChecks.ts';
import {
  caseAt,
  commissioningBody,
  httpJourneys,
  invalidNhsNumber,
  openCaseBody,
  referCase,
  sendEvent,
  services,
} from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { bodies } from '../support/pathwayFactory.ts';
import { useApi } from '../support/suite.ts';

describe.each(backends)('cases API on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ database, api } = opened);
  });

  describe('POST /api/cases', () => {
    it('should open a case with 201, its Location and its version as ETag', async () => {
      const before = await tableCounts(database.db);
      const body = openCaseBody({ on: api.now() });
      const res = await api.request('POST', '/api/cases', { as: services.primary.id, body });

      expect(res.status).toBe(201);
      const opened = caseOf(res);
      expect(res.headers.get('Location')).toBe(`/api/cases/${opened.id}`);
      expect(res.headers.get('ETag')).toBe('"1"');
      expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
      expect(opened).toMatchObject({ status: 'open', phase: 'referral', state: ['active.referral.awaitingAcceptance'], episode: 1 });
      expect(opened.version).toBe(1);
      expect(opened.reference).toMatch(/^DD-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      expect(await tableCounts(database.db)).toMatchObject({
        cases: before.cases + 1,
        caseEvents: before.caseEvents + 1,
        serviceUsers: before.serviceUsers + 1,
      });
      const read = await api.request('GET', res.headers.get('Location') as string, { as: services.sms.id });
      expect(read.status).toBe(200);
      expect(caseOf(read).id).toBe(opened.id);
    });

    it('should refuse an NHS number that fails the Modulus 11 check with 400 and write nothing', async () => {
      const before = await databaseState(database.db);
      const body = openCaseBody({ on: api.now(), person: { nhsNumber: invalidNhsNumber() } });
      const res = await api.request('POST', '/api/cases', { as: services.primary.id, body });

      const problem = expectProblem(res, 400);
      expect(problem.detail).toMatch(/NHS number/);
      expect(problem.errors?.map((e) => e.path)).toContain('person.nhsNumber');
      expect(await databaseState(database.db)).toEqual(before);
    });

    it('should close the case of a 17-year-old as redirected to CAMHS (R-ELIG-AGE)', async () => {
      const res = await api.request('POST', '/api/cases', {
        as: services.primary.id,
        body: openCaseBody({ on: api.now(), ageYears: 17, to: services.cmht }),
      });

      expect(res.status).toBe(201);
      const opened = caseOf(res);
      expect(opened).toMatchObject({ status: 'closed', phase: 'closed', state: ['closed'] });
      expect(opened.facts?.closure).toMatchObject({ reason: 'redirectedUnder18', to: { kind: 'CAMHS' } });
      expect(opened.responsibility.statement).toMatch(/CAMHS/);
      expect(opened.closedAt).toBe(api.now().toISOString());
    });

    it('should answer 409 to a second referral for a person with an open case, writing nothing', async () => {
      const first = await referCase(api);
      const again = openCaseBody({ on: api.now(), to: services.cmht, person: { nhsNumber: first.person.nhsNumber } });
      const byId = openCaseBody({ to: services.cmht, person: { id: caseOf(first.res).person?.id as string } });
      const before = await databaseState(database.db);

      expectProblem(await api.request('POST', '/api/cases', { as: services.primary.id, body: again }), 409);
      expectProblem(await api.request('POST', '/api/cases', { as: services.primary.id, body: byId }), 409);
      expect(await databaseState(database.db)).toEqual(before);
    });

    it('should open episode 2, then 3, for the same person after closure (R-CLOSE-FINAL)', async () => {
      const first = await referCase(api);
      const personId = caseOf(first.res).person?.id as string;
      expect(personId).toBeTruthy();
      expect((await sendEvent(api, first.id, [bodies.declineReferral(), services.sms])).status).toBe(200);

      const second = await api.request('POST', '/api/cases', { as: services.primary.id, body: openCaseBody({ person: { id: personId } }) });
      expect(second.status).toBe(201);
      expect(caseOf(second)).toMatchObject({ episode: 2, status: 'open', person: { id: personId } });
      expect(caseOf(second).id).not.toBe(first.id);
      expect((await sendEvent(api, caseOf(second).id, [bodies.declineReferral(), services.sms])).status).toBe(200);

      // Known by NHS number: the date of birth (and the family name, when sent) must agree with the record.
      const { nhsNumber, dateOfBirth, familyName } = first.person;
      const byNhsNumber = openCaseBody({ on: api.now(), person: { nhsNumber, dateOfBirth, familyName, givenName: undefined } });
      const third = await api.request('POST', '/api/cases', { as: services.primary.id, body: byNhsNumber });
      expect(third.status).toBe(201);
      expect(caseOf(third)).toMatchObject({ episode: 3, person: { id: personId } });
      const episodes = await database.db
        .select({ episode: cases.episode, status: cases.status })
        .from(cases)
        .where(eq(cases.personId, personId));
      expect(episodes.sort((a, b) => a.episode - b.episode)).toEqual([
        { episode: 1, status: 'closed' },
        { episode: 2, status: 'closed' },
        { episode: 3, status: 'open' },
      ]);
    });

    it('should refuse an SMS referral to mental health that misses required items with 422 (R-REF-CONTENT), writing nothing', async () => {
      const before = await databaseState(database.db);
      const body = openCaseBody({
        on: api.now(),
        from: services.sms,
        to: services.cmht,
        referral: { content: { hopedOutcome: 'To sleep' } },
      });
      const res = await api.request('POST', '/api/cases', { as: services.sms.id, body });

      const problem = expectProblem(res, 422);
      expect(problem).toMatchObject({ rule: 'R-REF-CONTENT', clause: rules['R-REF-CONTENT'].clause });
      expect(problem.blockedBy).toEqual([
        {
          rule: 'R-REF-CONTENT',
          clause: rules['R-REF-CONTENT'].clause,
          message: expect.stringMatching(/suspected mental disorder.*how substance use would obstruct treatment/),
          guard: 'referralContentComplete',
        },
      ]);
      expect(problem.detail).not.toMatch(/hopes to gain/);
      expect(await databaseState(database.db)).toEqual(before);
    });

    it('should refuse a person living outside Kent and Medway with 422 (R-ELIG-AREA), writing nothing', async () => {
      const before = await databaseState(database.db);
      const body = openCaseBody({ on: api.now(), residency: 'notResident', area: null });
      const res = await api.request('POST', '/api/cases', { as: services.primary.id, body });

      const problem = expectProblem(res, 422);
      expect(problem.rule).toBe('R-ELIG-AREA');
      expect(problem.blockedBy?.map((b) => b.rule)).toEqual(['R-ELIG-AREA']);
      expect(await databaseState(database.db)).toEqual(before);
    });

    it('should refuse a commissioner opening a case with 403, writing nothing', async () => {
      const before = await databaseState(database.db);
      const res = await api.request('POST', '/api/cases', { as: commissioningBody, role: 'commissioner', body: openCaseBody() });

      expectProblem(res, 403);
      expect(await databaseState(database.db)).toEqual(before);
    });

    it('should answer 404 to a referral for a person id nobody has', async () => {
      const res = await api.request('POST', '/api/cases', {
        as: services.primary.id,
        body: openCaseBody({ person: { id: '00000000-0000-4000-8000-000000000000' } }),
      });
      expectProblem(res, 404);
    });

    it('should answer a retried Idempotency-Key with the first case, opening one', async () => {
      const body = openCaseBody({ on: api.now() });
      const headers = { 'Idempotency-Key': `open-${randomUUID()}` };
      const first = await api.request('POST', '/api/cases', { as: services.primary.id, body, headers });
      const before = await tableCounts(database.db);
      const retry = await api.request('POST', '/api/cases', { as: services.primary.id, body, headers });

      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.json).toEqual(first.json);
      expect(retry.headers.get('Location')).toBe(first.headers.get('Location'));
      expect(await tableCounts(database.db)).toEqual(before);
    });
  });

  describe('GET /api/cases', () => {
    // A commissioner lists every case (pseudonymised); a service lists only those it has a part in (accessMatrix.test.ts).
    const overseer = { as: commissioningBody, role: 'commissioner' as const };
    type Known = { id: string; status: string; phase: string; lead: string | null; quadrant: string | null; area: string | null };
    const known: Known[] = [];
    const remember = async (id: string) => {
      const c = caseOf(await api.request('GET', `/api/cases/${id}`, overseer));
      known.push({
        id,
        status: c.status,
        phase: c.phase,
        lead: c.responsibility.lead?.agency.id ?? null,
        quadrant: c.quadrant,
        area: c.area,
      });
    };
    const list = async (query: string) => {
      const res = await api.request('GET', `/api/cases?${query}&limit=200`, overseer);
      expect(res.status).toBe(200);
      return res.json.items as CaseSummary[];
    };

    beforeAll(async () => {
      await remember((await referCase(api)).id);
      await remember((await caseAt(api, httpJourneys.smsLedQ3())).id);
      await remember((await caseAt(api, httpJourneys.handoverPending())).id);
      await remember((await caseAt(api, httpJourneys.handedOver())).id);
      await remember((await caseAt(api, [[bodies.declineReferral(), services.sms]])).id);
      await remember((await referCase(api, { to: services.smsEast, area: 'EAST_KENT' })).id);
    });

    it('should filter by status, phase, lead, quadrant and area', async () => {
      const filters: [string, (k: Known) => boolean, (s: CaseSummary) => boolean][] = [
        ['status=closed', (k) => k.status === 'closed', (s) => s.status === 'closed'],
        ['status=open', (k) => k.status === 'open', (s) => s.status === 'open'],
        ['phase=handover', (k) => k.phase === 'handover', (s) => s.phase === 'handover'],
        ['phase=jointCare', (k) => k.phase === 'jointCare', (s) => s.phase === 'jointCare'],
        [`lead=${services.cmht.id}`, (k) => k.lead === services.cmht.id, (s) => s.leadAgencyId === services.cmht.id],
        [`lead=${services.sms.id}`, (k) => k.lead === services.sms.id, (s) => s.leadAgencyId === services.sms.id],
        ['quadrant=Q1', (k) => k.quadrant === 'Q1', (s) => s.quadrant === 'Q1'],
        ['quadrant=Q3', (k) => k.quadrant === 'Q3', (s) => s.quadrant === 'Q3'],
        ['area=EAST_KENT', (k) => k.area === 'EAST_KENT', (s) => s.area === 'EAST_KENT'],
        [
          'status=open&area=WEST_KENT&phase=jointCare',
          (k) => k.status === 'open' && k.area === 'WEST_KENT' && k.phase === 'jointCare',
          (s) => s.status === 'open' && s.area === 'WEST_KENT' && s.phase === 'jointCare',
        ],
      ];
      for (const [query, expected, holds] of filters) {
        const items = await list(query);
        const ids = new Set(items.map((i) => i.id));
        expect(items.every(holds), query).toBe(true);
        for (const k of known) expect(ids.has(k.id), `${query} ${JSON.stringify(k)}`).toBe(expected(k));
      }
      // Each filter above selects some known case and leaves out another.
      expect(known.map((k) => k.phase)).toEqual(['referral', 'jointCare', 'handover', 'jointCare', 'closed', 'referral']);
    });

    it('should walk every page by cursor, newest first, with no duplicates and none missing', async () => {
      for (let i = 0; i < 9; i++) {
        if (i % 3 === 0) api.advanceDays(1); // Some cases share an opening time: the id breaks the tie.
        await referCase(api, { to: i % 2 ? services.sms : services.smsEast });
      }
      const all = await database.db.select({ id: cases.id, openedAt: cases.openedAt }).from(cases);
      const seen: CaseSummary[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await api.request('GET', `/api/cases?limit=4${cursor ? `&cursor=${cursor}` : ''}`, overseer);
        expect(res.status).toBe(200);
        const items = res.json.items as CaseSummary[];
        expect(items.length).toBeLessThanOrEqual(4);
        seen.push(...items);
        cursor = res.json.nextCursor as string | null;
        pages++;
      } while (cursor && pages < 100);

      expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
      expect(seen.map((s) => s.id).sort()).toEqual(all.map((r) => r.id).sort());
      expect(pages).toBe(Math.ceil(all.length / 4));
      const order = seen.map((s) => [s.openedAt as string, s.id] as const);
      const sorted = [...order].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? 1 : -1) : a[0] < b[0] ? 1 : -1));
      expect(order).toEqual(sorted);
    });

    it('should answer 400, not 500, to a cursor it did not give', async () => {
      for (const forged of ['not-a-cursor', Buffer.from(`${new Date().toISOString()}|not-a-uuid`).toString('base64url')]) {
        expectProblem(await api.request('GET', `/api/cases?cursor=${forged}`, { as: services.sms.id }), 400);
      }
      expectProblem(await api.request('GET', '/api/cases?quadrant=Q9', { as: services.sms.id }), 400);
      expectProblem(await api.request('GET', '/api/cases?limit=0', { as: services.sms.id }), 400);
    });

    it('should list cases without identifiers, to commissioners too', async () => {
      const opened = await referCase(api);
      const res = await api.request('GET', '/api/cases?limit=200', { as: commissioningBody, role: 'commissioner' });
      expect(res.status).toBe(200);
      expect((res.json.items as CaseSummary[]).map((i) => i.id)).toContain(opened.id);
      const person = opened.person;
      for (const identifier of [person.nhsNumber, person.familyName, person.dateOfBirth]) expect(res.text).not.toContain(identifier);
    });
  });

  describe('GET /api/cases/:id', () => {
    it('should answer the case with its version as ETag', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const res = await api.request('GET', `/api/cases/${opened.id}`, { as: services.sms.id });

      expect(res.status).toBe(200);
      const c = caseOf(res);
      expect(res.headers.get('ETag')).toBe(`"${c.version}"`);
      expect(c.version).toBe(4);
      expect(c).toMatchObject({
        status: 'open',
        phase: 'jointCare',
        quadrant: 'Q3',
        area: 'WEST_KENT',
        links: { self: `/api/cases/${opened.id}`, events: `/api/cases/${opened.id}/events` },
      });
      expect(c.state).toEqual(['active.jointCare.carePlan.unplanned', 'active.jointCare.detox.none']);
    });

    it('should state in plain words who is responsible while a handover awaits acceptance (R-CLARITY)', async () => {
      const opened = await caseAt(api, httpJourneys.handoverPending());
      const c = caseOf(await api.request('GET', `/api/cases/${opened.id}`, { as: services.cmht.id }));

      expect(c.responsibility.lead?.agency.id).toBe(services.sms.id);
      expect(c.responsibility.pendingHandover?.to.id).toBe(services.cmht.id);
      expect(c.responsibility.statement).toContain(`${services.sms.name} leads your care`);
      expect(c.responsibility.statement).toContain(`asked ${services.cmht.name} to take over`);
      expect(c.responsibility.statement).toContain(`${services.sms.name} remains responsible`);
    });

    it('should list the next events with the rules that block them, for the caller', async () => {
      const opened = await caseAt(api, httpJourneys.handoverPending());
      const asSender = caseOf(await api.request('GET', `/api/cases/${opened.id}`, { as: services.sms.id }));
      const asReceiver = caseOf(await api.request('GET', `/api/cases/${opened.id}`, { as: services.cmht.id }));
      const find = (c: typeof asSender, type: string) => c.nextEvents.find((e) => e.type === type);

      expect(asSender.nextEvents).toHaveLength(asReceiver.nextEvents.length);
      expect(find(asSender, 'case.close')).toMatchObject({
        allowed: false,
        blockedBy: expect.arrayContaining([
          {
            rule: 'R-CLOSE-ACCEPTED',
            clause: rules['R-CLOSE-ACCEPTED'].clause,
            message: expect.stringContaining(services.cmht.name),
            guard: 'noPendingAcceptance',
          },
        ]),
      });
      expect(find(asSender, 'handover.accept')).toMatchObject({
        allowed: false,
        blockedBy: [expect.objectContaining({ rule: 'R-HANDOVER-ONLYRECEIVER' })],
      });
      expect(find(asSender, 'handover.withdraw')).toMatchObject({ allowed: true });
      expect(find(asReceiver, 'handover.accept')).toMatchObject({ allowed: true });
      expect(find(asReceiver, 'referral.accept')).toMatchObject({
        allowed: false,
        blockedBy: [expect.objectContaining({ rule: 'R-REF-FOLLOWUP' })],
      });
    });

    it('should show the person’s identifiers to practitioners of involved agencies', async () => {
      const opened = await caseAt(api, httpJourneys.handoverPending());
      const person = opened.person;
      for (const [agency, role] of [
        [services.sms.id, 'practitioner'],
        [services.cmht.id, 'practitioner'],
        [services.primary.id, 'practitioner'],
        [services.sms.id, 'serviceManager'],
      ] as const) {
        const c = caseOf(await api.request('GET', `/api/cases/${opened.id}`, { as: agency, role }));
        expect(c.person, `${agency} ${role}`).toMatchObject({
          nhsNumber: person.nhsNumber,
          givenName: person.givenName,
          familyName: person.familyName,
          dateOfBirth: person.dateOfBirth,
          synthetic: false,
        });
      }
    });

    it('should never show identifiers to commissioners, auditors or uninvolved agencies', async () => {
      const opened = await caseAt(api, httpJourneys.handoverPending());
      const person = opened.person;
      for (const [agency, role] of [
        [commissioningBody, 'commissioner'],
        [commissioningBody, 'auditor'],
        [services.sms.id, 'commissioner'],
        [services.cmht.id, 'auditor'],
        [services.smsEast.id, 'practitioner'],
        [services.iapt.id, 'clinicalDirector'],
      ] as const) {
        const res = await api.request('GET', `/api/cases/${opened.id}`, { as: agency, role });
        // Oversight roles see every case pseudonymised; a service with no part in it is not told it exists.
        const oversight = role === 'commissioner' || role === 'auditor';
        expect(res.status, `${agency} ${role}`).toBe(oversight ? 200 : 404);
        expect(caseOf(res).person, `${agency} ${role}`).toBeUndefined();
        for (const identifier of [person.nhsNumber, person.givenName, person.familyName, person.dateOfBirth]) {
          expect(res.text, `${agency} ${role}`).not.toContain(identifier);
        }
        if (role === 'commissioner' || role === 'auditor') expect(caseOf(res).nextEvents).toEqual([]);
      }
      const history = await api.request('GET', `/api/cases/${opened.id}/events`, { as: commissioningBody, role: 'auditor' });
      expect(history.status).toBe(200);
      for (const identifier of [person.nhsNumber, person.givenName, person.familyName, person.dateOfBirth]) {
        expect(history.text).not.toContain(identifier);
      }
    });

    it('should answer 404 problem+json for a case nobody has, and 400 for an id that is not one', async () => {
      const missing = '6f1c2f0e-8a8b-4c1e-9d7a-3b5e2a1c0d9f';
      expectProblem(await api.request('GET', `/api/cases/${missing}`, { as: services.sms.id }), 404);
      expectProblem(await api.request('GET', `/api/cases/${missing}/events`, { as: services.sms.id }), 404);
      expectProblem(await api.request('GET', '/api/cases/12345', { as: services.sms.id }), 400);
    });
  });
});

/**
 * The access log (db/schema/access.ts): one entry per read of a case, none for a hidden read or a write, append-only
 * in the database itself; who may read it; break-glass access and who is told of it; live streams in the view the
 * policy gives each subscriber, and the cap on streams per person — on every backend.
 */
import { randomUUID } from 'node:crypto';
import { desc, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessLog } from '../../db/schema/index.ts';
import { decide } from '../../machines/access.ts';
import type { AgencyRef, EventBody } from '../../machines/index.ts';
import { loadConfig, MIN_SECRET_BYTES } from '../../server/config.ts';
import { verifyHistory } from '../../server/engine/verify.ts';
import {
  accessLogRows,
  type Caller,
  callerOf,
  defaultCaller,
  type OpenStream,
  openStream,
  requestAs,
  sentinel,
} from '../support/access.ts';
import type { TestApi } from '../support/api.ts';
import { caseOf, expectProblem } from '../support/apiChecks.ts';
import { commissioningBody, type NewPerson, referCase, sendEvent, service, services } from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { bodies, body } from '../support/pathwayFactory.ts';
import { useApi } from '../support/suite.ts';

/** Every free-text field this suite sends carries it. */
const S = sentinel('AccessLog');

const lead = services.sms;
/** Agencies with no part in the suite's case. */
const unrelated = service('kmpt-cmht-thanet');
const breakGlassAgency = service('kmpt-crht-maidstone');
const streamOnlooker = service('forward-trust-dover');

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

/** Streams one person may hold open: the server's default (STREAMS_PER_PRINCIPAL), as the test API does not set it. */
const cap = loadConfig({ AUTH_SECRET: 'x'.repeat(MIN_SECRET_BYTES) }).streamsPerPrincipal;

describe.each(backends)('the access log on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ database, api } = opened);
  });

  let id: string;
  let reference: string;
  let person: NewPerson;

  /** The newest entry of the access log. */
  const lastEntry = async () => (await database.db.select().from(accessLog).orderBy(desc(accessLog.id)).limit(1))[0];
  /** Runs `act` and answers how many entries it added to the access log. */
  const entriesWritten = async (act: () => Promise<unknown>): Promise<number> => {
    const before = await accessLogRows(database.db);
    await act();
    return (await accessLogRows(database.db)) - before;
  };
  const identifiersIn = (text: string) =>
    [person.givenName, person.familyName, person.nhsNumber, person.dateOfBirth, S].filter((s) => text.includes(s));

  const step = async (event: EventBody, as: AgencyRef) => {
    const res = await sendEvent(api, id, [event, as]);
    if (res.status !== 200) throw new Error(`${event.type} answered ${res.status}: ${res.text}`);
    return res;
  };

  beforeAll(async () => {
    const hex = randomUUID().slice(0, 8);
    const opened = await referCase(api, {
      person: { givenName: `Given${hex}`, familyName: `Family${hex}` },
      referral: {
        reasonForReferral: `${S} reason`,
        referrer: { name: `${S} referrer`, agencyId: services.primary.id, qualification: 'other' },
      },
    });
    ({ id, person } = opened);
    reference = opened.res.json.reference as string;
    api.advanceDays(1);
    await step(bodies.acceptReferral(), lead);
    await step(body.assessment('moderate', true, { housing: `${S} housing`, supportNetwork: `${S} network` }), lead);
    await step(bodies.assignLead({ rationale: `${S} rationale` }), lead);
  });

  describe('one entry per read', () => {
    it('should write exactly one entry for the case detail, with who read what, how related and in which view', async () => {
      const reader = await defaultCaller(api, lead.id);
      expect(await entriesWritten(async () => expect((await requestAs(api, reader, 'GET', `/api/cases/${id}`)).status).toBe(200))).toBe(1);
      expect(await lastEntry()).toMatchObject({
        caseId: id,
        principalId: reader.sub,
        principalName: 'Test practitioner',
        agencyId: lead.id,
        role: 'practitioner',
        action: 'read',
        relationship: 'lead',
        view: 'full',
        reason: null,
        note: null,
        expiresAt: null,
      });
      expect((await lastEntry())?.at.toISOString()).toBe(api.now().toISOString());
    });

    it('should write exactly one entry for the history', async () => {
      const reader = await callerOf(`history-${randomUUID().slice(0, 8)}`, services.primary.id, 'serviceManager', 'Pat History');
      expect(
        await entriesWritten(async () => expect((await requestAs(api, reader, 'GET', `/api/cases/${id}/events`)).status).toBe(200)),
      ).toBe(1);
      expect(await lastEntry()).toMatchObject({
        caseId: id,
        principalId: reader.sub,
        principalName: 'Pat History',
        agencyId: services.primary.id,
        role: 'serviceManager',
        action: 'history',
        relationship: 'referrer',
        view: 'full',
      });
    });

    it('should write exactly one entry for a subscription to the case’s stream', async () => {
      const reader = await defaultCaller(api, lead.id, 'clinicalDirector');
      let stream: OpenStream | undefined;
      const written = await entriesWritten(async () => {
        stream = await openStream(api, reader.token, `/api/cases/${id}/inspect`);
        expect(stream.status).toBe(200);
        expect(await stream.until((events) => events.length > 0)).toBe(true);
        await stream.close();
      });
      expect(written).toBe(1);
      expect(await lastEntry()).toMatchObject({
        caseId: id,
        principalId: reader.sub,
        role: 'clinicalDirector',
        action: 'stream',
        relationship: 'lead',
        view: 'full',
      });
    });

    it('should write exactly one entry for an export of the event log, which holds no identifiers or free text', async () => {
      let text = '';
      const written = await entriesWritten(async () => {
        const res = await api.request('GET', '/api/exports/event-log?format=csv', { as: commissioningBody, role: 'auditor' });
        expect(res.status).toBe(200);
        text = res.text;
      });
      expect(written).toBe(1);
      expect(text).toContain(reference);
      expect(identifiersIn(text)).toEqual([]);
      expect(await lastEntry()).toMatchObject({
        caseId: null,
        principalId: `${commissioningBody}-auditor`,
        agencyId: commissioningBody,
        role: 'auditor',
        action: 'export',
        relationship: 'none',
        view: 'pseudonymised',
        detail: expect.stringContaining('csv'),
      });
    });

    it('should write exactly one entry for a read of the access log itself', async () => {
      const reader = await defaultCaller(api, lead.id, 'serviceManager');
      let items: { action: string; principal: { id: string } }[] = [];
      const written = await entriesWritten(async () => {
        const res = await requestAs(api, reader, 'GET', `/api/cases/${id}/access-log`);
        expect(res.status).toBe(200);
        items = res.json.items as typeof items;
      });
      expect(written).toBe(1);
      expect(items[0]).toMatchObject({ action: 'accessLog', principal: { id: reader.sub } });
      expect(await lastEntry()).toMatchObject({
        caseId: id,
        action: 'accessLog',
        relationship: 'lead',
        view: 'full',
        role: 'serviceManager',
      });
    });

    it('should write nothing for a hidden read, a refused read, a case that does not exist, or a write', async () => {
      const stranger = await defaultCaller(api, unrelated.id);
      const missing = randomUUID();
      for (const path of [`/api/cases/${id}`, `/api/cases/${id}/events`, `/api/cases/${id}/access-log`, `/api/cases/${missing}`]) {
        expect(await entriesWritten(async () => expectProblem(await requestAs(api, stranger, 'GET', path), 404)), path).toBe(0);
      }
      expect(
        await entriesWritten(async () => {
          const stream = await openStream(api, stranger.token, `/api/cases/${id}/inspect`);
          await stream.close();
          expect(stream.status).toBe(404);
        }),
      ).toBe(0);
      // Refused by the policy: the lead's practitioner may not read who looked at the case.
      expect(
        await entriesWritten(async () => expectProblem(await api.request('GET', `/api/cases/${id}/access-log`, { as: lead.id }), 403)),
      ).toBe(0);
      // Writes: an applied event, one the pathway refuses, and one a read-only role may not send.
      expect(
        await entriesWritten(async () =>
          expect((await step({ type: 'consent.record', sharing: 'given', note: `${S} note` }, lead)).status).toBe(200),
        ),
      ).toBe(0);
      expect(await entriesWritten(async () => expectProblem(await sendEvent(api, id, [bodies.acceptReferral(), lead]), 422))).toBe(0);
      expect(
        await entriesWritten(async () =>
          expectProblem(
            await sendEvent(api, id, [{ type: 'consent.record', sharing: 'given' }, services.sms], { role: 'commissioner' }),
            403,
          ),
        ),
      ).toBe(0);
    });
  });

  describe('append-only', () => {
    it('should refuse UPDATE, DELETE and TRUNCATE on access_log in the database itself', async () => {
      const before = await database.db.select().from(accessLog).orderBy(accessLog.id);
      expect(before.length).toBeGreaterThan(0);
      expect(await failure(database.db.execute(sql`update access_log set note = 'changed'`))).toMatch(
        /access_log is append-only: UPDATE refused/,
      );
      expect(await failure(database.db.execute(sql`delete from access_log`))).toMatch(/access_log is append-only: DELETE refused/);
      expect(await failure(database.db.execute(sql`truncate access_log`))).toMatch(/access_log is append-only: TRUNCATE refused/);
      expect(await failure(database.db.update(accessLog).set({ view: 'full' }))).toMatch(/append-only/);
      expect(await failure(database.db.delete(accessLog))).toMatch(/append-only/);
      expect(await database.db.select().from(accessLog).orderBy(accessLog.id)).toEqual(before);
    });

    it('should chain each case’s entries, unforked under concurrent reads, so verify finds an entry changed by the owner', async () => {
      // Twenty reads of one case at once: each entry follows exactly one before it.
      const reads = await Promise.all(Array.from({ length: 20 }, () => api.request('GET', `/api/cases/${id}`, { as: services.sms.id })));
      for (const r of reads) expect(r.status).toBe(200);
      const chain = await database.db.select().from(accessLog).where(sql`${accessLog.caseId} = ${id}`).orderBy(accessLog.id);
      expect(chain.every((e, i) => e.hash && e.prevId === (i === 0 ? null : chain[i - 1]?.id))).toBe(true);
      expect((await verifyHistory(database.db)).findings.filter((f) => f.check === 'access-log')).toEqual([]);
      // The tables' owner lifts the guard and rewrites one entry's note: the chain gives it away.
      const target = chain[3];
      await database.db.execute(sql`alter table access_log disable trigger access_log_no_update_delete`);
      await database.db.execute(sql`update access_log set note = 'rewritten' where id = ${target?.id}`);
      await database.db.execute(sql`alter table access_log enable trigger access_log_no_update_delete`);
      const findings = (await verifyHistory(database.db)).findings.filter((f) => f.check === 'access-log');
      expect(findings).toEqual([
        {
          caseId: id,
          check: 'access-log',
          detail: `access log entry ${target?.id}: its hash does not follow from the entry and the one before`,
        },
      ]);
      // Put back as it was, for the tests after this one.
      await database.db.execute(sql`alter table access_log disable trigger access_log_no_update_delete`);
      await database.db.execute(sql`update access_log set note = ${target?.note ?? null} where id = ${target?.id}`);
      await database.db.execute(sql`alter table access_log enable trigger access_log_no_update_delete`);
      expect((await verifyHistory(database.db)).findings.filter((f) => f.check === 'access-log')).toEqual([]);
    });
  });

  describe('GET /api/cases/:id/access-log', () => {
    it('should answer the lead’s managers and an auditor, refuse the lead’s practitioner and a commissioner, and hide the case from others', async () => {
      for (const role of ['serviceManager', 'clinicalDirector'] as const) {
        const res = await api.request('GET', `/api/cases/${id}/access-log`, { as: lead.id, role });
        expect(res.status, role).toBe(200);
        expect((res.json.items as unknown[]).length).toBeGreaterThan(0);
      }
      const audited = await api.request('GET', `/api/cases/${id}/access-log`, { as: commissioningBody, role: 'auditor' });
      expect(audited.status).toBe(200);
      expect(audited.json.items as { principal: { id: string } }[]).toContainEqual(
        expect.objectContaining({ action: 'accessLog', principal: expect.objectContaining({ id: `${commissioningBody}-auditor` }) }),
      );
      expectProblem(await api.request('GET', `/api/cases/${id}/access-log`, { as: lead.id }), 403);
      expectProblem(await api.request('GET', `/api/cases/${id}/access-log`, { as: commissioningBody, role: 'commissioner' }), 403);
      for (const role of ['practitioner', 'serviceManager'] as const) {
        const hidden = expectProblem(await api.request('GET', `/api/cases/${id}/access-log`, { as: unrelated.id, role }), 404);
        const missing = randomUUID();
        const none = expectProblem(await api.request('GET', `/api/cases/${missing}/access-log`, { as: unrelated.id, role }), 404);
        expect(JSON.stringify(hidden).replaceAll(id, ':id')).toBe(JSON.stringify(none).replaceAll(missing, ':id'));
      }
    });
  });

  describe('break-glass', () => {
    let clinician: Caller;
    const note = `${S} break-glass note`;

    beforeAll(async () => {
      clinician = await callerOf(`bg-${randomUUID().slice(0, 8)}`, breakGlassAgency.id, 'practitioner', 'Alex Breakglass');
    });

    it('should refuse a malformed request with 400 problem+json and write nothing', async () => {
      for (const bad of [
        { reason: 'emergency' },
        { reason: 'curiosity', note },
        { reason: 'emergency', note: 'too short' },
        { reason: 'emergency', note, until: '2030-01-01T00:00:00Z' },
        {},
      ]) {
        const written = await entriesWritten(async () =>
          expectProblem(await requestAs(api, clinician, 'POST', `/api/cases/${id}/break-glass`, { body: bad }), 400),
        );
        expect(written, JSON.stringify(bad)).toBe(0);
      }
      expectProblem(await requestAs(api, clinician, 'GET', `/api/cases/${id}`), 404);
    });

    it('should open the case in full for 240 minutes to a clinician who states why, recording who, why and until when', async () => {
      expectProblem(await requestAs(api, clinician, 'GET', `/api/cases/${id}`), 404);
      const expiresAt = new Date(api.now().getTime() + 240 * 60_000).toISOString();
      let granted: Awaited<ReturnType<typeof requestAs>> | undefined;
      const written = await entriesWritten(async () => {
        granted = await requestAs(api, clinician, 'POST', `/api/cases/${id}/break-glass`, { body: { reason: 'emergency', note } });
      });
      expect(granted?.status, granted?.text).toBe(201);
      expect(granted?.json).toMatchObject({ caseId: id, expiresAt, links: { self: `/api/cases/${id}` } });
      expect(written).toBe(1);
      const entry = await lastEntry();
      expect(entry).toMatchObject({
        caseId: id,
        principalId: clinician.sub,
        principalName: 'Alex Breakglass',
        agencyId: breakGlassAgency.id,
        role: 'practitioner',
        action: 'breakGlass',
        relationship: 'none',
        view: 'full',
        reason: 'emergency',
        note,
      });
      expect(entry?.expiresAt?.toISOString()).toBe(expiresAt);

      const opened = await requestAs(api, clinician, 'GET', `/api/cases/${id}`);
      expect(opened.status).toBe(200);
      const kase = caseOf(opened);
      expect(kase.access).toMatchObject({ relationship: 'breakGlass', view: 'full', breakGlassUntil: expiresAt });
      expect(kase.person?.nhsNumber).toBe(person.nhsNumber);
      expect(JSON.stringify(kase.facts)).toContain(`${S} rationale`);
      // Already in full: no second break-glass while the first lasts.
      expectProblem(await requestAs(api, clinician, 'POST', `/api/cases/${id}/break-glass`, { body: { reason: 'emergency', note } }), 403);
    });

    it('should show the access to the lead agency’s managers with the note, and to none else', async () => {
      type Shown = { caseId: string; reason: string; note: string; agencyId: string; principalName: string; expiresAt: string };
      const managers = await api.request('GET', '/api/worklist', { as: lead.id, role: 'serviceManager' });
      expect(managers.status).toBe(200);
      expect(managers.json.breakGlass as Shown[]).toContainEqual(
        expect.objectContaining({
          caseId: id,
          reference,
          agencyId: breakGlassAgency.id,
          role: 'practitioner',
          principalName: 'Alex Breakglass',
          reason: 'emergency',
          note,
        }),
      );
      const practitioner = await api.request('GET', '/api/worklist', { as: lead.id });
      expect(practitioner.json.breakGlass).toEqual([]);
      const elsewhere = await api.request('GET', '/api/worklist', { as: unrelated.id, role: 'serviceManager' });
      expect((elsewhere.json.breakGlass as Shown[]).filter((b) => b.caseId === id)).toEqual([]);
    });

    it('should list the access in the break-glass audit for a commissioner, without the clinician’s note', async () => {
      // The audit's period ends (exclusively) now: read it a minute after the access.
      api.advanceDays(1 / 1440);
      const res = await api.request('GET', '/api/audits/breakGlass', { as: commissioningBody, role: 'commissioner' });
      expect(res.status, res.text).toBe(200);
      const rows = (res.json.sections as { rows: Record<string, unknown>[] }[]).flatMap((s) => s.rows);
      expect(rows).toContainEqual(
        expect.objectContaining({ reference, agency: breakGlassAgency.id, role: 'practitioner', reason: 'emergency' }),
      );
      expect(res.text).not.toContain(S);
      expect(identifiersIn(res.text)).toEqual([]);
    });

    it('should hide the case again once the access has expired, and stop following it live', async () => {
      const following = await openStream(api, clinician.token, `/api/cases/${id}/inspect`);
      const reference = await openStream(api, await api.token(lead.id, 'clinicalDirector'), `/api/cases/${id}/inspect`);
      try {
        expect([following.status, reference.status]).toEqual([200, 200]);
        expect(await following.until((events) => events.length > 0)).toBe(true);
        expect(following.text).toContain('"context":{');
        api.advanceDays(1);
        const marker = sentinel('AfterExpiry');
        await step({ type: 'consent.record', sharing: 'given', note: marker }, lead);
        expect(await reference.until((_, text) => text.includes(marker))).toBe(true);
        await new Promise((r) => setTimeout(r, 50));
        expect(following.text.includes(marker), 'an event after the access expired reached its stream').toBe(false);
      } finally {
        await following.close();
        await reference.close();
      }
      const res = await requestAs(api, clinician, 'GET', `/api/cases/${id}`);
      expectProblem(res, 404);
      const missing = randomUUID();
      const none = await requestAs(api, clinician, 'GET', `/api/cases/${missing}`);
      expect(JSON.stringify(res.json).replaceAll(id, ':id')).toBe(JSON.stringify(none.json).replaceAll(missing, ':id'));
    });
  });

  describe('live streams', () => {
    it('should send every case’s events in each subscriber’s view: the lead in full, a commissioner pseudonymised, others nothing', async () => {
      const streams = {
        lead: await openStream(api, (await defaultCaller(api, lead.id)).token, '/api/inspect'),
        commissioner: await openStream(api, await api.token(commissioningBody, 'commissioner'), '/api/inspect'),
        onlooker: await openStream(api, await api.token(streamOnlooker.id), '/api/inspect'),
      };
      try {
        for (const s of Object.values(streams)) {
          expect(s.status).toBe(200);
          expect(await s.until((_, text) => text.includes(': connected'))).toBe(true);
        }
        const streamed = `${S} streamed note`;
        await step({ type: 'consent.record', sharing: 'given', note: streamed }, lead);
        const ofCase = (events: OpenStream['events']) => events.filter((e) => e.data.sessionId === id);
        const both = (events: OpenStream['events']) =>
          ofCase(events).some((e) => e.event === '@xstate.event') && ofCase(events).some((e) => e.event === '@xstate.snapshot');
        expect(await streams.lead.until(both)).toBe(true);
        expect(await streams.commissioner.until(both)).toBe(true);
        await new Promise((r) => setTimeout(r, 100));

        const full = ofCase(streams.lead.events);
        expect(full.find((e) => e.event === '@xstate.event')?.data.event).toMatchObject({ type: 'consent.record', note: streamed });
        expect(full.find((e) => e.event === '@xstate.snapshot')?.raw).toContain('"context":{');

        const pseudonymised = ofCase(streams.commissioner.events);
        for (const e of pseudonymised) {
          expect(identifiersIn(e.raw), e.event).toEqual([]);
          if (e.event === '@xstate.snapshot') expect(e.raw).toContain('"context":null');
          if (e.data.event) expect(Object.keys(e.data.event as object).sort()).toEqual(['at', 'type']);
        }
        expect(identifiersIn(streams.commissioner.text)).toEqual([]);

        expect(ofCase(streams.onlooker.events)).toEqual([]);
        expect(streams.onlooker.text).not.toContain(id);
      } finally {
        for (const s of Object.values(streams)) await s.close();
      }
    });

    describe('a case followed live while the subscriber’s access changes', () => {
      const cmht = services.cmht;
      /** A case led by CGL with the CMHT's involvement accepted, consent given; the CMHT and the lead follow it. */
      async function followedCase() {
        const opened = await referCase(api, { referral: { reasonForReferral: `${S} reason` } });
        const send = async (event: EventBody, as: AgencyRef) => {
          const res = await sendEvent(api, opened.id, [event, as]);
          if (res.status !== 200) throw new Error(`${event.type} answered ${res.status}: ${res.text}`);
        };
        await send(bodies.acceptReferral(), lead);
        await send(body.assessment('moderate', true), lead);
        await send(bodies.assignLead(), lead);
        const content = { suspectedDisorder: `${S} disorder`, substanceObstruction: `${S} obstruction`, hopedOutcome: `${S} outcome` };
        await send(bodies.involve(cmht, { purpose: `${S} purpose`, content }), lead);
        await send(bodies.acceptInvolvement('inv-1'), cmht);
        const streams = {
          cmht: await openStream(api, await api.token(cmht.id), `/api/cases/${opened.id}/inspect`),
          lead: await openStream(api, await api.token(lead.id, 'serviceManager'), `/api/cases/${opened.id}/inspect`),
        };
        for (const s of Object.values(streams)) {
          expect(s.status).toBe(200);
          expect(await s.until((events) => events.length > 0)).toBe(true);
        }
        expect(streams.cmht.text).toContain('"context":{');
        /** Sends an event with a marker in its note and waits until the lead's stream has it. */
        const later = async (marker: string) => {
          await send({ type: 'consent.record', sharing: 'given', note: marker }, lead);
          expect(await streams.lead.until((_, text) => text.includes(marker))).toBe(true);
          await new Promise((r) => setTimeout(r, 50));
        };
        return { id: opened.id, send, streams, later };
      }

      it('should stop sending the case to an agency whose part ended (it reads the record, it does not follow it)', async () => {
        const { send, streams, later } = await followedCase();
        try {
          await send(bodies.endInvolvement('inv-1'), lead);
          const marker = sentinel('AfterEnd');
          await later(marker);
          expect(streams.cmht.text.includes(marker), 'an event after the end reached the ended agency').toBe(false);
        } finally {
          for (const s of Object.values(streams)) await s.close();
        }
      });

      it('should withhold the facts from an involved agency once consent is refused', async () => {
        const { id, send, streams } = await followedCase();
        try {
          await send({ type: 'consent.record', sharing: 'refused' }, lead);
          const marker = sentinel('AfterRefusal');
          const res = await sendEvent(api, id, [{ type: 'consent.record', sharing: 'refused', note: marker }, lead]);
          expect(res.status).toBe(200);
          expect(await streams.lead.until((_, text) => text.includes(marker))).toBe(true);
          await new Promise((r) => setTimeout(r, 50));
          // The CMHT now has the restricted view (machines/access.ts): its stream is pseudonymised, if it goes on at all.
          expect(decide('practitioner', 'stream', 'involved', 'notGiven')).toBe('pseudonymised');
          expect(streams.cmht.text.includes(marker), 'a note sent after consent was refused reached the involved agency').toBe(false);
          const after = streams.cmht.events.slice(-2);
          for (const e of after.filter((e) => e.event === '@xstate.snapshot')) expect(e.raw).toContain('"context":null');
        } finally {
          for (const s of Object.values(streams)) await s.close();
        }
      });
    });

    it('should refuse a stream over the cap of one person with 429 and Retry-After, and free a slot when one closes', async () => {
      const person = await callerOf(`streams-${randomUUID().slice(0, 8)}`, lead.id, 'practitioner');
      const open: OpenStream[] = [];
      try {
        for (let n = 0; n < cap; n++) {
          const s = await openStream(api, person.token, '/api/inspect');
          open.push(s);
          expect(s.status, `stream ${n + 1} of ${cap}`).toBe(200);
        }
        const over = await openStream(api, person.token, '/api/inspect');
        expect(over.status, `stream ${cap + 1}`).toBe(429);
        expect(over.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(over.json).toMatchObject({ status: 429, type: expect.stringMatching(/too-many-streams$/), detail: expect.any(String) });
        // Another person of the same agency has streams of their own.
        const colleague = await openStream(
          api,
          (await callerOf(`colleague-${randomUUID().slice(0, 8)}`, lead.id, 'practitioner')).token,
          '/api/inspect',
        );
        open.push(colleague);
        expect(colleague.status).toBe(200);

        await open.shift()?.close();
        const again = await openStream(api, person.token, '/api/inspect');
        open.push(again);
        expect(again.status).toBe(200);
      } finally {
        for (const s of open) await s.close();
      }
    });

    it('should write no access-log entry for a case stream refused over the cap', async () => {
      const person = await callerOf(`case-streams-${randomUUID().slice(0, 8)}`, lead.id, 'practitioner');
      const open: OpenStream[] = [];
      try {
        const written = await entriesWritten(async () => {
          for (let n = 0; n < cap; n++) open.push(await openStream(api, person.token, `/api/cases/${id}/inspect`));
        });
        expect(open.map((s) => s.status)).toEqual(Array(cap).fill(200));
        expect(written).toBe(cap);
        let refused: OpenStream | undefined;
        const afterCap = await entriesWritten(async () => {
          refused = await openStream(api, person.token, `/api/cases/${id}/inspect`);
        });
        expect(refused?.status).toBe(429);
        expect(afterCap, 'a refused subscription is recorded as a read').toBe(0);
      } finally {
        for (const s of open) await s.close();
      }
    });
  });
});

/**
 * The access matrix (machines/access.ts) tried cell by cell against the live API — on every backend. Each cell is a
 * principal role, a case action, the relationship of the principal's agency to the case and the person's consent;
 * `decide` says what the answer must be, and the answer is checked in content, not only in status.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../../db/schema/index.ts';
import {
  type CaseAction,
  type ConsentState,
  caseActions,
  consentFor,
  consentStates,
  decide,
  forbiddenBecause,
  isOversightRole,
  type Outcome,
  type PrincipalRole,
  principalRoles,
  type Relationship,
  relationshipOf,
  relationships,
  type Ties,
} from '../../machines/access.ts';
import type { AgencyRef, EventBody } from '../../machines/index.ts';
import { type Caller, callerOf, defaultCaller, openStream, requestAs, sentinel, withoutId } from '../support/access.ts';
import type { TestApi } from '../support/api.ts';
import type { ApiResponse, CaseSummary } from '../support/apiChecks.ts';
import { commissioningBody, type NewPerson, referCase, sendEvent, service, services } from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { bodies, body } from '../support/pathwayFactory.ts';
import { useApi } from '../support/suite.ts';

/** Every free-text field this suite sends carries it: no pseudonymised answer may. */
const S = sentinel('Matrix');

/** The agency in each relationship to every case of the suite (the same agencies in each consent state). */
const parts = {
  lead: services.sms,
  involved: services.cmht,
  pending: services.asc,
  referrer: services.primary,
  past: service('medway-substance-misuse-care-management-team'),
  none: service('kmpt-eip-east-kent'),
  breakGlass: services.smsEast,
} satisfies Record<Relationship, AgencyRef>;

/** A case of the suite: one per consent state, each with an agency in every relationship. */
type Scene = { consent: ConsentState; id: string; person: NewPerson; sharing: 'given' | 'refused'; pastUntil: string };

/** Cells no real case can produce, with the reason; every other cell is tried. */
function unreachable(role: PrincipalRole, relationship: Relationship, consent: ConsentState): string | null {
  if ((relationship === 'none' || relationship === 'breakGlass') && consent === 'groundRecorded')
    return 'a need-to-know ground is recorded only for an agency an event brought into the case';
  if (relationship === 'breakGlass' && isOversightRole(role)) return 'an oversight role cannot break glass';
  return null;
}

const BREAK_GLASS_MINUTES = 240;

describe.each(backends)('the access matrix on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ database, api } = opened);
  });

  const scenes = {} as Record<ConsentState, Scene>;
  /** The clinicians of an unrelated agency who broke glass on the given and not-given cases, per role. */
  const breakGlassCallers = {} as Record<PrincipalRole, Caller>;
  const counts = { tried: 0, skipped: 0, byAction: {} as Record<string, number> };
  let fresh = 0;

  /** A case brought to joint care with the lead, an involvement in each state, and consent as `consent` needs. */
  async function buildScene(consent: ConsentState): Promise<Scene> {
    const ground = consent === 'groundRecorded' ? ({ needToKnow: 'highRisk' } as const) : {};
    const sharing = consent === 'given' ? 'given' : 'refused';
    const atReferral =
      consent === 'groundRecorded' ? ({ sharing: 'refused', needToKnow: 'highRisk' } as const) : ({ sharing: 'given' } as const);
    const hex = randomUUID().slice(0, 8);
    const opened = await referCase(api, {
      person: { givenName: `Given${hex}`, familyName: `Family${hex}` },
      referral: {
        reasonForReferral: `${S} reason for referral`,
        referrer: { name: `${S} referrer`, agencyId: parts.referrer.id, qualification: 'other' },
        consent: atReferral,
      },
    });
    const id = opened.id;
    const step = async (event: EventBody, as: AgencyRef) => {
      api.advanceDays(1);
      const res = await sendEvent(api, id, [event, as]);
      if (res.status !== 200) throw new Error(`setting up ${consent}: ${event.type} answered ${res.status}: ${res.text}`);
      return res;
    };
    await step(bodies.acceptReferral(), parts.lead);
    await step(
      body.assessment('moderate', true, {
        housing: `${S} housing`,
        supportNetwork: `${S} support network`,
        substanceUse: { substances: ['alcohol'], currentUse: `${S} current use`, dependent: true, readiness: 'contemplation' },
        consent: atReferral,
      }),
      parts.lead,
    );
    await step(bodies.assignLead({ rationale: `${S} lead rationale` }), parts.lead);
    const content = { suspectedDisorder: `${S} disorder`, substanceObstruction: `${S} obstruction`, hopedOutcome: `${S} outcome` };
    await step(bodies.involve(parts.involved, { purpose: `${S} purpose`, content, ...ground }), parts.lead);
    await step(bodies.acceptInvolvement('inv-1'), parts.involved);
    await step(bodies.involve(parts.pending, { purpose: `${S} purpose`, ...ground }), parts.lead);
    await step(bodies.involve(parts.past, { purpose: `${S} purpose`, ...ground }), parts.lead);
    await step(
      bodies.declineInvolvement('inv-3', { explanation: `${S} explanation`, recommendationToReferrer: `${S} recommendation` }),
      parts.past,
    );
    // One event after the declined involvement ended (the past agency's history stops before it): for `notGiven`, the
    // refusal of consent, once every agency was brought in without a ground; otherwise consent recorded as it stands.
    await step({ type: 'consent.record', sharing, note: `${S} consent note` }, parts.lead);

    const [row] = await database.db.select().from(cases).where(eq(cases.id, id));
    const ties = (row?.ties ?? {}) as Ties;
    for (const relationship of ['lead', 'involved', 'pending', 'referrer', 'past', 'none'] as const) {
      const got = relationshipOf(ties, parts[relationship].id);
      const gotConsent = consentFor(sharing, got.tie);
      const wanted = relationship === 'none' && consent === 'groundRecorded' ? 'notGiven' : consent;
      if (got.relationship !== relationship || gotConsent !== wanted)
        throw new Error(
          `setting up ${consent}: ${parts[relationship].id} is ${got.relationship}/${gotConsent}, not ${relationship}/${wanted}`,
        );
    }
    const pastUntil = ties[parts.past.id]?.until;
    if (!pastUntil) throw new Error('the declined involvement left no ended tie');
    return { consent, id, person: opened.person, sharing, pastUntil };
  }

  beforeAll(async () => {
    for (const consent of consentStates) scenes[consent] = await buildScene(consent);
    // The cells run a day after the last event of the set-up: their own events come after the past agency's end.
    api.advanceDays(1);
    for (const role of principalRoles) {
      breakGlassCallers[role] = await callerOf(`breakglass-${role}-${randomUUID().slice(0, 8)}`, parts.breakGlass.id, role);
      if (isOversightRole(role)) continue;
      for (const consent of ['given', 'notGiven'] as const) {
        const res = await requestAs(api, breakGlassCallers[role], 'POST', `/api/cases/${scenes[consent].id}/break-glass`, {
          body: { reason: 'emergency', note: `${S} break-glass note` },
        });
        if (res.status !== 201) throw new Error(`break-glass by ${role} on ${consent} answered ${res.status}: ${res.text}`);
      }
    }
  }, 60_000);

  /** The caller in a cell: the agency in that relationship in that role (a fresh person where the cell changes state). */
  async function callerFor(role: PrincipalRole, relationship: Relationship, action: CaseAction): Promise<Caller> {
    if (relationship === 'breakGlass') return breakGlassCallers[role];
    const agency = parts[relationship].id;
    // A granted break-glass access lasts: each try is made by a person of its own, so it changes no other cell.
    if (action === 'breakGlass') return callerOf(`${agency}-${role}-cell-${++fresh}`, agency, role);
    return defaultCaller(api, agency, role);
  }

  const eventBody = (scene: Scene): EventBody => ({ type: 'consent.record', sharing: scene.sharing, note: `${S} consent note by a cell` });

  /** The action's request, as the caller, on a case (for a stream: opened, its first event read, and closed). */
  async function perform(action: CaseAction, caller: Caller, caseId: string, scene: Scene): Promise<ApiResponse> {
    switch (action) {
      case 'read':
        return requestAs(api, caller, 'GET', `/api/cases/${caseId}`);
      case 'history':
        return requestAs(api, caller, 'GET', `/api/cases/${caseId}/events`);
      case 'accessLog':
        return requestAs(api, caller, 'GET', `/api/cases/${caseId}/access-log`);
      case 'breakGlass':
        return requestAs(api, caller, 'POST', `/api/cases/${caseId}/break-glass`, {
          body: { reason: 'emergency', note: `${S} break-glass note by a cell` },
        });
      case 'event': {
        const version = (await api.versionOf(scene.id)) ?? 1;
        return requestAs(api, caller, 'POST', `/api/cases/${caseId}/events`, {
          body: eventBody(scene),
          headers: { 'If-Match': `"${version}"` },
        });
      }
      case 'stream': {
        const stream = await openStream(api, caller.token, `/api/cases/${caseId}/inspect`);
        if (stream.status === 200) await stream.until((events) => events.length > 0);
        await stream.close();
        return { status: stream.status, headers: stream.headers, json: (stream.json ?? {}) as ApiResponse['json'], text: stream.text };
      }
    }
  }

  /** What of the person or of the free text sent is in a text. */
  const leaksIn = (text: string, scene: Scene): string[] =>
    [scene.person.givenName, scene.person.familyName, scene.person.nhsNumber, scene.person.dateOfBirth, S].filter((s) => text.includes(s));

  const isProblem = (res: ApiResponse) => /^application\/problem\+json/.test(res.headers.get('content-type') ?? '');

  /** A refusal by the policy: 403 problem+json that names no pathway rule, with the policy's reason. */
  function policyRefusal(res: ApiResponse, role: PrincipalRole, action: CaseAction, relationship: Relationship): string[] {
    if (res.status !== 403) return [`answered ${res.status}, not 403: ${res.text.slice(0, 300)}`];
    const out: string[] = [];
    if (!isProblem(res)) out.push(`403 is ${res.headers.get('content-type')}, not problem+json`);
    if (res.json?.blockedBy) out.push(`a policy refusal names pathway rules: ${res.text.slice(0, 300)}`);
    const reason = action === 'event' ? role : forbiddenBecause(role, action, relationship);
    if (!String(res.json?.detail ?? '').includes(reason)) out.push(`the reason given is "${res.json?.detail}", not "${reason}"`);
    return out;
  }

  /** Hidden: 404, answered exactly as for a case that does not exist. */
  async function hiddenAnswer(res: ApiResponse, action: CaseAction, caller: Caller, scene: Scene): Promise<string[]> {
    const missing = randomUUID();
    const reference = await perform(action, caller, missing, scene);
    const out: string[] = [];
    if (res.status !== 404) out.push(`answered ${res.status}, not 404: ${res.text.slice(0, 300)}`);
    if (reference.status !== 404) out.push(`a case that does not exist answered ${reference.status}`);
    if (!isProblem(res)) out.push('the 404 is not problem+json');
    if (withoutId(res.json, scene.id) !== withoutId(reference.json, missing))
      out.push(`the 404 differs from a missing case's: ${withoutId(res.json, scene.id)} vs ${withoutId(reference.json, missing)}`);
    return out;
  }

  /** A case answer (read, or an applied event) in the view `view`, with the caller's access told right. */
  function caseView(res: ApiResponse, view: Outcome, relationship: Relationship, consent: ConsentState, scene: Scene): string[] {
    if (res.status !== 200) return [`answered ${res.status}, not 200: ${res.text.slice(0, 300)}`];
    const out: string[] = [];
    const j = res.json as { person?: { nhsNumber?: string; givenName?: string }; facts?: unknown; access?: Record<string, unknown> };
    if (j.access?.relationship !== relationship) out.push(`access.relationship is ${j.access?.relationship}`);
    if (j.access?.view !== view) out.push(`access.view is ${j.access?.view}`);
    if (j.access?.consent !== consent) out.push(`access.consent is ${j.access?.consent}`);
    if (view === 'full' || view === 'restricted') {
      if (j.person?.nhsNumber !== scene.person.nhsNumber || j.person?.givenName !== scene.person.givenName)
        out.push('the person is not named');
      if (view === 'full' && !(j.facts && JSON.stringify(j.facts).includes(S))) out.push('the full view has no facts');
      if (view === 'restricted' && j.facts !== null) out.push('the restricted view has facts');
    } else if (view === 'pseudonymised') {
      if ('person' in j) out.push('a pseudonymised view has a person');
      if (j.facts !== null) out.push('a pseudonymised view has facts');
      const leaks = leaksIn(res.text, scene);
      if (leaks.length) out.push(`a pseudonymised view holds ${leaks.join(', ')}`);
    }
    return out;
  }

  /** Checks one cell's live answer against the decision; returns what is wrong (nothing when it matches). */
  async function checkCell(
    role: PrincipalRole,
    action: CaseAction,
    relationship: Relationship,
    consent: ConsentState,
    expected: Outcome,
  ): Promise<string[]> {
    const scene = scenes[consent];
    const caller = await callerFor(role, relationship, action);
    const res = await perform(action, caller, scene.id, scene);
    if (expected === 'hidden') return hiddenAnswer(res, action, caller, scene);
    if (expected === 'forbidden') return policyRefusal(res, role, action, relationship);
    switch (action) {
      case 'read':
        return caseView(res, expected, relationship, consent, scene);
      case 'history': {
        if (res.status !== 200) return [`answered ${res.status}, not 200: ${res.text.slice(0, 300)}`];
        const out: string[] = [];
        const items = (res.json.items ?? []) as { payload: Record<string, unknown>; withheld: boolean; at: string }[];
        const access = res.json.access as { view?: string; until?: string | null } | undefined;
        if (items.length === 0) out.push('no history');
        if (access?.view !== expected) out.push(`access.view is ${access?.view}`);
        if (expected === 'full') {
          if (items.some((e) => e.withheld)) out.push('the full history withholds payloads');
          if (!JSON.stringify(items).includes(S)) out.push('the full history holds no payload sent');
        } else {
          if (items.some((e) => !e.withheld || Object.keys(e.payload).length > 0)) out.push(`the ${expected} history shows payloads`);
          if (res.text.includes(S)) out.push(`the ${expected} history holds free text`);
          if (expected === 'pseudonymised') {
            const leaks = leaksIn(res.text, scene);
            if (leaks.length) out.push(`a pseudonymised history holds ${leaks.join(', ')}`);
          }
        }
        if (relationship === 'past' && !isOversightRole(role)) {
          // The agency's part ended: its history stops there.
          const total = (await api.versionOf(scene.id)) ?? 0;
          if (access?.until !== scene.pastUntil) out.push(`access.until is ${access?.until}, not ${scene.pastUntil}`);
          if (items.some((e) => e.at > scene.pastUntil) || items.length >= total) out.push('the history goes past the end of the tie');
        }
        return out;
      }
      case 'stream': {
        if (res.status !== 200) return [`answered ${res.status}, not 200: ${res.text.slice(0, 300)}`];
        const out: string[] = [];
        if (!/^data: .*"type":"@xstate\.actor"/m.test(res.text)) out.push(`no announcement of the case: ${res.text.slice(0, 200)}`);
        if (expected === 'full') {
          if (!res.text.includes('"context":{') || !res.text.includes(S)) out.push('the full stream has no context with the case’s facts');
        } else {
          if (!res.text.includes('"context":null')) out.push('the pseudonymised stream has a context');
          const leaks = leaksIn(res.text, scene);
          if (leaks.length) out.push(`a pseudonymised stream holds ${leaks.join(', ')}`);
        }
        return out;
      }
      case 'event': {
        // Permitted to try: then the pathway's guards decide, naming their rule when they refuse.
        if (res.status === 404) return ['answered 404: the policy hid a case it lets this caller act on'];
        if (res.status === 200) return caseView(res, decide(role, 'read', relationship, consent), relationship, consent, scene);
        if ((res.status === 403 || res.status === 422) && res.json?.blockedBy) return [];
        return [`answered ${res.status} without a pathway rule: ${res.text.slice(0, 300)}`];
      }
      case 'accessLog': {
        if (res.status !== 200) return [`answered ${res.status}, not 200: ${res.text.slice(0, 300)}`];
        const items = (res.json.items ?? []) as { principal: { id: string }; action: string }[];
        // Newest first: this very read is the first entry.
        return items[0]?.principal.id === caller.sub && items[0]?.action === 'accessLog' ? [] : ['the log does not begin with this read'];
      }
      case 'breakGlass': {
        if (res.status !== 201) return [`answered ${res.status}, not 201: ${res.text.slice(0, 300)}`];
        const out: string[] = [];
        const until = new Date(api.now().getTime() + BREAK_GLASS_MINUTES * 60_000).toISOString();
        if (res.json.expiresAt !== until) out.push(`expiresAt is ${res.json.expiresAt}, not ${until}`);
        const now = await requestAs(api, caller, 'GET', `/api/cases/${scene.id}`);
        out.push(...caseView(now, 'full', 'breakGlass', consent, scene).map((p) => `after breaking glass: ${p}`));
        return out;
      }
    }
  }

  for (const action of caseActions) {
    it(`${action}: answers every role, relationship and consent as the policy decides`, async () => {
      const mismatches: string[] = [];
      for (const role of principalRoles)
        for (const relationship of relationships)
          for (const consent of consentStates) {
            if (unreachable(role, relationship, consent)) {
              counts.skipped++;
              continue;
            }
            counts.tried++;
            counts.byAction[action] = (counts.byAction[action] ?? 0) + 1;
            const expected = decide(role, action, relationship, consent);
            const wrong = await checkCell(role, action, relationship, consent, expected);
            for (const w of wrong) mismatches.push(`${role} × ${action} × ${relationship} × ${consent} (→ ${expected}): ${w}`);
          }
      expect(mismatches).toEqual([]);
    });
  }

  it('lists to a care role only the cases its agency has or had a part in, and to oversight roles every case without the person', async () => {
    const ids = consentStates.map((c) => scenes[c].id);
    const rows = await database.db.select({ id: cases.id, ties: cases.ties }).from(cases);
    const tiesOf = new Map(rows.map((r) => [r.id, (r.ties ?? {}) as Ties]));
    for (const [relationship, agency] of Object.entries(parts) as [Relationship, AgencyRef][]) {
      for (const role of ['practitioner', 'serviceManager'] as const) {
        const res = await api.request('GET', '/api/cases?limit=200', { as: agency.id, role });
        expect(res.status, `${agency.id} ${role}`).toBe(200);
        const listed = (res.json.items as CaseSummary[]).map((i) => i.id);
        // Current or ended ties are listed; none, and break-glass, give no part in a case.
        const part = relationship !== 'none' && relationship !== 'breakGlass';
        for (const id of ids) expect(listed.includes(id), `${relationship} ${agency.id} ${role} lists ${id}`).toBe(part);
        for (const id of listed)
          expect(Object.keys(tiesOf.get(id) ?? {}), `${agency.id} lists ${id} it has no part in`).toContain(agency.id);
        expect(res.text).not.toContain(S);
      }
    }
    for (const role of ['commissioner', 'auditor'] as const) {
      for (const agency of [commissioningBody, parts.none.id, parts.lead.id]) {
        const res = await api.request('GET', '/api/cases?limit=200', { as: agency, role });
        expect(res.status, `${agency} ${role}`).toBe(200);
        const items = res.json.items as (CaseSummary & { person?: unknown })[];
        for (const id of ids) expect(items.map((i) => i.id)).toContain(id);
        expect(items.filter((i) => 'person' in i)).toEqual([]);
        for (const consent of consentStates) expect(leaksIn(res.text, scenes[consent])).toEqual([]);
      }
    }
  });

  describe('an agency whose part ended', () => {
    /** Recorded after the past agency's involvement was declined: the same instant, and a day later. */
    const sameInstant = sentinel('SameInstant');
    const dayLater = sentinel('DayLater');
    let id: string;
    let declinedAt: string;

    beforeAll(async () => {
      const opened = await referCase(api, { referral: { reasonForReferral: `${S} reason for referral` } });
      id = opened.id;
      const step = async (event: EventBody, as: AgencyRef) => {
        const res = await sendEvent(api, id, [event, as]);
        if (res.status !== 200) throw new Error(`${event.type} answered ${res.status}: ${res.text}`);
        return res;
      };
      api.advanceDays(1);
      await step(bodies.acceptReferral(), parts.lead);
      await step(body.assessment('moderate', true), parts.lead);
      await step(bodies.assignLead(), parts.lead);
      api.advanceDays(1);
      await step(bodies.involve(parts.past, { purpose: `${S} purpose` }), parts.lead);
      api.advanceDays(1);
      await step(bodies.declineInvolvement('inv-1'), parts.past);
      declinedAt = api.now().toISOString();
      // The clock has not moved: the next event is stamped with the same instant as the decline.
      await step(bodies.involve(services.asc, { purpose: sameInstant }), parts.lead);
      api.advanceDays(1);
      await step(bodies.involve(service('medway-mental-health-social-work-team'), { purpose: dayLater }), parts.lead);
    });

    it('reads the history up to the end of its part, not what was recorded after', async () => {
      const res = await api.request('GET', `/api/cases/${id}/events`, { as: parts.past.id });
      expect(res.status).toBe(200);
      expect(res.json.access).toMatchObject({ view: 'full', until: declinedAt });
      expect(res.text.includes(`${S} purpose`), 'the history before the end is shown').toBe(true);
      expect(res.text.includes(dayLater), 'an event of the next day is shown').toBe(false);
    });

    it('reads the history up to the event that ended its part, even when a later one has the same instant', async () => {
      const res = await api.request('GET', `/api/cases/${id}/events`, { as: parts.past.id });
      expect(res.status).toBe(200);
      const items = res.json.items as { seq: number; type: string }[];
      // referral.make, referral.accept, assessment.record, lead.assign, involvement.request, involvement.decline.
      expect(items.map((e) => `${e.seq} ${e.type}`).slice(4)).toEqual(['5 involvement.request', '6 involvement.decline']);
      expect(res.text.includes(sameInstant), 'an event after the end, in the same instant, is shown').toBe(false);
    });

    it('reads the case without what was recorded after its part ended', async () => {
      const res = await api.request('GET', `/api/cases/${id}`, { as: parts.past.id });
      const view = decide('practitioner', 'read', 'past', 'given');
      expect(res.status).toBe(200);
      expect(res.json.access).toMatchObject({ relationship: 'past', view, consent: 'given', until: declinedAt });
      if (view === 'full') expect(JSON.stringify(res.json.facts).includes(`${S} purpose`), 'the facts before the end are shown').toBe(true);
      expect(res.text.includes(dayLater), 'a fact recorded the next day is shown').toBe(false);
      expect(res.text.includes(sameInstant), 'a fact recorded after the end, in the same instant, is shown').toBe(false);
    });
  });

  it('tries at least 85% of the cells a real case can produce', () => {
    const total = principalRoles.length * caseActions.length * relationships.length * consentStates.length;
    const reachable =
      principalRoles.flatMap((role) =>
        relationships.flatMap((relationship) => consentStates.filter((consent) => !unreachable(role, relationship, consent))),
      ).length * caseActions.length;
    console.info(
      `[access matrix on ${backend.name}] ${counts.tried} cells tried of ${reachable} reachable; ${counts.skipped} skipped as unreachable ` +
        `(none/breakGlass with a recorded ground, oversight roles breaking glass); ${total} cells in all; per action ${JSON.stringify(counts.byAction)}`,
    );
    expect(counts.tried + counts.skipped).toBe(total);
    expect(counts.tried / reachable).toBeGreaterThanOrEqual(0.85);
  });
});

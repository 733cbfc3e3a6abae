/** Factories for pathway tests: agencies, actors and complete, valid events built from a few choices. */
import type { Actor, AgencyRef, EventBody, EventType, PathwayEvent } from '../../machines/index.ts';
import { eventBodies } from '../../machines/index.ts';

export const agencies = {
  cmht: { id: 'kmpt-cmht-maidstone', kind: 'MHS', service: 'CMHT', name: 'Maidstone CMHT' },
  eip: { id: 'kmpt-eip-west-kent', kind: 'MHS', service: 'EIP', name: 'West Kent EIP' },
  inpatient: { id: 'kmpt-ward-priority-house', kind: 'MHS', service: 'INPATIENT', name: 'Priority House' },
  sms: { id: 'cgl-west-kent', kind: 'SMS', name: 'CGL West Kent' },
  sms2: { id: 'forward-trust-east-kent', kind: 'SMS', name: 'Forward Trust East Kent' },
  gp: { id: 'gp-brewer-street', kind: 'PRIMARY', name: 'Brewer Street Surgery' },
  iapt: { id: 'iapt-west-kent', kind: 'IAPT', name: 'West Kent talking therapies' },
  asc: { id: 'kcc-asc-west', kind: 'ASC', name: 'KCC Adult Social Care' },
  liveWell: { id: 'live-well-kent', kind: 'WRAPAROUND', name: 'Live Well Kent' },
  outOfArea: { id: 'ooa-sussex-sms', kind: 'OUT_OF_AREA', name: 'Sussex drug and alcohol service' },
} as const satisfies Record<string, AgencyRef>;
export type AgencyKey = keyof typeof agencies;

/** A practitioner (or manager, director, system) of an agency. */
export const actorOf = (agency: AgencyKey, role: Actor['role'] = 'practitioner', id = `${agency}-${role}`): Actor => ({
  id,
  agencyId: agencies[agency].id,
  agencyKind: agencies[agency].kind,
  role,
});
export const systemActor: Actor = { id: 'engine', agencyId: 'engine', agencyKind: 'OUT_OF_AREA', role: 'system' };

/** A clock the tests advance by hand: events carry their own time (the machine reads no clock). */
export function clock(start = '2026-01-05T09:00:00.000Z') {
  let now = Date.parse(start);
  return {
    now: () => new Date(now).toISOString(),
    advanceDays: (days: number) => {
      now += days * 86_400_000;
    },
  };
}

/** Stamps a body as the engine does; the body is parsed by its schema so defaults apply as in production. */
export function stamp(body: EventBody, actor: Actor, at: string): PathwayEvent {
  const { type, ...rest } = body;
  const parsed = eventBodies[type as EventType].parse(rest);
  return { type, ...parsed, actor, at } as PathwayEvent;
}

const plan = {
  roles: [{ agencyId: agencies.sms.id, responsibility: 'substance misuse key work' }],
  relapseIndicators: ['missed appointments', 'increased drinking'],
  risks: ['overdose'],
  safetyPlan: 'crisis line numbers shared; naloxone supplied',
  agreedWithPerson: true,
  cpa: false,
};

/** Valid bodies for each event; override any field to make it invalid. */
export const body = {
  referral: (to: AgencyRef, over: Partial<Extract<EventBody, { type: 'referral.make' }>> = {}): EventBody => ({
    type: 'referral.make',
    source: 'GP',
    referrer: { name: 'Dr Patel', qualification: 'other' },
    to,
    person: { ageYears: 34, residency: 'permanent', area: 'WEST_KENT' },
    reasonForReferral: 'Low mood and daily heavy drinking',
    consent: { sharing: 'given' },
    ...over,
  }),
  assessment: (
    mentalHealth: 'mild' | 'moderate' | 'severe',
    dependent: boolean,
    over: Partial<Extract<EventBody, { type: 'assessment.record' }>> = {},
  ): EventBody => ({
    type: 'assessment.record',
    mentalHealth,
    substanceUse: { substances: ['alcohol'], currentUse: '40 units a week', dependent, readiness: 'contemplation' },
    housing: 'Private rented, stable',
    supportNetwork: 'Sister nearby',
    risks: { toSelf: 'moderate', toOthers: 'low', selfNeglect: false, safeguarding: false },
    scores: { phq9: 14, audit: 22 },
    canServiceAloneSupport: true,
    consent: { sharing: 'given' },
    ...over,
  }),
  reassessment: (mentalHealth: 'mild' | 'moderate' | 'severe', dependent: boolean): EventBody => ({
    type: 'assessment.review',
    mentalHealth,
    substanceUse: { substances: ['alcohol'], currentUse: 'daily', dependent, readiness: 'preparation' },
    risks: { toSelf: 'high', toOthers: 'low', selfNeglect: false, safeguarding: false },
  }),
  carePlan: (over: Partial<Extract<EventBody, { type: 'careplan.agree' }>> = {}): EventBody => ({
    type: 'careplan.agree',
    ...plan,
    ...over,
  }),
  handover: (to: AgencyRef, over: Partial<Extract<EventBody, { type: 'handover.request' }>> = {}): EventBody => ({
    type: 'handover.request',
    to,
    reason: 'stepUp',
    carePlan: plan,
    riskSummary: 'High risk to self since relapse',
    personInformed: true,
    senderContinuesAsSupport: true,
    ...over,
  }),
  close: (over: Partial<Extract<EventBody, { type: 'case.close' }>> = {}): EventBody => ({
    type: 'case.close',
    reason: 'dischargedToGp',
    personInformed: true,
    gpInformed: true,
    ...over,
  }),
};

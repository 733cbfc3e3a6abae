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
  // R-CNA: harmless outside Q1 and Q2, required within them from pathway version 2.
  careNeedsAssessment: 'offered' as const,
  addressesSelfNeglectAndSafeguarding: true,
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
    household: { dependentChildren: false, caringResponsibilities: false },
    ...over,
  }),
  reassessment: (mentalHealth: 'mild' | 'moderate' | 'severe', dependent: boolean): EventBody => ({
    type: 'assessment.review',
    mentalHealth,
    substanceUse: { substances: ['alcohol'], currentUse: 'daily', dependent, readiness: 'preparation' },
    risks: { toSelf: 'high', toOthers: 'low', selfNeglect: false, safeguarding: false },
    // R-RISK-CHANGE: every service a test case can hold is told of the change of risk.
    notified: Object.values(agencies).map((a) => a.id),
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
    careComplete: true,
    ...over,
  }),
};

/** A named care coordinator, as a lead names one (R-LEAD-ONE). */
export const coordinator = (name = 'Sam Okafor', id = `coord-${name.toLowerCase().replace(/\W+/g, '-')}`) => ({ id, name });

/** Further valid bodies, beside `body`; override any field to make them invalid. */
export const bodies = {
  /** The valid joint care plan the handover factory carries, for overriding one field. */
  carePlanInput: () => ({ ...plan, roles: [...plan.roles], relapseIndicators: [...plan.relapseIndicators], risks: [...plan.risks] }),
  acceptReferral: (): EventBody => ({ type: 'referral.accept' }),
  declineReferral: (over: Partial<Extract<EventBody, { type: 'referral.decline' }>> = {}): EventBody => ({
    type: 'referral.decline',
    reason: 'needsBetterMetElsewhere',
    explanation: 'Your needs are better met by your GP and talking therapies',
    writtenToPerson: true,
    recommendationToReferrer: 'Refer to West Kent talking therapies',
    rightToChallengeGiven: true,
    ...over,
  }),
  redirect: (to: AgencyRef, over: Partial<Extract<EventBody, { type: 'referral.redirect' }>> = {}): EventBody => ({
    type: 'referral.redirect',
    to,
    note: 'Drinking is the main need; passed to the local drug and alcohol service',
    ...over,
  }),
  assignLead: (over: Partial<Extract<EventBody, { type: 'lead.assign' }>> = {}): EventBody => ({
    type: 'lead.assign',
    coordinator: coordinator(),
    ...over,
  }),
  proposeLead: (to: AgencyRef, over: Partial<Extract<EventBody, { type: 'lead.propose' }>> = {}): EventBody => ({
    type: 'lead.propose',
    to,
    ...over,
  }),
  acceptLead: (name = 'Jo Reed'): EventBody => ({ type: 'lead.accept', coordinator: coordinator(name) }),
  retainLead: (rationale?: string): EventBody => ({ type: 'lead.retain', rationale }),
  involve: (to: AgencyRef, over: Partial<Extract<EventBody, { type: 'involvement.request' }>> = {}): EventBody => ({
    type: 'involvement.request',
    to,
    purpose: 'Joint working on both conditions',
    ...over,
  }),
  acceptInvolvement: (involvementId: string): EventBody => ({ type: 'involvement.accept', involvementId }),
  startInvolvement: (involvementId: string): EventBody => ({ type: 'involvement.start', involvementId }),
  endInvolvement: (involvementId: string): EventBody => ({ type: 'involvement.end', involvementId }),
  declineInvolvement: (involvementId: string, over: Partial<Extract<EventBody, { type: 'involvement.decline' }>> = {}): EventBody => ({
    type: 'involvement.decline',
    involvementId,
    reason: 'needsBetterMetElsewhere',
    explanation: 'Needs are met by the current services',
    writtenToPerson: true,
    recommendationToReferrer: 'Continue with the drug and alcohol service',
    rightToChallengeGiven: true,
    ...over,
  }),
  acceptHandover: (name = 'Jo Reed'): EventBody => ({ type: 'handover.accept', coordinator: coordinator(name) }),
  declineHandover: (over: Partial<Extract<EventBody, { type: 'handover.decline' }>> = {}): EventBody => ({
    type: 'handover.decline',
    reason: 'needsBetterMetElsewhere',
    explanation: 'Psychosis not confirmed; the drug and alcohol service remains best placed',
    ...over,
  }),
  withdrawHandover: (): EventBody => ({ type: 'handover.withdraw', note: 'Person moved back into stable accommodation' }),
  raiseDispute: (about = 'Who should lead after the step-up', proposedLead?: AgencyRef): EventBody => ({
    type: 'dispute.raise',
    about,
    ...(proposedLead ? { proposedLead } : {}),
  }),
  escalateDispute: (): EventBody => ({ type: 'dispute.escalate', note: 'Service managers could not agree' }),
  resolveDispute: (lead: AgencyRef, over: Partial<Extract<EventBody, { type: 'dispute.resolve' }>> = {}): EventBody => ({
    type: 'dispute.resolve',
    lead,
    coordinator: coordinator('Jo Reed'),
    outcome: 'Agreed at the clinical directors meeting',
    ...over,
  }),
  /** R-DISPUTE (pathway version 2): one side proposes a resolution… */
  proposeResolution: (lead?: AgencyRef, over: Partial<Extract<EventBody, { type: 'dispute.propose' }>> = {}): EventBody => ({
    type: 'dispute.propose',
    outcome: 'Agreed between the service managers',
    ...(lead ? { lead } : {}),
    ...over,
  }),
  /** …and the other side confirms it; a new lead names its coordinator. */
  confirmResolution: (name?: string): EventBody => ({ type: 'dispute.confirm', ...(name ? { coordinator: coordinator(name) } : {}) }),
  /** R-SAFEGUARDING (pathway version 2): the decision on a concern. */
  safeguardingDecision: (over: Partial<Extract<EventBody, { type: 'safeguarding.decide' }>> = {}): EventBody => ({
    type: 'safeguarding.decide',
    decision: 'alertRaised',
    localAuthority: 'KCC Adult Safeguarding',
    sharedWith: [],
    ...over,
  }),
  review: (over: Partial<Extract<EventBody, { type: 'careplan.review' }>> = {}): EventBody => ({
    type: 'careplan.review',
    attendees: [{ name: 'Sam Okafor', agencyId: agencies.sms.id }],
    consent: { sharing: 'given' },
    ...over,
  }),
  declineServices: (hasCapacity = true): EventBody => ({
    type: 'engagement.decline',
    hasCapacity,
    note: 'Does not want contact',
    // R-CAPACITY: what the judgment rested on.
    capacity: { mentalCapacityActConsidered: true, mentalHealthActConsidered: true, collateralFrom: ['GP', 'sister'] },
  }),
  assertiveOutreach: (): EventBody => ({ type: 'engagement.assertiveOutreach', note: 'Joint home visit with the CMHT' }),
  safeguarding: (concern: 'adult' | 'child' = 'adult'): EventBody => ({
    type: 'safeguarding.raise',
    concern,
    referredTo: 'KCC Adult Safeguarding',
    summary: 'Severe self-neglect, home without heating',
  }),
  consent: (sharing: 'given' | 'refused'): EventBody => ({ type: 'consent.record', sharing }),
  deadline: (deadline: Extract<EventBody, { type: 'deadline.reached' }>['deadline'], ref?: string): EventBody => ({
    type: 'deadline.reached',
    deadline,
    ref,
  }),
};

/** One event of a journey and who sends it. */
export type Step = readonly [EventBody, Actor];

/** Journeys that bring a case to a well-known point, built from the factories above. */
export const journeys = {
  /** A GP refers to CGL West Kent; the referral awaits acceptance. */
  referredToSms: (): Step[] => [[body.referral(agencies.sms), actorOf('gp')]],
  /** CGL has accepted the referral and is assessing. */
  smsAssessing: (): Step[] => [...journeys.referredToSms(), [bodies.acceptReferral(), actorOf('sms')]],
  /** CGL assessed a Q3 person (moderate mental health, dependent) and leads with a named coordinator. */
  smsLedQ3: (): Step[] => [
    ...journeys.smsAssessing(),
    [body.assessment('moderate', true), actorOf('sms')],
    [bodies.assignLead(), actorOf('sms')],
  ],
  /** A consultant psychiatrist refers to the CMHT (no triage); a Q1 person, the CMHT leads. */
  cmhtLedQ1: (): Step[] => [
    [
      body.referral(agencies.cmht, { source: 'MHS', referrer: { name: 'Dr Mensah', qualification: 'consultantPsychiatrist' } }),
      actorOf('cmht'),
    ],
    [body.assessment('severe', true), actorOf('cmht')],
    [bodies.assignLead({ coordinator: coordinator('Jo Reed') }), actorOf('cmht')],
  ],
  /** The SMS-led Q3 case reassessed as Q1: a handover to the CMHT is required (R-STEP). */
  stepUpRequired: (): Step[] => [...journeys.smsLedQ3(), [body.reassessment('severe', true), actorOf('sms')]],
  /** …and handed over to the CMHT, awaiting acceptance. */
  handoverPending: (): Step[] => [...journeys.stepUpRequired(), [body.handover(agencies.cmht), actorOf('sms')]],
};

/** Applies every step of a journey with a driver; any refusal throws. */
export const play = <D extends { ok: (b: EventBody, a: Actor) => unknown }>(driver: D, steps: readonly Step[]): D => {
  for (const [b, a] of steps) driver.ok(b, a);
  return driver;
};

/** Valid bodies for the missed-appointment events (NICE QS188 statement 4); override any field to make them invalid. */
export const appointmentBodies = {
  missed: (appointmentId = 'appt-1', scheduledAt = '2026-01-05T10:00:00.000Z'): EventBody => ({
    type: 'appointment.missed',
    appointmentId,
    scheduledAt,
    note: 'Did not attend the key work session',
  }),
  followUp: (appointmentId = 'appt-1', over: Partial<Extract<EventBody, { type: 'appointment.followUp' }>> = {}): EventBody => ({
    type: 'appointment.followUp',
    appointmentId,
    method: 'phone',
    outcome: 'contactMade',
    ...over,
  }),
};

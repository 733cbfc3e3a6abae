/**
 * Generators for property and reachability tests of the pathway machine.
 *
 * - `bodyArbitraries` / `anyBodyArb`: random event bodies that pass their zod schemas (so `stamp()` accepts them)
 *   but freely break the protocol: forbidden decline reasons, missing content, wrong agencies, out-of-range scores.
 * - `plausibleMoves`: the next steps a careful practitioner could take from a snapshot (valid, built from context),
 *   used as the event set of the graph traversal and to bias random runs towards deep states.
 * - `spoil`: turns a plausible move into a near miss (wrong actor or role, or one broken field).
 */
import fc from 'fast-check';
import type { AnyStateNode } from 'xstate';
import {
  type Actor,
  type AgencyRef,
  acuteSettings,
  agencyKinds,
  areas,
  careNeedsAssessmentStatuses,
  consentStatuses,
  currentInvolvements,
  deadlineNames,
  declineReasons,
  detoxSubstances,
  type EventBody,
  type EventType,
  followUpMethods,
  followUpOutcomes,
  handoverReasons,
  handoversAcceptedOf,
  holdingAgency,
  incidentKinds,
  incidentsOf,
  leadAgencyFor,
  mentalHealthSeverities,
  mhsServices,
  missedAppointmentsOf,
  needToKnowGrounds,
  type PathwayContext,
  type PathwaySnapshot,
  pathwayMachine,
  type Quadrant,
  readinessToChange,
  referralSources,
  referrerQualifications,
  requestableClosureReasons,
  residencies,
  roles,
  safeguardingDecisions,
  safeguardingKinds,
  statePaths,
  supportAgenciesFor,
} from '../../machines/index.ts';
import { type AgencyKey, actorOf, agencies, body, systemActor } from './pathwayFactory.ts';

type BodyOf<T extends EventType> = Extract<EventBody, { type: T }>;
export type Move = { body: EventBody; actor: Actor; weight: number };

// ---------------------------------------------------------------------------------------------------------------
// State nodes of the chart
// ---------------------------------------------------------------------------------------------------------------

/** Every state node of the machine as a dotted path (`active.jointCare.carePlan.agreed`), history pseudo-states excluded. */
export function stateNodeIds(): string[] {
  const ids: string[] = [];
  const walk = (node: AnyStateNode) => {
    for (const child of Object.values(node.states)) {
      if (child.type === 'history') continue;
      ids.push(child.path.join('.'));
      walk(child);
    }
  };
  walk(pathwayMachine.root);
  return ids;
}

/** Every configuration the chart allows, as sorted leaf paths joined by ` + ` (parallel regions multiply). */
export function stateConfigurations(): string[] {
  const leaves = (node: AnyStateNode): string[][] => {
    const children = Object.values(node.states).filter((c) => c.type !== 'history');
    if (children.length === 0) return [[node.path.join('.')]];
    if (node.type !== 'parallel') return children.flatMap(leaves);
    return children.reduce<string[][]>((acc, child) => acc.flatMap((a) => leaves(child).map((l) => [...a, ...l])), [[]]);
  };
  return leaves(pathwayMachine.root).map(configurationKey);
}

/** The event types some transition of the machine takes (an event a version knows but never takes is only ever refused). */
export function transitionEventTypes(machine: { root: AnyStateNode } = pathwayMachine): string[] {
  const types = new Set<string>();
  const walk = (node: AnyStateNode) => {
    for (const type of Object.keys(node.config.on ?? {})) types.add(type);
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root);
  return [...types];
}

/** A configuration's key: its leaf paths, sorted. */
export const configurationKey = (leafPaths: readonly string[]): string => [...leafPaths].sort().join(' + ');

/** The state nodes a snapshot is in: each active leaf and all its ancestors. */
export function activeStateIds(snapshot: PathwaySnapshot): string[] {
  const ids = new Set<string>();
  for (const leaf of statePaths(snapshot.value)) {
    const parts = leaf.split('.');
    for (let i = 1; i <= parts.length; i++) ids.add(parts.slice(0, i).join('.'));
  }
  return [...ids];
}

// ---------------------------------------------------------------------------------------------------------------
// Actors and agencies
// ---------------------------------------------------------------------------------------------------------------

export const agencyKeys = Object.keys(agencies) as AgencyKey[];
export const allAgencies: AgencyRef[] = Object.values(agencies);

/** Everyone who can send an event: each role of each agency in the factory, and the engine itself. */
export const allActors: Actor[] = [...agencyKeys.flatMap((key) => roles.map((role) => actorOf(key, role))), systemActor];
export const actorArb: fc.Arbitrary<Actor> = fc.constantFrom(...allActors);

/** A practitioner (or other role) of any agency, known to the factory or not. */
export const actorFor = (agency: AgencyRef, role: Actor['role'] = 'practitioner'): Actor => ({
  id: `${agency.id}-${role}`,
  agencyId: agency.id,
  agencyKind: agency.kind,
  role,
});

/** Agencies of one kind, in the order a lead would be picked. */
const byKind = (kind: AgencyRef['kind']): AgencyRef[] => allAgencies.filter((a) => a.kind === kind);

/** An agency of `kind` other than `not`, if the directory has one. */
const agencyOfKind = (kind: AgencyRef['kind'], not?: string): AgencyRef | undefined => byKind(kind).find((a) => a.id !== not);

/** Factory agencies, plus refs the directory does not know or whose kind is wrong. */
export const agencyRefArb: fc.Arbitrary<AgencyRef> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...allAgencies) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        id: fc.constantFrom('unknown-agency', agencies.sms.id, agencies.cmht.id, agencies.gp.id),
        kind: fc.constantFrom(...agencyKinds),
        service: fc.constantFrom(...mhsServices),
        name: fc.constantFrom('Somewhere else', 'A team'),
      },
      { requiredKeys: ['id', 'kind'] },
    ),
  },
);

// ---------------------------------------------------------------------------------------------------------------
// Schema-valid field arbitraries
// ---------------------------------------------------------------------------------------------------------------

const sentences = ['Low mood and daily heavy drinking', 'Needs joint working', '  padded but present  ', 'x', 'Psychosis suspected'];
/** Non-empty after trimming (`text`, `shortText`, `id` in events.ts). */
const textArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...sentences) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0) },
);
/** May be absent, empty or blank: the schema allows it, the guards may not. */
const optionalTextArb = fc.option(fc.constantFrom('', '   ', ...sentences), { nil: undefined });
const nameArb = fc.constantFrom('Alex Morgan', 'Dr Patel', 'Sam Lee', ' Jo ');
const idArb = fc.constantFrom('c-1', 'c-2', 'coordinator-x', agencies.sms.id);
const isoDateArb = fc.integer({ min: 0, max: 2000 }).map((d) => new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));
const needToKnowArb = fc.option(fc.constantFrom(...needToKnowGrounds), { nil: undefined });
const consentArb = fc.record(
  { sharing: fc.constantFrom(...consentStatuses.filter((c) => c !== 'notSought')), needToKnow: needToKnowArb },
  { requiredKeys: ['sharing'] },
);
/** Scores around and beyond their ranges (PHQ-9 0–27, GAD-7 0–21, AUDIT 0–40, DAST-10 0–10). */
const scoreArb = fc.integer({ min: -3, max: 45 });
const scoresArb = fc.record({ phq9: scoreArb, gad7: scoreArb, audit: scoreArb, dast10: scoreArb }, { requiredKeys: [] });
const risksArb = fc.record({
  toSelf: fc.constantFrom('low', 'moderate', 'high') as fc.Arbitrary<'low' | 'moderate' | 'high'>,
  toOthers: fc.constantFrom('low', 'moderate', 'high') as fc.Arbitrary<'low' | 'moderate' | 'high'>,
  selfNeglect: fc.boolean(),
  safeguarding: fc.boolean(),
});
const substanceUseArb = fc.record({
  substances: fc.array(fc.constantFrom('alcohol', 'heroin', 'crack'), { maxLength: 3 }),
  currentUse: textArb,
  dependent: fc.boolean(),
  readiness: fc.constantFrom(...readinessToChange),
});
const declineArb = {
  reason: fc.constantFrom(...declineReasons),
  explanation: optionalTextArb,
  writtenToPerson: fc.boolean(),
  recommendationToReferrer: optionalTextArb,
  rightToChallengeGiven: fc.boolean(),
  managerConfirmsNotForSubstanceUse: fc.boolean(),
};
const contentArb = fc.record(
  { suspectedDisorder: optionalTextArb, substanceObstruction: optionalTextArb, hopedOutcome: optionalTextArb },
  { requiredKeys: [] },
);
const carePlanFields = {
  roles: fc.array(fc.record({ agencyId: fc.constantFrom(...allAgencies.map((a) => a.id)), responsibility: textArb }), { maxLength: 3 }),
  relapseIndicators: fc.array(textArb, { maxLength: 3 }),
  risks: fc.array(textArb, { maxLength: 3 }),
  safetyPlan: optionalTextArb,
  agreedWithPerson: fc.boolean(),
  cpa: fc.boolean(),
  reviewDue: isoDateArb,
  careNeedsAssessment: fc.constantFrom(...careNeedsAssessmentStatuses),
  addressesSelfNeglectAndSafeguarding: fc.boolean(),
};
const agencyIdsArb = fc.array(fc.constantFrom(...allAgencies.map((a) => a.id)), { maxLength: 3 });
const safeguardingDecisionFields = {
  decision: fc.constantFrom(...safeguardingDecisions),
  localAuthority: fc.option(textArb, { nil: undefined }),
  reason: optionalTextArb,
  sharedWith: agencyIdsArb,
  domesticAbuse: fc.boolean(),
  safetyPlan: optionalTextArb,
};
const onwardReferralFields = {
  content: contentArb,
  keyWorkerNamed: fc.boolean(),
  recoveryPlanInPlace: fc.boolean(),
  viaPager: fc.boolean(),
};
const involvementIdArb = fc.constantFrom('inv-1', 'inv-2', 'inv-3', 'inv-4', 'inv-9');
const coordinatorArb = fc.record({ id: idArb, name: nameArb });
const lit = <T extends EventType>(type: T) => fc.constant(type);

/**
 * One arbitrary per event type; every value passes `eventBodies[type]`. Optional per type so that an event added to
 * the machine does not stop the project compiling: the property tests fail instead until it has its generator.
 */
export const bodyArbitraries: { [T in EventType]?: fc.Arbitrary<BodyOf<T>> } = {
  'referral.make': fc.record(
    {
      type: lit('referral.make'),
      source: fc.constantFrom(...referralSources),
      referrer: fc.record(
        {
          name: nameArb,
          agencyId: fc.constantFrom(...allAgencies.map((a) => a.id)),
          qualification: fc.constantFrom(...referrerQualifications),
          outOfHours: fc.boolean(),
        },
        { requiredKeys: ['name', 'qualification'] },
      ),
      to: agencyRefArb,
      person: fc.record({
        ageYears: fc.oneof(fc.integer({ min: 10, max: 70 }), fc.integer({ min: 0, max: 130 })),
        residency: fc.constantFrom(...residencies),
        area: fc.option(fc.constantFrom(...areas), { nil: null }),
      }),
      reasonForReferral: textArb,
      suspectedFirstEpisodePsychosis: fc.boolean(),
      content: contentArb,
      keyWorkerNamed: fc.boolean(),
      recoveryPlanInPlace: fc.boolean(),
      viaPager: fc.boolean(),
      consent: consentArb,
    },
    { requiredKeys: ['type', 'source', 'referrer', 'to', 'person', 'reasonForReferral', 'consent'] },
  ),
  'referral.accept': fc.record({ type: lit('referral.accept'), note: optionalTextArb }, { requiredKeys: ['type'] }),
  'referral.decline': fc.record({ type: lit('referral.decline'), ...declineArb }, { requiredKeys: ['type', 'reason', 'writtenToPerson'] }),
  'referral.redirect': fc.record(
    {
      type: lit('referral.redirect'),
      to: agencyRefArb,
      note: textArb,
      needToKnow: needToKnowArb,
      ...onwardReferralFields,
      qualification: fc.constantFrom(...referrerQualifications),
      suspectedFirstEpisodePsychosis: fc.boolean(),
      letterToPerson: fc.boolean(),
      letterToReferrer: fc.boolean(),
    },
    { requiredKeys: ['type', 'to', 'note'] },
  ),
  'assessment.record': fc.record(
    {
      type: lit('assessment.record'),
      mentalHealth: fc.constantFrom(...mentalHealthSeverities),
      substanceUse: substanceUseArb,
      housing: textArb,
      supportNetwork: textArb,
      risks: risksArb,
      scores: scoresArb,
      canServiceAloneSupport: fc.boolean(),
      nextStep: fc.constantFrom('mdtConsultation', 'jointCare', 'onwardReferral') as fc.Arbitrary<
        'mdtConsultation' | 'jointCare' | 'onwardReferral'
      >,
      consent: consentArb,
      household: fc.record({ dependentChildren: fc.boolean(), caringResponsibilities: fc.boolean() }),
      safeguardingDecision: fc.record(safeguardingDecisionFields, { requiredKeys: ['decision'] }),
    },
    { requiredKeys: ['type', 'mentalHealth', 'substanceUse', 'housing', 'supportNetwork', 'risks', 'canServiceAloneSupport', 'consent'] },
  ),
  'assessment.review': fc.record(
    {
      type: lit('assessment.review'),
      mentalHealth: fc.constantFrom(...mentalHealthSeverities),
      substanceUse: substanceUseArb,
      risks: risksArb,
      scores: scoresArb,
      planAdjustment: optionalTextArb,
      notified: agencyIdsArb,
    },
    { requiredKeys: ['type', 'mentalHealth', 'substanceUse', 'risks'] },
  ),
  'mdt.consult': fc.record({
    type: lit('mdt.consult'),
    agencies: fc.array(fc.constantFrom(...allAgencies.map((a) => a.id)), { minLength: 1, maxLength: 3 }),
    outcome: textArb,
  }),
  'lead.assign': fc.record(
    { type: lit('lead.assign'), coordinator: coordinatorArb, rationale: optionalTextArb },
    { requiredKeys: ['type', 'coordinator'] },
  ),
  'lead.propose': fc.record(
    { type: lit('lead.propose'), to: agencyRefArb, rationale: optionalTextArb, needToKnow: needToKnowArb },
    { requiredKeys: ['type', 'to'] },
  ),
  'lead.accept': fc.record({ type: lit('lead.accept'), coordinator: coordinatorArb }),
  'lead.decline': fc.record(
    {
      type: lit('lead.decline'),
      reason: fc.constantFrom(...declineReasons),
      explanation: optionalTextArb,
      managerConfirmsNotForSubstanceUse: fc.boolean(),
    },
    { requiredKeys: ['type', 'reason'] },
  ),
  'lead.retain': fc.record({ type: lit('lead.retain'), rationale: optionalTextArb }, { requiredKeys: ['type'] }),
  'involvement.request': fc.record(
    {
      type: lit('involvement.request'),
      to: agencyRefArb,
      purpose: textArb,
      content: contentArb,
      keyWorkerNamed: fc.boolean(),
      recoveryPlanInPlace: fc.boolean(),
      needToKnow: needToKnowArb,
    },
    { requiredKeys: ['type', 'to', 'purpose'] },
  ),
  'involvement.accept': fc.record({ type: lit('involvement.accept'), involvementId: involvementIdArb }),
  'involvement.decline': fc.record(
    { type: lit('involvement.decline'), involvementId: involvementIdArb, ...declineArb },
    { requiredKeys: ['type', 'involvementId', 'reason', 'writtenToPerson'] },
  ),
  'involvement.start': fc.record({ type: lit('involvement.start'), involvementId: involvementIdArb }),
  'involvement.end': fc.record(
    { type: lit('involvement.end'), involvementId: involvementIdArb, note: optionalTextArb },
    { requiredKeys: ['type', 'involvementId'] },
  ),
  'careplan.agree': fc.record(
    { type: lit('careplan.agree'), ...carePlanFields },
    { requiredKeys: ['type', 'roles', 'relapseIndicators', 'risks', 'agreedWithPerson'] },
  ),
  'careplan.review': fc.record(
    {
      type: lit('careplan.review'),
      attendees: fc.array(
        fc.record({ name: nameArb, agencyId: fc.constantFrom(...allAgencies.map((a) => a.id)) }, { requiredKeys: ['name'] }),
        { maxLength: 3 },
      ),
      invitedAgencies: fc.array(fc.constantFrom(...allAgencies.map((a) => a.id)), { maxLength: 3 }),
      consent: consentArb,
      changes: optionalTextArb,
      nextReviewDue: isoDateArb,
    },
    { requiredKeys: ['type', 'attendees', 'consent'] },
  ),
  'engagement.decline': fc.record(
    {
      type: lit('engagement.decline'),
      hasCapacity: fc.boolean(),
      note: optionalTextArb,
      capacity: fc.record(
        {
          mentalCapacityActConsidered: fc.boolean(),
          mentalHealthActConsidered: fc.boolean(),
          collateralFrom: fc.array(textArb, { maxLength: 2 }),
        },
        { requiredKeys: ['mentalCapacityActConsidered', 'collateralFrom'] },
      ),
    },
    { requiredKeys: ['type', 'hasCapacity'] },
  ),
  'engagement.resume': fc.record({ type: lit('engagement.resume'), note: optionalTextArb }, { requiredKeys: ['type'] }),
  'engagement.assertiveOutreach': fc.record({ type: lit('engagement.assertiveOutreach'), note: textArb }),
  'safeguarding.raise': fc.record(
    {
      type: lit('safeguarding.raise'),
      concern: fc.constantFrom(...safeguardingKinds),
      referredTo: textArb,
      summary: textArb,
      domesticAbuse: fc.boolean(),
    },
    { requiredKeys: ['type', 'concern', 'referredTo', 'summary'] },
  ),
  'safeguarding.decide': fc.record(
    { type: lit('safeguarding.decide'), ...safeguardingDecisionFields },
    { requiredKeys: ['type', 'decision', 'sharedWith', 'domesticAbuse'] },
  ),
  'risk.change': fc.record({ type: lit('risk.change'), risks: risksArb, summary: textArb, notified: agencyIdsArb }),
  'acute.presentation': fc.record(
    {
      type: lit('acute.presentation'),
      setting: fc.constantFrom(...acuteSettings),
      summary: textArb,
      smsNotified: fc.boolean(),
      mhsToldOfSms: fc.boolean(),
      gpLetterNamesReferral: fc.boolean(),
      jointWorkingIdentified: fc.boolean(),
      needToKnow: needToKnowArb,
      dischargePlanning: fc.record({ smsInvited: fc.boolean(), coversBothConditions: fc.boolean(), overdoseRiskDiscussed: fc.boolean() }),
    },
    { requiredKeys: ['type', 'setting', 'summary', 'smsNotified', 'mhsToldOfSms', 'gpLetterNamesReferral', 'jointWorkingIdentified'] },
  ),
  'incident.report': fc.record({
    type: lit('incident.report'),
    kind: fc.constantFrom(...incidentKinds),
    summary: textArb,
    investigatedWith: agencyIdsArb,
  }),
  'incident.learning': fc.record({
    type: lit('incident.learning'),
    incidentId: fc.constantFrom('si-1', 'si-2', 'inc-1', 'inc-2'),
    learningActions: fc.array(textArb, { maxLength: 2 }),
  }),
  'consent.record': fc.record(
    {
      type: lit('consent.record'),
      sharing: fc.constantFrom('given', 'refused') as fc.Arbitrary<'given' | 'refused'>,
      note: optionalTextArb,
    },
    { requiredKeys: ['type', 'sharing'] },
  ),
  'carer.offerAssessment': fc.record(
    { type: lit('carer.offerAssessment'), carerName: nameArb, accepted: fc.boolean() },
    { requiredKeys: ['type', 'accepted'] },
  ),
  'detox.plan': fc.record(
    { type: lit('detox.plan'), substance: fc.constantFrom(...detoxSubstances), postDetoxPlan: optionalTextArb, mdtAgreed: fc.boolean() },
    { requiredKeys: ['type', 'substance', 'mdtAgreed'] },
  ),
  'detox.start': fc.record({ type: lit('detox.start'), substance: fc.constantFrom(...detoxSubstances) }),
  'detox.complete': fc.record({ type: lit('detox.complete'), note: optionalTextArb }, { requiredKeys: ['type'] }),
  'handover.request': fc.record(
    {
      type: lit('handover.request'),
      to: agencyRefArb,
      reason: fc.constantFrom(...handoverReasons),
      carePlan: fc.record(carePlanFields, { requiredKeys: ['roles', 'relapseIndicators', 'risks', 'agreedWithPerson'] }),
      riskSummary: optionalTextArb,
      personInformed: fc.boolean(),
      carerInformed: fc.boolean(),
      senderContinuesAsSupport: fc.boolean(),
      rationale: optionalTextArb,
      needToKnow: needToKnowArb,
      inpatient: fc.record(
        {
          leadProfessional: optionalTextArb,
          smsRecoveryCoordinatorInvited: fc.boolean(),
          coversBothConditions: fc.boolean(),
          overdoseRiskDiscussed: fc.boolean(),
          detainedUnderSection3: fc.boolean(),
          s117Aftercare: optionalTextArb,
        },
        { requiredKeys: ['smsRecoveryCoordinatorInvited', 'coversBothConditions', 'overdoseRiskDiscussed'] },
      ),
    },
    { requiredKeys: ['type', 'to', 'reason', 'personInformed'] },
  ),
  'handover.accept': fc.record({ type: lit('handover.accept'), coordinator: coordinatorArb }),
  'handover.decline': fc.record(
    {
      type: lit('handover.decline'),
      reason: fc.constantFrom(...declineReasons),
      explanation: optionalTextArb,
      managerConfirmsNotForSubstanceUse: fc.boolean(),
    },
    { requiredKeys: ['type', 'reason'] },
  ),
  'handover.withdraw': fc.record({ type: lit('handover.withdraw'), note: textArb }),
  'dispute.raise': fc.record(
    { type: lit('dispute.raise'), about: textArb, proposedLead: agencyRefArb },
    { requiredKeys: ['type', 'about'] },
  ),
  'dispute.escalate': fc.record({ type: lit('dispute.escalate'), note: textArb }),
  'dispute.resolve': fc.record(
    {
      type: lit('dispute.resolve'),
      lead: agencyRefArb,
      coordinator: coordinatorArb,
      outcome: textArb,
      rationale: optionalTextArb,
      commissionerConsulted: fc.boolean(),
    },
    { requiredKeys: ['type', 'lead', 'coordinator', 'outcome'] },
  ),
  'dispute.propose': fc.record(
    {
      type: lit('dispute.propose'),
      outcome: textArb,
      lead: agencyRefArb,
      rationale: optionalTextArb,
      commissionerConsulted: fc.boolean(),
      commissionerInput: optionalTextArb,
    },
    { requiredKeys: ['type', 'outcome'] },
  ),
  'dispute.confirm': fc.record(
    { type: lit('dispute.confirm'), coordinator: coordinatorArb, note: optionalTextArb },
    { requiredKeys: ['type'] },
  ),
  'case.close': fc.record(
    {
      type: lit('case.close'),
      reason: fc.constantFrom(...requestableClosureReasons),
      personInformed: fc.boolean(),
      gpInformed: fc.boolean(),
      to: agencyRefArb,
      note: optionalTextArb,
      careComplete: fc.boolean(),
    },
    { requiredKeys: ['type', 'reason', 'personInformed', 'gpInformed'] },
  ),
  'deadline.reached': fc.record(
    { type: lit('deadline.reached'), deadline: fc.constantFrom(...deadlineNames), ref: involvementIdArb },
    { requiredKeys: ['type', 'deadline'] },
  ),
  'appointment.missed': fc.record(
    {
      type: lit('appointment.missed'),
      appointmentId: fc.constantFrom('appt-1', 'appt-2', 'appt-3'),
      scheduledAt: fc.constantFrom('2026-01-05T10:00:00.000Z', '2026-02-10T14:30:00.000Z'),
      note: optionalTextArb,
    },
    { requiredKeys: ['type', 'appointmentId', 'scheduledAt'] },
  ),
  'appointment.followUp': fc.record(
    {
      type: lit('appointment.followUp'),
      appointmentId: fc.constantFrom('appt-1', 'appt-2', 'appt-3'),
      method: fc.constantFrom(...followUpMethods),
      outcome: fc.constantFrom(...followUpOutcomes),
      note: optionalTextArb,
    },
    { requiredKeys: ['type', 'appointmentId', 'method', 'outcome'] },
  ),
};

/** Any event body of any type, schema-valid. */
export const anyBodyArb: fc.Arbitrary<EventBody> = fc.oneof(...(Object.values(bodyArbitraries) as fc.Arbitrary<EventBody>[]));

// ---------------------------------------------------------------------------------------------------------------
// Plausible next steps, built from the snapshot
// ---------------------------------------------------------------------------------------------------------------

const plan = {
  roles: [{ agencyId: agencies.sms.id, responsibility: 'substance misuse key work' }],
  relapseIndicators: ['missed appointments'],
  risks: ['overdose'],
  safetyPlan: 'crisis line numbers shared',
  agreedWithPerson: true,
};

/** Severities that give each quadrant. */
const quadrantInputs: Record<Quadrant, { mentalHealth: 'mild' | 'moderate' | 'severe'; dependent: boolean }> = {
  Q1: { mentalHealth: 'severe', dependent: true },
  Q2: { mentalHealth: 'severe', dependent: false },
  Q3: { mentalHealth: 'moderate', dependent: true },
  Q4: { mentalHealth: 'mild', dependent: false },
};
const quadrantList = Object.keys(quadrantInputs) as Quadrant[];

/** The factory's valid referral: one definition of a plausible referral for the examples and the random runs. */
const referralBase = (to: AgencyRef) => body.referral(to) as BodyOf<'referral.make'>;
const smsContent = { suspectedDisorder: 'depression', substanceObstruction: 'drinks before sessions', hopedOutcome: 'feel better' };

/** Valid referrals: each agency kind, each MHS route (triage, direct, EIP), the CAMHS redirect and transition. */
export const referralMoves: { body: BodyOf<'referral.make'>; actor: Actor }[] = [
  { body: referralBase(agencies.cmht), actor: actorOf('gp') },
  {
    body: { ...referralBase(agencies.cmht), source: 'MHS', referrer: { name: 'Dr Okafor', qualification: 'consultantPsychiatrist' } },
    actor: actorOf('inpatient'),
  },
  {
    body: {
      ...referralBase(agencies.eip),
      source: 'acuteHospital',
      suspectedFirstEpisodePsychosis: true,
      person: { ageYears: 19, residency: 'temporary', area: 'MEDWAY' },
    },
    actor: actorOf('cmht'),
  },
  {
    body: {
      ...referralBase(agencies.inpatient),
      source: 'acuteHospital',
      referrer: { name: 'Liaison team', qualification: 'qualifiedMentalHealthPractitioner' },
    },
    actor: actorOf('inpatient'),
  },
  { body: { ...referralBase(agencies.sms), source: 'self' }, actor: actorOf('sms') },
  {
    body: { ...referralBase(agencies.iapt), source: 'SMS', content: smsContent },
    actor: actorOf('sms'),
  },
  { body: { ...referralBase(agencies.gp), source: 'carerFamily' }, actor: actorOf('gp') },
  { body: referralBase(agencies.asc), actor: actorOf('gp') },
  {
    body: { ...referralBase(agencies.liveWell), source: 'SMS', keyWorkerNamed: true, recoveryPlanInPlace: true },
    actor: actorOf('sms'),
  },
  { body: { ...referralBase(agencies.cmht), person: { ageYears: 16, residency: 'permanent', area: 'EAST_KENT' } }, actor: actorOf('gp') },
  {
    body: {
      ...referralBase(agencies.cmht),
      source: 'CAMHS',
      referrer: { name: 'CAMHS team', qualification: 'qualifiedMentalHealthPractitioner' },
      person: { ageYears: 17, residency: 'permanent', area: 'MEDWAY' },
    },
    actor: actorOf('cmht'),
  },
  {
    body: { ...referralBase(agencies.sms2), source: 'criminalJustice', consent: { sharing: 'refused', needToKnow: 'highRisk' } },
    actor: actorOf('sms2'),
  },
];

const coordinatorFor = (agency: AgencyRef) => ({ id: `coord-${agency.id}`, name: 'Alex Morgan' });

/** Who would lead in a quadrant, other than `not` where possible. */
const quadrantLead = (quadrant: Quadrant, not?: string): AgencyRef | undefined => agencyOfKind(leadAgencyFor(quadrant), not);

/** What each broad activity weighs in a random run: moving the case on is much likelier than side business. */
const W = { progress: 10, side: 1, close: 2 } as const;

/**
 * The steps a careful practitioner could take next: the receiving service answering, the lead acting, the engine
 * firing due deadlines. All are valid events; some are refused for reasons the state alone decides.
 */
export function plausibleMoves(snapshot: PathwaySnapshot, options: { sideBusiness?: boolean } = {}): Move[] {
  if (snapshot.status !== 'active') return [];
  const side = options.sideBusiness ?? true;
  const ctx = snapshot.context;
  const paths = statePaths(snapshot.value);
  const inState = (p: string) => paths.some((x) => x === p || x.startsWith(`${p}.`));
  const moves: Move[] = [];
  const add = (weight: number, actor: Actor, body: EventBody) => moves.push({ weight, actor, body });

  if (inState('new')) {
    for (const m of referralMoves) add(W.progress, m.actor, m.body);
    return moves;
  }
  // The service holding the case acts for it before a lead (it decides on the referral, assesses, assigns).
  const resp = holdingAgency(ctx);
  if (!resp) return moves;
  const respActor = actorFor(resp);
  /** The services other than the holding one, told of decisions and changes (R-SAFEGUARDING, R-RISK-CHANGE, R-SI). */
  const others = [...new Set(involvedAgencyIds(ctx))].filter((id) => id !== resp.id);
  const lead = ctx.lead?.agency;
  const leadActor = lead ? actorFor(lead) : respActor;

  if (inState('active.referral')) {
    const to = ctx.referral?.to ?? resp;
    const receiver = actorFor(to);
    add(W.progress, receiver, { type: 'referral.accept', note: 'seen in clinic' });
    add(W.side, receiver, {
      type: 'referral.decline',
      reason: 'needsBetterMetElsewhere',
      explanation: 'Needs are better met by the GP',
      writtenToPerson: true,
      recommendationToReferrer: 'Refer to IAPT',
      rightToChallengeGiven: true,
    });
    const onward = to.id === agencies.sms.id ? agencies.gp : agencies.sms;
    add(W.side, receiver, { type: 'referral.redirect', to: onward, note: 'Better placed to help' });
  }
  if (inState('active.assessment')) {
    for (const q of quadrantList) {
      const { mentalHealth, dependent } = quadrantInputs[q];
      add(W.progress, respActor, {
        type: 'assessment.record',
        mentalHealth,
        substanceUse: { substances: ['alcohol'], currentUse: 'daily', dependent, readiness: 'contemplation' },
        housing: 'stable',
        supportNetwork: 'sister',
        risks: { toSelf: q === 'Q1' ? 'high' : 'moderate', toOthers: 'low', selfNeglect: false, safeguarding: false },
        scores: { phq9: 14, audit: dependent ? 25 : 6 },
        canServiceAloneSupport: q === 'Q4',
        ...(q === 'Q4' ? {} : { nextStep: 'jointCare' as const }),
        consent: { sharing: 'given' },
        household: { dependentChildren: q === 'Q1', caringResponsibilities: false },
      });
    }
    add(W.side, respActor, { type: 'mdt.consult', agencies: [resp.id, agencies.sms.id], outcome: 'joint care agreed' });
  }
  if (inState('active.leadAssignment.deciding') && ctx.quadrant) {
    const follows = leadAgencyFor(ctx.quadrant) === resp.kind;
    add(W.progress, respActor, {
      type: 'lead.assign',
      coordinator: coordinatorFor(resp),
      ...(follows ? {} : { rationale: 'Already engaged with this service' }),
    });
    const proposed = quadrantLead(ctx.quadrant, resp.id);
    if (proposed) add(W.progress, respActor, { type: 'lead.propose', to: proposed });
    add(W.side, respActor, { type: 'dispute.raise', about: 'Who should lead' });
    add(W.side, respActor, { type: 'mdt.consult', agencies: [resp.id], outcome: 'lead discussed' });
  }
  if (inState('active.leadAssignment.awaitingAcceptance') && ctx.leadProposal) {
    const proposed = actorFor(ctx.leadProposal.to);
    add(W.progress, proposed, { type: 'lead.accept', coordinator: coordinatorFor(ctx.leadProposal.to) });
    add(W.side, proposed, { type: 'lead.decline', reason: 'needsBetterMetElsewhere', explanation: 'No capacity in the team' });
  }
  if (inState('active.jointCare') && lead) {
    const agreed = inState('active.jointCare.carePlan.agreed');
    const cpa = lead.kind === 'MHS';
    add(agreed ? W.side : W.progress, leadActor, { type: 'careplan.agree', ...plan, cpa });
    if (agreed) {
      const sms = currentInvolvements(ctx)
        .filter((i) => i.agency.kind === 'SMS')
        .map((i) => i.agency.id);
      add(W.progress, leadActor, {
        type: 'careplan.review',
        attendees: [{ name: 'Alex Morgan', agencyId: lead.id }],
        invitedAgencies: sms,
        consent: { sharing: 'given' },
      });
    }
    if (inState('active.jointCare.detox.none') || inState('active.jointCare.detox.completed')) {
      add(W.progress, leadActor, { type: 'detox.plan', substance: 'alcohol', postDetoxPlan: 'Aftercare with SMS', mdtAgreed: true });
    }
    if (inState('active.jointCare.detox.none')) add(W.side, leadActor, { type: 'detox.start', substance: 'opioids' });
    if (inState('active.jointCare.detox.planned')) add(W.progress, leadActor, { type: 'detox.start', substance: 'alcohol' });
    if (inState('active.jointCare.detox.underway')) add(W.progress, leadActor, { type: 'detox.complete', note: 'done' });
    for (const q of quadrantList) {
      const { mentalHealth, dependent } = quadrantInputs[q];
      add(W.progress / 2, leadActor, {
        type: 'assessment.review',
        mentalHealth,
        substanceUse: { substances: ['alcohol'], currentUse: 'daily', dependent, readiness: 'action' },
        risks: { toSelf: 'moderate', toOthers: 'low', selfNeglect: false, safeguarding: false },
        notified: others,
      });
    }
    if (ctx.quadrant) {
      const to = quadrantLead(ctx.quadrant, lead.id);
      if (to) add(W.progress / 2, leadActor, handoverBody(to, 'transfer', lead.kind !== 'MHS'));
    }
    if (lead.service === 'INPATIENT') {
      add(W.progress / 2, leadActor, {
        ...handoverBody(agencies.cmht, 'inpatientDischarge', true),
        inpatient: {
          leadProfessional: 'Dr Okafor',
          smsRecoveryCoordinatorInvited: true,
          coversBothConditions: true,
          overdoseRiskDiscussed: true,
        },
        rationale: 'Discharged to community mental health',
      });
    }
    add(W.side, leadActor, { type: 'dispute.raise', about: 'Who should lead' });
    add(W.side, leadActor, { type: 'mdt.consult', agencies: [lead.id], outcome: 'reviewed' });
  }
  if (inState('active.handover.required') && lead && ctx.stepChange) {
    const to = quadrantLead(ctx.stepChange.to, lead.id);
    if (to) add(W.progress, leadActor, handoverBody(to, 'stepUp', true));
    add(W.progress / 2, leadActor, { type: 'lead.retain', rationale: 'Continuity of care with a trusted worker' });
    add(W.side, leadActor, { type: 'dispute.raise', about: 'Who should lead after the reassessment' });
  }
  if (inState('active.handover.awaitingAcceptance') && ctx.handover) {
    const receiver = actorFor(ctx.handover.to);
    add(W.progress, receiver, { type: 'handover.accept', coordinator: coordinatorFor(ctx.handover.to) });
    add(W.progress / 2, receiver, {
      type: 'handover.decline',
      reason: 'needsBetterMetElsewhere',
      explanation: 'Needs better met by current team',
    });
    add(W.side, leadActor, { type: 'handover.withdraw', note: 'Person asked to stay' });
  }
  if (inState('active.dispute') && ctx.dispute) {
    const raiser = ctx.dispute.raisedBy;
    const level = ctx.dispute.level;
    if (level === 'serviceManagers') add(W.progress / 2, actorFor(raiser), { type: 'dispute.escalate', note: 'No agreement' });
    const resolverRole = level === 'serviceManagers' ? 'serviceManager' : 'clinicalDirector';
    const candidates = [ctx.lead?.agency, ctx.dispute.proposedLead, ctx.quadrant ? quadrantLead(ctx.quadrant) : undefined].filter(
      (a): a is AgencyRef => !!a,
    );
    // R-DISPUTE (version 2): one side's manager proposes (a lead, or none), the other side or the new lead confirms.
    const proposers = [raiser, ctx.lead?.agency, resp].filter((a): a is AgencyRef => !!a);
    for (const by of new Map(proposers.map((a) => [a.id, a])).values()) {
      add(W.progress / 2, actorFor(by, resolverRole), { type: 'dispute.propose', outcome: 'The lead stays as it is' });
      for (const named of candidates) {
        add(W.progress / 2, actorFor(by, resolverRole), {
          type: 'dispute.propose',
          outcome: 'Agreed at panel',
          lead: named,
          rationale: 'Agreed by managers',
          ...(level === 'clinicalDirectors' ? { commissionerConsulted: true, commissionerInput: 'Commissioner agrees' } : {}),
        });
      }
    }
    const proposal = ctx.dispute.proposal;
    for (const side of proposal?.awaiting ?? []) {
      add(W.progress, actorFor(side, resolverRole), { type: 'dispute.confirm', coordinator: coordinatorFor(side), note: 'Agreed' });
      add(W.side, actorFor(side, resolverRole), { type: 'dispute.confirm', note: 'Agreed' });
    }
    // Version 1's single-sided resolution, sent to every later version too: it must not move the lead there.
    for (const named of candidates) {
      add(W.side, actorFor(raiser, resolverRole), {
        type: 'dispute.resolve',
        lead: named,
        coordinator: coordinatorFor(named),
        outcome: 'Agreed at panel',
        rationale: 'Agreed by managers',
        commissionerConsulted: level === 'clinicalDirectors',
      });
    }
  }

  // Side business available in every active state.
  if (side) {
    for (const inv of ctx.involvements) {
      const party = actorFor(inv.agency);
      if (inv.status === 'requested') {
        add(W.progress / 2, party, { type: 'involvement.accept', involvementId: inv.id });
        add(W.side, party, {
          type: 'involvement.decline',
          involvementId: inv.id,
          reason: 'notEligible',
          explanation: 'Outside our criteria',
          writtenToPerson: true,
          recommendationToReferrer: 'Try the GP',
          rightToChallengeGiven: true,
        });
      }
      if (inv.status === 'accepted') add(W.progress / 2, party, { type: 'involvement.start', involvementId: inv.id });
      if (inv.status === 'accepted' || inv.status === 'active') add(W.side, party, { type: 'involvement.end', involvementId: inv.id });
    }
    if (ctx.referral?.status === 'accepted') {
      const wanted = ctx.quadrant ? supportAgenciesFor(ctx.quadrant) : (['SMS', 'ASC'] as const);
      for (const kind of wanted) {
        const to = agencyOfKind(kind, resp.id);
        if (!to || ctx.involvements.some((i) => i.agency.id === to.id)) continue;
        add(W.side, respActor, {
          type: 'involvement.request',
          to,
          purpose: 'Joint working',
          ...(resp.kind === 'SMS' ? { content: smsContent } : {}),
          ...(kind === 'WRAPAROUND' ? { keyWorkerNamed: true, recoveryPlanInPlace: true } : {}),
        });
      }
    }
    add(W.side, respActor, { type: 'safeguarding.raise', concern: 'adult', referredTo: 'KCC safeguarding', summary: 'Self-neglect' });
    // R-SAFEGUARDING, R-RISK-CHANGE, R-ED, R-SI (version 2): decisions shared with, and news told to, the other services.
    add(W.progress / 2, respActor, {
      type: 'safeguarding.decide',
      decision: 'alertRaised',
      localAuthority: 'KCC Adult Safeguarding',
      sharedWith: others,
      domesticAbuse: false,
    });
    add(W.side, respActor, {
      type: 'safeguarding.decide',
      decision: 'noAlertReasonDocumented',
      reason: 'Discussed with both services: below the threshold',
      sharedWith: others,
      domesticAbuse: true,
      safetyPlan: 'Refuge number shared',
    });
    if (ctx.assessment) {
      add(W.side, respActor, {
        type: 'risk.change',
        risks: { toSelf: 'high', toOthers: 'low', selfNeglect: true, safeguarding: false },
        summary: 'Relapse after bereavement',
        notified: others,
      });
    }
    add(W.side, actorFor(agencies.cmht), {
      type: 'acute.presentation',
      setting: 'emergencyDepartment',
      summary: 'Seen by liaison psychiatry after an overdose',
      smsNotified: true,
      mhsToldOfSms: true,
      gpLetterNamesReferral: true,
      jointWorkingIdentified: true,
      needToKnow: 'highRisk',
      dischargePlanning: { smsInvited: true, coversBothConditions: true, overdoseRiskDiscussed: true },
    });
    add(W.side, respActor, {
      type: 'incident.report',
      kind: 'seriousIncident',
      summary: 'Overdose while on the waiting list',
      investigatedWith: others,
    });
    for (const incident of incidentsOf(ctx).filter((i) => i.learningActions === null)) {
      add(W.side, respActor, { type: 'incident.learning', incidentId: incident.id, learningActions: ['Joint risk review within a week'] });
    }
    add(W.side, respActor, { type: 'consent.record', sharing: ctx.consent.sharing === 'given' ? 'refused' : 'given' });
    add(W.side, respActor, {
      type: 'engagement.decline',
      hasCapacity: true,
      note: 'Does not want contact',
      capacity: { mentalCapacityActConsidered: true, mentalHealthActConsidered: true, collateralFrom: ['GP'] },
    });
    add(W.side, respActor, { type: 'engagement.resume', note: 'Back in touch' });
    add(W.side, respActor, { type: 'engagement.assertiveOutreach', note: 'Home visit made' });
    add(W.side, respActor, { type: 'carer.offerAssessment', carerName: 'Sister', accepted: true });
    for (const d of dueDeadlines(ctx)) add(W.side, systemActor, { type: 'deadline.reached', ...d });
    const missed = missedAppointmentsOf(ctx);
    add(W.side, respActor, {
      type: 'appointment.missed',
      appointmentId: `appt-${missed.length + 1}`,
      scheduledAt: '2026-01-05T10:00:00.000Z',
    });
    for (const m of missed.filter((x) => x.followedUpAt === null)) {
      add(W.side, respActor, { type: 'appointment.followUp', appointmentId: m.id, method: 'phone', outcome: 'contactMade' });
    }
  }
  add(W.close, respActor, { type: 'case.close', reason: 'dischargedToGp', personInformed: true, gpInformed: true });
  add(W.close, respActor, { type: 'case.close', reason: 'dischargedToGp', personInformed: true, gpInformed: true, careComplete: true });
  if (side) {
    add(W.side, respActor, { type: 'case.close', reason: 'declinedWithCapacity', personInformed: true, gpInformed: true });
    add(W.side, respActor, { type: 'case.close', reason: 'died', personInformed: false, gpInformed: true });
    for (const inv of currentInvolvements(ctx)) {
      add(W.side, respActor, { type: 'case.close', reason: 'transferredAccepted', personInformed: true, gpInformed: true, to: inv.agency });
    }
    for (const to of handoversAcceptedOf(ctx).map((h) => h.to)) {
      add(W.side, respActor, { type: 'case.close', reason: 'transferredAccepted', personInformed: true, gpInformed: true, to });
    }
  }
  return moves;
}

function handoverBody(to: AgencyRef, reason: BodyOf<'handover.request'>['reason'], continues: boolean): BodyOf<'handover.request'> {
  return {
    type: 'handover.request',
    to,
    reason,
    carePlan: { ...plan, cpa: to.kind === 'MHS' },
    riskSummary: 'Risk to self moderate',
    personInformed: true,
    carerInformed: true,
    senderContinuesAsSupport: continues,
    rationale: 'Agreed with the person',
  };
}

/** Deadlines pending in the case (the engine fires them once due; earlier they are refused). */
function dueDeadlines(ctx: PathwayContext): { deadline: (typeof deadlineNames)[number]; ref?: string }[] {
  const out: { deadline: (typeof deadlineNames)[number]; ref?: string }[] = [];
  if (ctx.referral?.status === 'awaiting') out.push({ deadline: 'referralFollowUp' });
  if (ctx.leadProposal) out.push({ deadline: 'leadFollowUp' });
  if (ctx.handover) out.push({ deadline: 'handoverFollowUp' });
  if (ctx.carePlan) out.push({ deadline: 'carePlanReview' });
  for (const i of ctx.involvements) if (i.status === 'requested') out.push({ deadline: 'involvementFollowUp', ref: i.id });
  return out;
}

/** The agencies a case involves (referrer, receiver, lead, offers, dispute, involvements not declined). */
function involvedAgencyIds(ctx: PathwayContext): string[] {
  return [
    ctx.referral?.to.id,
    ctx.lead?.agency.id,
    ctx.leadProposal?.to.id,
    ctx.handover?.to.id,
    ctx.dispute?.proposedLead?.id,
    ...ctx.involvements.filter((i) => i.status !== 'declined').map((i) => i.agency.id),
  ].filter((a): a is string => !!a);
}

/** Picks a move by weight (weights are whole numbers); `pick` is any natural number. */
export function pickMove(moves: readonly Move[], pick: number): Move | undefined {
  const total = moves.reduce((sum, m) => sum + m.weight, 0);
  if (total <= 0) return undefined;
  let at = pick % total;
  for (const m of moves) {
    if (at < m.weight) return m;
    at -= m.weight;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Near misses
// ---------------------------------------------------------------------------------------------------------------

/** Knobs a random run turns to spoil a plausible move. */
export type Spoiler = {
  which: number;
  actor: Actor;
  role: Actor['role'];
  reason: (typeof declineReasons)[number];
  score: number;
  age: number;
  agency: AgencyRef;
};
export const spoilerArb: fc.Arbitrary<Spoiler> = fc.record({
  which: fc.nat(),
  actor: actorArb,
  role: fc.constantFrom(...roles),
  reason: fc.constantFrom(...declineReasons),
  score: scoreArb,
  age: fc.integer({ min: 0, max: 100 }),
  agency: agencyRefArb,
});

/** Spoils a move one way: another actor, another role, or one field the rules care about. Always schema-valid. */
export function spoil(move: Move, k: Spoiler): Move {
  const { bodies: bodySpoils, actors: actorSpoils } = spoilsOf(move, k);
  const options = bodySpoils.length + actorSpoils.length;
  const i = k.which % options;
  const spoiltActor = actorSpoils[i - bodySpoils.length];
  if (spoiltActor) return { ...move, actor: spoiltActor };
  return { ...move, body: bodySpoils[i] ?? move.body };
}

/** Every way `spoil` can spoil a move with these knobs: the broken bodies, and the other actors. */
export function spoilsOf(move: Move, k: Omit<Spoiler, 'which'>): { bodies: EventBody[]; actors: Actor[] } {
  const b = move.body;
  const bodySpoils: EventBody[] = [];
  const push = (x: EventBody) => bodySpoils.push(x);
  switch (b.type) {
    case 'referral.make':
      push({ ...b, person: { ...b.person, ageYears: k.age } });
      push({ ...b, person: { ...b.person, residency: 'notResident' } });
      push({ ...b, person: { ...b.person, area: null } });
      push({ ...b, consent: { sharing: 'refused' } });
      push({ ...b, source: 'self' });
      push({ ...b, source: 'SMS', to: k.agency, content: { suspectedDisorder: ' ' } });
      push({ ...b, to: k.agency, keyWorkerNamed: false });
      push({ ...b, to: { ...agencies.eip }, suspectedFirstEpisodePsychosis: k.age % 2 === 0, person: { ...b.person, ageYears: k.age } });
      break;
    case 'referral.decline':
    case 'involvement.decline':
      push({ ...b, reason: k.reason });
      push({ ...b, explanation: '  ' });
      push({ ...b, writtenToPerson: false });
      push({ ...b, recommendationToReferrer: undefined });
      break;
    case 'lead.decline':
    case 'handover.decline':
      push({ ...b, reason: k.reason });
      push({ ...b, explanation: undefined });
      break;
    case 'referral.redirect':
    case 'involvement.request':
      push({ ...b, to: k.agency });
      push({ ...b, needToKnow: undefined });
      break;
    case 'lead.propose':
      push({ ...b, to: k.agency });
      push({ ...b, to: k.agency, rationale: ' ' });
      break;
    case 'assessment.record':
      push({ ...b, scores: { phq9: k.score, gad7: k.score, audit: k.score, dast10: k.score } });
      push({ ...b, canServiceAloneSupport: false, nextStep: undefined });
      push({ ...b, mentalHealth: 'severe', substanceUse: { ...b.substanceUse, dependent: k.age % 2 === 0 } });
      break;
    case 'assessment.review':
      push({ ...b, scores: { dast10: k.score, audit: k.score } });
      push({ ...b, risks: { toSelf: 'high', toOthers: 'high', selfNeglect: true, safeguarding: true } });
      break;
    case 'lead.assign':
    case 'lead.retain':
      push({ ...b, rationale: '  ' });
      push({ ...b, rationale: undefined });
      break;
    case 'careplan.agree':
      push({ ...b, roles: [] });
      push({ ...b, relapseIndicators: [] });
      push({ ...b, safetyPlan: ' ' });
      push({ ...b, agreedWithPerson: false });
      break;
    case 'careplan.review':
      push({ ...b, attendees: [] });
      push({ ...b, invitedAgencies: [] });
      push({ ...b, consent: { sharing: 'refused' } });
      break;
    case 'detox.plan':
      push({ ...b, mdtAgreed: false });
      push({ ...b, postDetoxPlan: '' });
      break;
    case 'detox.start':
      push({ ...b, substance: 'alcohol' });
      break;
    case 'handover.request':
      push({ ...b, carePlan: undefined });
      push({ ...b, riskSummary: ' ' });
      push({ ...b, personInformed: false });
      push({ ...b, reason: 'inpatientDischarge', inpatient: undefined });
      push({ ...b, to: k.agency, rationale: undefined });
      break;
    case 'dispute.resolve':
      push({ ...b, lead: k.agency, rationale: undefined });
      push({ ...b, commissionerConsulted: false });
      break;
    case 'case.close':
      push({ ...b, personInformed: false });
      push({ ...b, gpInformed: false });
      push({ ...b, reason: 'transferredAccepted', to: k.agency });
      push({ ...b, reason: 'movedOutOfArea', to: agencies.outOfArea });
      push({ ...b, reason: 'declinedWithCapacity' });
      break;
    case 'deadline.reached':
      push({ ...b, ref: 'inv-9' });
      break;
    default:
      break;
  }
  return { bodies: bodySpoils, actors: [k.actor, { ...move.actor, role: k.role }] };
}

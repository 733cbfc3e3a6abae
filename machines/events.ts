/** One zod schema per event type: the single source of event shapes for the machine, API and UI. */
import { z } from 'zod';
import {
  acuteSettings,
  agencyKinds,
  areas,
  careNeedsAssessmentStatuses,
  consentStatuses,
  deadlineNames,
  declineReasons,
  detoxSubstances,
  followUpMethods,
  followUpOutcomes,
  handoverReasons,
  incidentKinds,
  mentalHealthSeverities,
  mhsServices,
  needToKnowGrounds,
  readinessToChange,
  referralSources,
  referrerQualifications,
  requestableClosureReasons,
  residencies,
  roles,
  safeguardingDecisions,
  safeguardingKinds,
} from './vocab.ts';

const text = z.string().trim().min(1).max(4000);
const shortText = z.string().trim().min(1).max(200);
const optionalText = z.string().trim().max(4000).optional();
const id = z.string().trim().min(1).max(100);
const isoDate = z.iso.date();

export const agencyRefSchema = z.strictObject({
  id,
  kind: z.enum(agencyKinds),
  service: z.enum(mhsServices).optional(),
  name: shortText.optional(),
});
export type AgencyRef = z.infer<typeof agencyRefSchema>;

export const coordinatorSchema = z.strictObject({ id, name: shortText });
export type Coordinator = z.infer<typeof coordinatorSchema>;

/** Who sent an event and when: stamped by the engine from authentication and its clock, never by the client. */
export const actorSchema = z.strictObject({
  id,
  agencyId: id,
  agencyKind: z.enum(agencyKinds),
  role: z.enum(roles),
});
export type Actor = z.infer<typeof actorSchema>;
export const stampSchema = z.strictObject({ at: z.iso.datetime({ offset: true }), actor: actorSchema });
export type Stamp = z.infer<typeof stampSchema>;

const needToKnow = z.enum(needToKnowGrounds).optional();
const consent = z.strictObject({ sharing: z.enum(consentStatuses).exclude(['notSought']), needToKnow });
/**
 * R-REF-NOINTOX (second reading): a service manager of the declining service confirms that a decline whose
 * free text mentions substance use or intoxication is not made on those grounds.
 */
const managerConfirmation = z.boolean().optional();
const decline = {
  reason: z.enum(declineReasons),
  explanation: optionalText,
  writtenToPerson: z.boolean(),
  recommendationToReferrer: optionalText,
  /** R-CHALLENGE: the letter tells the person (and carer) of their right to challenge the decision and how. */
  rightToChallengeGiven: z.boolean().optional(),
  managerConfirmsNotForSubstanceUse: managerConfirmation,
};
/** R-REF-CONTENT items: checked by a guard so a missing item is named with its rule. */
const referralContent = z.strictObject({
  suspectedDisorder: optionalText,
  substanceObstruction: optionalText,
  hopedOutcome: optionalText,
});
const risks = z.strictObject({
  toSelf: z.enum(['low', 'moderate', 'high']),
  toOthers: z.enum(['low', 'moderate', 'high']),
  selfNeglect: z.boolean(),
  safeguarding: z.boolean(),
});
const scores = z.strictObject({
  phq9: z.number().int().optional(),
  gad7: z.number().int().optional(),
  audit: z.number().int().optional(),
  dast10: z.number().int().optional(),
});
const substanceUse = z.strictObject({
  substances: z.array(shortText).max(20),
  currentUse: text,
  dependent: z.boolean(),
  readiness: z.enum(readinessToChange),
});
const carePlan = z.strictObject({
  roles: z.array(z.strictObject({ agencyId: id, responsibility: text })).max(20),
  relapseIndicators: z.array(text).max(50),
  risks: z.array(text).max(50),
  safetyPlan: optionalText,
  agreedWithPerson: z.boolean(),
  cpa: z.boolean().default(false),
  reviewDue: isoDate.optional(),
  /** R-CNA: for Q1 and Q2, the person's right to a Care Needs Assessment and where it stands. */
  careNeedsAssessment: z.enum(careNeedsAssessmentStatuses).optional(),
  /** R-CNA: the plan addresses severe self-neglect and safeguarding. */
  addressesSelfNeglectAndSafeguarding: z.boolean().optional(),
});
export type CarePlanInput = z.infer<typeof carePlan>;
const involvementId = z.strictObject({ involvementId: id });
/** R-SAFEGUARDING (second reading): the decision both services share after a concern. */
const safeguardingDecision = z.strictObject({
  decision: z.enum(safeguardingDecisions),
  /** The local authority the alert went to (when raised). */
  localAuthority: shortText.optional(),
  /** The documented reason not to raise an alert. */
  reason: optionalText,
  /** The other services the decision was discussed and shared with. */
  sharedWith: z.array(id).max(20).default([]),
  domesticAbuse: z.boolean().default(false),
  /** P21 §6.3 N.B.: domestic abuse needs a safety plan. */
  safetyPlan: optionalText,
});
/** R-CAPACITY: what the judgment that a person declines with capacity rested on (P21 §3.5). */
const capacityConsiderations = z.strictObject({
  mentalCapacityActConsidered: z.boolean(),
  mentalHealthActConsidered: z.boolean().optional(),
  collateralFrom: z.array(shortText).max(20),
});
/** R-REF-WRAPAROUND, R-REF-CONTENT, R-CRISIS-SOURCE: what a referral to a new receiver carries. */
const onwardReferral = {
  content: referralContent.optional(),
  keyWorkerNamed: z.boolean().optional(),
  recoveryPlanInPlace: z.boolean().optional(),
  /** R-CRISIS-SOURCE: liaison psychiatry is referred to by pager only. */
  viaPager: z.boolean().optional(),
};

/** The bodies clients send, keyed by event type. */
export const eventBodies = {
  'referral.make': z.strictObject({
    source: z.enum(referralSources),
    referrer: z.strictObject({
      name: shortText,
      agencyId: id.optional(),
      qualification: z.enum(referrerQualifications),
      /** R-CRISIS-SOURCE: an out-of-hours GP may refer to the crisis team. */
      outOfHours: z.boolean().optional(),
    }),
    to: agencyRefSchema,
    person: z.strictObject({
      ageYears: z.number().int().min(0).max(130),
      residency: z.enum(residencies),
      area: z.enum(areas).nullable(),
    }),
    reasonForReferral: text,
    suspectedFirstEpisodePsychosis: z.boolean().default(false),
    content: referralContent.optional(),
    keyWorkerNamed: z.boolean().optional(),
    recoveryPlanInPlace: z.boolean().optional(),
    viaPager: z.boolean().optional(),
    consent,
  }),
  'referral.accept': z.strictObject({ note: optionalText }),
  'referral.decline': z.strictObject(decline),
  'referral.redirect': z.strictObject({
    to: agencyRefSchema,
    note: text,
    needToKnow,
    // R-REF-ONWARD (second reading): a redirect is an onward referral and carries what a referral carries.
    ...onwardReferral,
    /** R-REF-TRIAGE: the qualification of the practitioner passing the referral on. */
    qualification: z.enum(referrerQualifications).optional(),
    suspectedFirstEpisodePsychosis: z.boolean().optional(),
    /** R-ELIG-AGE: an under-18 redirect to CAMHS is written to the person and to the referrer. */
    letterToPerson: z.boolean().optional(),
    letterToReferrer: z.boolean().optional(),
  }),
  'assessment.record': z.strictObject({
    mentalHealth: z.enum(mentalHealthSeverities),
    substanceUse,
    housing: text,
    supportNetwork: text,
    risks,
    scores: scores.optional(),
    canServiceAloneSupport: z.boolean(),
    nextStep: z.enum(['mdtConsultation', 'jointCare', 'onwardReferral']).optional(),
    consent,
    /** R-SAFEGUARDING (P16): dependent children and caring responsibilities are recorded. */
    household: z.strictObject({ dependentChildren: z.boolean(), caringResponsibilities: z.boolean() }).optional(),
    /** R-SAFEGUARDING: the decision on a concern the assessment found, when taken with it. */
    safeguardingDecision: safeguardingDecision.optional(),
  }),
  'assessment.review': z.strictObject({
    mentalHealth: z.enum(mentalHealthSeverities),
    substanceUse,
    risks,
    scores: scores.optional(),
    planAdjustment: optionalText,
    /** R-RISK-CHANGE: the services told of a change of risk status. */
    notified: z.array(id).max(20).default([]),
  }),
  'mdt.consult': z.strictObject({ agencies: z.array(id).min(1).max(20), outcome: text }),
  'lead.assign': z.strictObject({ coordinator: coordinatorSchema, rationale: optionalText }),
  'lead.propose': z.strictObject({ to: agencyRefSchema, rationale: optionalText, needToKnow }),
  'lead.accept': z.strictObject({ coordinator: coordinatorSchema }),
  'lead.decline': z.strictObject({
    reason: z.enum(declineReasons),
    explanation: optionalText,
    managerConfirmsNotForSubstanceUse: managerConfirmation,
  }),
  'lead.retain': z.strictObject({ rationale: optionalText }),
  'involvement.request': z.strictObject({
    to: agencyRefSchema,
    purpose: text,
    content: referralContent.optional(),
    keyWorkerNamed: z.boolean().optional(),
    recoveryPlanInPlace: z.boolean().optional(),
    viaPager: z.boolean().optional(),
    needToKnow,
  }),
  'involvement.accept': involvementId,
  'involvement.decline': involvementId.extend(decline),
  'involvement.start': involvementId,
  'involvement.end': involvementId.extend({ note: optionalText }),
  'careplan.agree': carePlan,
  'careplan.review': z.strictObject({
    attendees: z.array(z.strictObject({ name: shortText, agencyId: id.optional() })).max(30),
    invitedAgencies: z.array(id).max(20).default([]),
    consent,
    changes: optionalText,
    nextReviewDue: isoDate.optional(),
  }),
  'engagement.decline': z.strictObject({ hasCapacity: z.boolean(), note: optionalText, capacity: capacityConsiderations.optional() }),
  'engagement.resume': z.strictObject({ note: optionalText }),
  'engagement.assertiveOutreach': z.strictObject({ note: text }),
  'safeguarding.raise': z.strictObject({
    concern: z.enum(safeguardingKinds),
    referredTo: shortText,
    summary: text,
    domesticAbuse: z.boolean().optional(),
  }),
  'safeguarding.decide': safeguardingDecision,
  'risk.change': z.strictObject({ risks, summary: text, notified: z.array(id).max(20).default([]) }),
  'acute.presentation': z.strictObject({
    setting: z.enum(acuteSettings),
    summary: text,
    smsNotified: z.boolean(),
    mhsToldOfSms: z.boolean(),
    gpLetterNamesReferral: z.boolean(),
    jointWorkingIdentified: z.boolean(),
    needToKnow,
    dischargePlanning: z
      .strictObject({
        smsInvited: z.boolean(),
        coversBothConditions: z.boolean(),
        overdoseRiskDiscussed: z.boolean(),
      })
      .optional(),
  }),
  'incident.report': z.strictObject({ kind: z.enum(incidentKinds), summary: text, investigatedWith: z.array(id).max(20).default([]) }),
  'incident.learning': z.strictObject({ incidentId: id, learningActions: z.array(text).max(50) }),
  'consent.record': z.strictObject({ sharing: z.enum(consentStatuses).exclude(['notSought']), note: optionalText }),
  'carer.offerAssessment': z.strictObject({ carerName: shortText.optional(), accepted: z.boolean() }),
  'detox.plan': z.strictObject({ substance: z.enum(detoxSubstances), postDetoxPlan: optionalText, mdtAgreed: z.boolean() }),
  'detox.start': z.strictObject({ substance: z.enum(detoxSubstances) }),
  'detox.complete': z.strictObject({ note: optionalText }),
  'handover.request': z.strictObject({
    to: agencyRefSchema,
    reason: z.enum(handoverReasons),
    carePlan: carePlan.optional(),
    riskSummary: optionalText,
    personInformed: z.boolean(),
    carerInformed: z.boolean().optional(),
    senderContinuesAsSupport: z.boolean().default(false),
    rationale: optionalText,
    needToKnow,
    inpatient: z
      .strictObject({
        leadProfessional: optionalText,
        smsRecoveryCoordinatorInvited: z.boolean(),
        coversBothConditions: z.boolean(),
        overdoseRiskDiscussed: z.boolean(),
        /** R-S117: detained under section 3 of the Mental Health Act, and the section 117 aftercare planned. */
        detainedUnderSection3: z.boolean().optional(),
        s117Aftercare: optionalText,
      })
      .optional(),
  }),
  'handover.accept': z.strictObject({ coordinator: coordinatorSchema }),
  'handover.decline': z.strictObject({
    reason: z.enum(declineReasons),
    explanation: optionalText,
    managerConfirmsNotForSubstanceUse: managerConfirmation,
  }),
  'handover.withdraw': z.strictObject({ note: text }),
  'dispute.raise': z.strictObject({ about: text, proposedLead: agencyRefSchema.optional() }),
  'dispute.escalate': z.strictObject({ note: text }),
  'dispute.resolve': z.strictObject({
    lead: agencyRefSchema,
    coordinator: coordinatorSchema,
    outcome: text,
    rationale: optionalText,
    commissionerConsulted: z.boolean().default(false),
  }),
  // R-DISPUTE (second reading): one side's manager proposes, the other side's confirms; a new lead confirms itself.
  'dispute.propose': z.strictObject({
    outcome: text,
    lead: agencyRefSchema.optional(),
    rationale: optionalText,
    commissionerConsulted: z.boolean().default(false),
    commissionerInput: optionalText,
  }),
  'dispute.confirm': z.strictObject({ coordinator: coordinatorSchema.optional(), note: optionalText }),
  'case.close': z.strictObject({
    reason: z.enum(requestableClosureReasons),
    personInformed: z.boolean(),
    gpInformed: z.boolean(),
    to: agencyRefSchema.optional(),
    note: optionalText,
    /** R-CLOSE-GAPLESS (d): care is complete (discharge to the GP outside Q4). */
    careComplete: z.boolean().optional(),
  }),
  'deadline.reached': z.strictObject({ deadline: z.enum(deadlineNames), ref: id.optional() }),
  // NICE QS188 statement 4: a missed appointment is a fact of the case, and so is the follow-up that answers it.
  'appointment.missed': z.strictObject({ appointmentId: id, scheduledAt: z.iso.datetime({ offset: true }), note: optionalText }),
  'appointment.followUp': z.strictObject({
    appointmentId: id,
    method: z.enum(followUpMethods),
    outcome: z.enum(followUpOutcomes),
    note: optionalText,
  }),
} as const;

export type EventType = keyof typeof eventBodies;
export const eventTypes = Object.keys(eventBodies) as EventType[];

/** The body a client sends for one event: `{ type, ...payload }`. */
export const eventBodySchema = z.discriminatedUnion(
  'type',
  eventTypes.map((type) => eventBodies[type].extend({ type: z.literal(type) })) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<EventType> }>,
    ...z.ZodObject<{ type: z.ZodLiteral<EventType> }>[],
  ],
);

type BodyOf<T extends EventType> = z.output<(typeof eventBodies)[T]>;
/** An event as the machine receives it: the validated body plus the engine's stamp. */
export type PathwayEvent = { [T in EventType]: { type: T } & BodyOf<T> & Stamp }[EventType];
export type EventOf<T extends EventType> = Extract<PathwayEvent, { type: T }>;
export type EventBody = { [T in EventType]: { type: T } & z.input<(typeof eventBodies)[T]> }[EventType];

/** Parses a client body; unknown types and unknown keys (`state`, `actor`, …) are rejected. */
export function parseEventBody(body: unknown) {
  const type = (body as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(eventBodies, type)) {
    return { success: false as const, error: `unknown event type ${JSON.stringify(type ?? null)}` };
  }
  const { type: _t, ...rest } = body as Record<string, unknown>;
  const parsed = eventBodies[type as EventType].safeParse(rest);
  if (!parsed.success) return { success: false as const, error: z.prettifyError(parsed.error), issues: parsed.error.issues };
  return { success: true as const, data: { type, ...parsed.data } as { type: EventType } & Record<string, unknown> };
}

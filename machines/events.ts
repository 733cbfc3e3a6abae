/** One zod schema per event type: the single source of event shapes for the machine, API and UI. */
import { z } from 'zod';
import {
  agencyKinds,
  areas,
  consentStatuses,
  deadlineNames,
  declineReasons,
  detoxSubstances,
  followUpMethods,
  followUpOutcomes,
  handoverReasons,
  mentalHealthSeverities,
  mhsServices,
  needToKnowGrounds,
  readinessToChange,
  referralSources,
  referrerQualifications,
  requestableClosureReasons,
  residencies,
  roles,
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
const decline = {
  reason: z.enum(declineReasons),
  explanation: optionalText,
  writtenToPerson: z.boolean(),
  recommendationToReferrer: optionalText,
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
});
export type CarePlanInput = z.infer<typeof carePlan>;
const involvementId = z.strictObject({ involvementId: id });

/** The bodies clients send, keyed by event type. */
export const eventBodies = {
  'referral.make': z.strictObject({
    source: z.enum(referralSources),
    referrer: z.strictObject({ name: shortText, agencyId: id.optional(), qualification: z.enum(referrerQualifications) }),
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
    consent,
  }),
  'referral.accept': z.strictObject({ note: optionalText }),
  'referral.decline': z.strictObject(decline),
  'referral.redirect': z.strictObject({ to: agencyRefSchema, note: text, needToKnow }),
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
  }),
  'assessment.review': z.strictObject({
    mentalHealth: z.enum(mentalHealthSeverities),
    substanceUse,
    risks,
    scores: scores.optional(),
    planAdjustment: optionalText,
  }),
  'mdt.consult': z.strictObject({ agencies: z.array(id).min(1).max(20), outcome: text }),
  'lead.assign': z.strictObject({ coordinator: coordinatorSchema, rationale: optionalText }),
  'lead.propose': z.strictObject({ to: agencyRefSchema, rationale: optionalText, needToKnow }),
  'lead.accept': z.strictObject({ coordinator: coordinatorSchema }),
  'lead.decline': z.strictObject({ reason: z.enum(declineReasons), explanation: optionalText }),
  'lead.retain': z.strictObject({ rationale: optionalText }),
  'involvement.request': z.strictObject({
    to: agencyRefSchema,
    purpose: text,
    content: referralContent.optional(),
    keyWorkerNamed: z.boolean().optional(),
    recoveryPlanInPlace: z.boolean().optional(),
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
  'engagement.decline': z.strictObject({ hasCapacity: z.boolean(), note: optionalText }),
  'engagement.resume': z.strictObject({ note: optionalText }),
  'engagement.assertiveOutreach': z.strictObject({ note: text }),
  'safeguarding.raise': z.strictObject({ concern: z.enum(safeguardingKinds), referredTo: shortText, summary: text }),
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
      })
      .optional(),
  }),
  'handover.accept': z.strictObject({ coordinator: coordinatorSchema }),
  'handover.decline': z.strictObject({ reason: z.enum(declineReasons), explanation: optionalText }),
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
  'case.close': z.strictObject({
    reason: z.enum(requestableClosureReasons),
    personInformed: z.boolean(),
    gpInformed: z.boolean(),
    to: agencyRefSchema.optional(),
    note: optionalText,
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

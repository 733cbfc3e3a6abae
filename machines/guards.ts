/** Every guard of the pathway, each a pure predicate carrying the rule that demands it. */
import { atSeriousRisk, missedAppointmentsOf, type PathwayContext, pendingInvolvements, responsibleAgency } from './context.ts';
import type { PathwayEvent } from './events.ts';
import { leadAgencyFor, quadrantOf } from './quadrant.ts';
import type { RuleId } from './rules.ts';
import { forbiddenDeclineReasons } from './vocab.ts';

/**
 * `needs` says what a guard reads: `state` (context only), `actor` (context and who acts) or
 * `payload` (the event's own fields). `nextEvents` can judge the first two without a payload.
 * A `route` guard picks between transitions of one event; it never refuses anything alone.
 */
export type GuardSpec = {
  rule: RuleId;
  needs: 'state' | 'actor' | 'payload';
  route?: true;
  message: string | ((ctx: PathwayContext, ev: PathwayEvent) => string);
  test: (ctx: PathwayContext, ev: PathwayEvent) => boolean;
};

const hasText = (s: string | undefined): boolean => !!s && s.trim().length > 0;
const serving = new Set(['practitioner', 'serviceManager', 'clinicalDirector']);
const actsFor = (ev: PathwayEvent, agencyId: string | undefined): boolean =>
  !!agencyId && ev.actor.agencyId === agencyId && serving.has(ev.actor.role);
const under18Redirected = (_ctx: PathwayContext, ev: PathwayEvent): boolean =>
  ev.type === 'referral.make' &&
  ev.person.ageYears < 18 &&
  !(ev.to.service === 'EIP' && ev.suspectedFirstEpisodePsychosis && ev.person.ageYears >= 14) &&
  !(ev.source === 'CAMHS' && ev.person.ageYears >= 17);
const missingReferralContent = (ev: PathwayEvent): string[] => {
  if (ev.type !== 'referral.make' && ev.type !== 'involvement.request') return [];
  const fromSms = ev.type === 'referral.make' ? ev.source === 'SMS' : ev.actor.agencyKind === 'SMS';
  if (!fromSms || (ev.to.kind !== 'MHS' && ev.to.kind !== 'IAPT')) return [];
  const c = ev.content ?? {};
  return [
    hasText(c.suspectedDisorder) ? null : 'the suspected mental disorder',
    hasText(c.substanceObstruction) ? null : 'how substance use would obstruct treatment',
    hasText(c.hopedOutcome) ? null : 'what the person hopes to gain',
  ].filter((m): m is string => m !== null);
};
const missingHandoverContent = (ev: PathwayEvent): string[] => {
  if (ev.type !== 'handover.request') return [];
  const p = ev.carePlan;
  return [
    p && p.roles.length > 0 && p.relapseIndicators.length > 0 ? null : 'the adjusted care plan (roles and relapse indicators)',
    hasText(p?.safetyPlan) ? null : 'the safety plan',
    hasText(ev.riskSummary) ? null : 'the risk summary',
    ev.personInformed ? null : 'confirmation that the person has been told',
  ].filter((m): m is string => m !== null);
};
/** The agency an event proposes to lead, where it proposes one. */
const proposedLeadKind = (ev: PathwayEvent) => {
  if (ev.type === 'lead.assign') return ev.actor.agencyKind;
  if (ev.type === 'lead.propose' || ev.type === 'handover.request') return ev.to.kind;
  if (ev.type === 'dispute.resolve') return ev.lead.kind;
  return null;
};
const involvementOf = (ctx: PathwayContext, ev: PathwayEvent) =>
  'involvementId' in ev ? ctx.involvements.find((i) => i.id === ev.involvementId) : undefined;
/**
 * The involvement an event names, or — for a probe without one (nextEvents asks "could this actor do
 * this at all?") — whether any involvement would pass. A real event always names one (its schema).
 */
const involvementCheck = (ctx: PathwayContext, ev: PathwayEvent, ok: (i: PathwayContext['involvements'][number]) => boolean) =>
  'involvementId' in ev ? ((i) => !!i && ok(i))(involvementOf(ctx, ev)) : ctx.involvements.some(ok);
const scoreRanges = { phq9: 27, gad7: 21, audit: 40, dast10: 10 } as const;
const agenciesInCase = (ctx: PathwayContext): string[] =>
  [
    ctx.referral?.to.id,
    ctx.lead?.agency.id,
    ctx.leadProposal?.to.id,
    ctx.handover?.to.id,
    ctx.dispute?.proposedLead?.id,
    ...ctx.involvements.filter((i) => i.status !== 'declined').map((i) => i.agency.id),
  ].filter((a): a is string => !!a);
const dueOf = (ctx: PathwayContext, ev: PathwayEvent): string | undefined => {
  if (ev.type !== 'deadline.reached') return undefined;
  switch (ev.deadline) {
    case 'referralFollowUp':
      return ctx.referral?.status === 'awaiting' ? ctx.referral.followUpDue : undefined;
    case 'leadFollowUp':
      return ctx.leadProposal?.followUpDue;
    case 'handoverFollowUp':
      return ctx.handover?.followUpDue;
    case 'involvementFollowUp':
      return ctx.involvements.find((i) => i.id === ev.ref && i.status === 'requested')?.followUpDue;
    case 'carePlanReview':
      return ctx.carePlan?.reviewDue;
  }
};

export const guards = {
  // Referral routing (R-ELIG-AGE, R-REF-TRIAGE): route guards pick where a valid referral goes.
  isUnder18Redirect: {
    rule: 'R-ELIG-AGE',
    needs: 'payload',
    route: true,
    message: 'Under-18s are redirected to CAMHS',
    test: under18Redirected,
  },
  needsMhsTriage: {
    rule: 'R-REF-TRIAGE',
    needs: 'payload',
    route: true,
    message: 'Referrals to MHS from non-qualified referrers go to triage',
    test: (_c, ev) =>
      ev.type === 'referral.make' && ev.to.kind === 'MHS' && ev.referrer.qualification === 'other' && ev.to.service !== 'EIP',
  },
  goesStraightToAssessment: {
    rule: 'R-REF-TRIAGE',
    needs: 'payload',
    route: true,
    message: 'Referrals to MHS from qualified referrers go straight to assessment',
    test: (_c, ev) =>
      ev.type === 'referral.make' && ev.to.kind === 'MHS' && (ev.referrer.qualification !== 'other' || ev.to.service === 'EIP'),
  },
  residentInKentOrMedway: {
    rule: 'R-ELIG-AREA',
    needs: 'payload',
    message: 'The person must live in Kent or Medway, permanently or temporarily',
    test: (_c, ev) => ev.type !== 'referral.make' || (ev.person.residency !== 'notResident' && ev.person.area !== null),
  },
  selfReferralToAcceptingService: {
    rule: 'R-REF-SOURCE',
    needs: 'payload',
    message:
      'Self-referral is accepted by substance misuse, talking therapy and wraparound services, not by secondary mental health or social care',
    test: (_c, ev) => ev.type !== 'referral.make' || ev.source !== 'self' || ['SMS', 'IAPT', 'WRAPAROUND'].includes(ev.to.kind),
  },
  validEipReferral: {
    rule: 'R-REF-EIP',
    needs: 'payload',
    message: 'Direct referral to EIP is for a suspected first episode of psychosis, aged 14 to 65',
    test: (_c, ev) =>
      ev.type !== 'referral.make' ||
      ev.to.service !== 'EIP' ||
      (ev.suspectedFirstEpisodePsychosis && ev.person.ageYears >= 14 && ev.person.ageYears <= 65),
  },
  adultOrTransition: {
    rule: 'R-ELIG-AGE',
    needs: 'payload',
    message: 'Only a person aged 18 or over (or a planned CAMHS transition, or an EIP referral) can enter the adult pathway',
    test: (c, ev) => ev.type !== 'referral.make' || ev.person.ageYears >= 18 || !under18Redirected(c, ev),
  },
  referralContentComplete: {
    rule: 'R-REF-CONTENT',
    needs: 'payload',
    message: (_c, ev) =>
      `A referral from substance misuse services to ${'to' in ev && ev.to ? ev.to.kind : 'MHS or IAPT'} must state ${missingReferralContent(ev).join(', ')}`,
    test: (_c, ev) => missingReferralContent(ev).length === 0,
  },
  wraparoundPrerequisites: {
    rule: 'R-REF-WRAPAROUND',
    needs: 'payload',
    message: 'Wraparound services accept a person with a substance problem only with a named key worker and a recovery plan',
    test: (_c, ev) =>
      !(ev.type === 'referral.make' || ev.type === 'involvement.request') ||
      ev.to.kind !== 'WRAPAROUND' ||
      (ev.keyWorkerNamed === true && ev.recoveryPlanInPlace === true),
  },
  sharingPermitted: {
    rule: 'R-CONSENT',
    needs: 'payload',
    message:
      'Without consent, information goes to another agency only on a recorded need-to-know ground (high risk, severe self-neglect, safeguarding)',
    test: (c, ev) => {
      if (ev.type === 'referral.make') return ev.consent.sharing === 'given' || !!ev.consent.needToKnow;
      const ground = 'needToKnow' in ev ? ev.needToKnow : undefined;
      return c.consent.sharing !== 'refused' || !!ground;
    },
  },
  // Who may act (R-HANDOVER-ONLYRECEIVER, R-LEAD-ONE, R-ASSESS-ALONE, R-DISPUTE).
  isReferralReceiver: {
    rule: 'R-HANDOVER-ONLYRECEIVER',
    needs: 'actor',
    message: (c) => `Only the receiving service (${c.referral?.to.name ?? c.referral?.to.id}) can accept, decline or pass on this referral`,
    test: (c, ev) => actsFor(ev, c.referral?.to.id),
  },
  isAssessingAgency: {
    rule: 'R-ASSESS-ALONE',
    needs: 'actor',
    message: 'Only the assessing service records the assessment',
    test: (c, ev) => actsFor(ev, c.referral?.to.id),
  },
  isResponsibleAgency: {
    rule: 'R-LEAD-ONE',
    needs: 'actor',
    message: (c) => `Only the service responsible for the case now (${responsibleAgency(c)?.name ?? responsibleAgency(c)?.id}) can do this`,
    test: (c, ev) => actsFor(ev, responsibleAgency(c)?.id),
  },
  isLeadAgency: {
    rule: 'R-LEAD-ONE',
    needs: 'actor',
    message: (c) => `Only the lead agency (${c.lead?.agency.name ?? c.lead?.agency.id ?? 'none yet'}) manages the case`,
    test: (c, ev) => actsFor(ev, c.lead?.agency.id),
  },
  isProposedLead: {
    rule: 'R-HANDOVER-ONLYRECEIVER',
    needs: 'actor',
    message: 'Only the service asked to lead can accept or decline',
    test: (c, ev) => actsFor(ev, c.leadProposal?.to.id),
  },
  isHandoverReceiver: {
    rule: 'R-HANDOVER-ONLYRECEIVER',
    needs: 'actor',
    message: (c) => `Only the receiving service (${c.handover?.to.name ?? c.handover?.to.id}) can accept or decline this handover`,
    test: (c, ev) => actsFor(ev, c.handover?.to.id),
  },
  isInvolvementReceiver: {
    rule: 'R-HANDOVER-ONLYRECEIVER',
    needs: 'actor',
    message: 'Only the service asked to be involved can accept, decline or start its involvement',
    test: (c, ev) =>
      'involvementId' in ev
        ? actsFor(ev, involvementOf(c, ev)?.agency.id)
        : c.involvements.some((i) => actsFor(ev, i.agency.id) && i.status !== 'declined' && i.status !== 'ended'),
  },
  isInvolvedAgency: {
    rule: 'R-DISPUTE',
    needs: 'actor',
    message: 'Only a service involved in the case can do this',
    test: (c, ev) => agenciesInCase(c).some((a) => actsFor(ev, a)),
  },
  resolutionNamesParty: {
    rule: 'R-DISPUTE',
    needs: 'payload',
    message: 'The resolution names as lead a service that is party to the case or the dispute',
    test: (c, ev) => ev.type !== 'dispute.resolve' || agenciesInCase(c).includes(ev.lead.id),
  },
  canResolveDispute: {
    rule: 'R-DISPUTE',
    needs: 'actor',
    message: (c) =>
      c.dispute?.level === 'clinicalDirectors'
        ? 'An escalated dispute is resolved by clinical directors or senior management'
        : 'A dispute is resolved by the service managers',
    test: (c, ev) =>
      agenciesInCase(c).includes(ev.actor.agencyId) &&
      (ev.actor.role === 'clinicalDirector' || (c.dispute?.level === 'serviceManagers' && ev.actor.role === 'serviceManager')),
  },
  isSystem: {
    rule: 'R-REF-FOLLOWUP',
    needs: 'actor',
    message: 'Deadlines are fired by the engine',
    test: (_c, ev) => ev.actor.role === 'system',
  },
  // Referral handling.
  referralAccepted: {
    rule: 'R-REF-ONWARD',
    needs: 'state',
    message: 'Before accepting the referral, a service passes it on with a redirect rather than an onward request',
    test: (c) => c.referral?.status === 'accepted',
  },
  redirectsElsewhere: {
    rule: 'R-REF-ONWARD',
    needs: 'payload',
    message: 'An onward referral goes to another service',
    test: (c, ev) => !('to' in ev) || !ev.to || ev.to.id !== (c.lead?.agency.id ?? c.referral?.to.id),
  },
  notAlreadyInvolved: {
    rule: 'R-PARALLEL',
    needs: 'payload',
    message: 'That service is already involved or asked',
    test: (c, ev) => ev.type !== 'involvement.request' || !agenciesInCase(c).includes(ev.to.id),
  },
  involvementAwaiting: {
    rule: 'R-PARALLEL',
    needs: 'actor',
    message: 'No request to that service awaits an answer',
    test: (c, ev) => involvementCheck(c, ev, (i) => i.status === 'requested'),
  },
  involvementAccepted: {
    rule: 'R-PARALLEL',
    needs: 'actor',
    message: 'An involvement starts once accepted',
    test: (c, ev) => involvementCheck(c, ev, (i) => i.status === 'accepted'),
  },
  involvementCurrent: {
    rule: 'R-PARALLEL',
    needs: 'actor',
    message: 'Only an accepted or active involvement can end',
    test: (c, ev) => involvementCheck(c, ev, (i) => i.status === 'accepted' || i.status === 'active'),
  },
  involvementEndedByPartyOrLead: {
    rule: 'R-LEAD-ONE',
    needs: 'actor',
    message: 'An involvement is ended by that service or by the lead agency',
    test: (c, ev) => involvementCheck(c, ev, (i) => actsFor(ev, i.agency.id) || actsFor(ev, c.lead?.agency.id)),
  },
  declineNotForSubstanceUse: {
    rule: 'R-REF-NOINTOX',
    needs: 'payload',
    message: 'Substance use or intoxication is not a reason to refuse a service: an assessment must be offered whatever the level of use',
    test: (_c, ev) => !('reason' in ev) || !forbiddenDeclineReasons.includes(ev.reason as (typeof forbiddenDeclineReasons)[number]),
  },
  declineExplained: {
    rule: 'R-REF-DECLINE',
    needs: 'payload',
    message: 'A decline needs written reasons for the person and a written recommendation to the referrer',
    test: (_c, ev) => !('writtenToPerson' in ev) || (ev.writtenToPerson && hasText(ev.explanation) && hasText(ev.recommendationToReferrer)),
  },
  declineGivesReasons: {
    rule: 'R-HANDOVER-DECLINE',
    needs: 'payload',
    message: 'A service that declines gives its reasons',
    test: (_c, ev) => !('explanation' in ev) || hasText(ev.explanation),
  },
  // Assessment and lead.
  scoresInRange: {
    rule: 'R-ASSESS-FACTORS',
    needs: 'payload',
    message: 'Screening scores must be within range: PHQ-9 0–27, GAD-7 0–21, AUDIT 0–40, DAST-10 0–10',
    test: (_c, ev) =>
      !('scores' in ev) ||
      Object.entries(ev.scores ?? {}).every(([k, v]) => v === undefined || (v >= 0 && v <= scoreRanges[k as keyof typeof scoreRanges])),
  },
  aloneQuestionAnswered: {
    rule: 'R-ASSESS-ALONE',
    needs: 'payload',
    message:
      'If this service alone cannot meet the needs and manage the risks, say what follows: MDT consultation, joint care or onward referral',
    test: (_c, ev) => ev.type !== 'assessment.record' || ev.canServiceAloneSupport || !!ev.nextStep,
  },
  leadFollowsQuadrant: {
    rule: 'R-LEAD-QUADRANT',
    needs: 'payload',
    message: (c) => `In ${c.quadrant} the lead is ${c.quadrant ? leadAgencyFor(c.quadrant) : '?'}; another lead needs a written rationale`,
    test: (c, ev) => {
      const kind = proposedLeadKind(ev);
      if (!kind || !c.quadrant || kind === leadAgencyFor(c.quadrant)) return true;
      return 'rationale' in ev && hasText(ev.rationale);
    },
  },
  hasRationale: {
    rule: 'R-LEAD-QUADRANT',
    needs: 'payload',
    message: 'Keeping a lead the quadrant does not name needs a written rationale',
    test: (_c, ev) => 'rationale' in ev && hasText(ev.rationale),
  },
  quadrantChangesLead: {
    rule: 'R-STEP',
    needs: 'payload',
    route: true,
    message: 'The new quadrant names another lead agency',
    // A change only when the quadrant's lead kind moves and differs from the lead: a lead kept with a
    // rationale is not asked to hand over again while the quadrant stays put.
    test: (c, ev) => {
      if (ev.type !== 'assessment.review' || !c.lead) return false;
      const next = leadAgencyFor(quadrantOf(ev.mentalHealth, ev.substanceUse));
      return next !== c.lead.agency.kind && (!c.quadrant || next !== leadAgencyFor(c.quadrant));
    },
  },
  // Care plan, review, detox.
  carePlanComplete: {
    rule: 'R-CAREPLAN',
    needs: 'payload',
    message: 'A joint care plan names roles, relapse indicators and risks, has a safety plan, and is agreed with the person',
    test: (_c, ev) =>
      ev.type !== 'careplan.agree' ||
      (ev.roles.length > 0 && ev.relapseIndicators.length > 0 && ev.risks.length > 0 && hasText(ev.safetyPlan) && ev.agreedWithPerson),
  },
  reviewRecordsAttendance: {
    rule: 'R-REVIEW',
    needs: 'payload',
    message: 'A review records who attended',
    test: (_c, ev) => ev.type !== 'careplan.review' || ev.attendees.length > 0,
  },
  smsInvitedToCpaReview: {
    rule: 'R-CAREPLAN',
    needs: 'payload',
    message: 'For an MHS-led case under CPA, the substance misuse service is invited to the review',
    test: (c, ev) => {
      if (ev.type !== 'careplan.review' || c.lead?.agency.kind !== 'MHS' || !c.carePlan?.cpa) return true;
      const sms = c.involvements.filter((i) => i.agency.kind === 'SMS' && (i.status === 'accepted' || i.status === 'active'));
      return sms.every((i) => ev.invitedAgencies.includes(i.agency.id) || ev.attendees.some((a) => a.agencyId === i.agency.id));
    },
  },
  postDetoxPlanInPlace: {
    rule: 'R-DETOX',
    needs: 'payload',
    message: 'A dependent drinker needs a post-detox care plan from the multi-agency team before an alcohol detox starts',
    test: (c, ev) =>
      ev.type !== 'detox.start' || ev.substance !== 'alcohol' || (c.detox?.substance === 'alcohol' && !!c.detox.planAgreedAt),
  },
  detoxPlanAgreedByMdt: {
    rule: 'R-DETOX',
    needs: 'payload',
    message: 'The post-detox care plan is written and agreed by the multi-agency team',
    test: (_c, ev) => ev.type !== 'detox.plan' || (ev.mdtAgreed && hasText(ev.postDetoxPlan)),
  },
  carerConsent: {
    rule: 'R-CARER',
    needs: 'state',
    message: 'A carer assessment is offered with the person’s consent to share information',
    test: (c) => c.consent.sharing === 'given',
  },
  // Handover.
  handoverContentComplete: {
    rule: 'R-HANDOVER-CONTENT',
    needs: 'payload',
    message: (_c, ev) => `A handover must carry ${missingHandoverContent(ev).join(', ')}`,
    test: (_c, ev) => missingHandoverContent(ev).length === 0,
  },
  inpatientTransferPlanned: {
    rule: 'R-INPATIENT',
    needs: 'payload',
    message:
      'A transfer from inpatient care needs a lead professional, the SMS recovery coordinator invited, a plan for both conditions and the overdose-risk conversation',
    test: (_c, ev) =>
      ev.type !== 'handover.request' ||
      ev.reason !== 'inpatientDischarge' ||
      (!!ev.inpatient &&
        hasText(ev.inpatient.leadProfessional) &&
        ev.inpatient.smsRecoveryCoordinatorInvited &&
        ev.inpatient.coversBothConditions &&
        ev.inpatient.overdoseRiskDiscussed),
  },
  handoverFromStepChange: {
    rule: 'R-STEP',
    needs: 'state',
    route: true,
    message: 'The handover follows a change of quadrant',
    test: (c) => !!c.stepChange,
  },
  // Dispute.
  disputeBeforeLead: {
    rule: 'R-DISPUTE',
    needs: 'state',
    route: true,
    message: 'The dispute began before any lead was assigned',
    test: (c) => c.dispute?.hadLead === false,
  },
  // Closure.
  noPendingAcceptance: {
    rule: 'R-CLOSE-ACCEPTED',
    needs: 'state',
    message: (c) => {
      const waiting = [
        c.referral?.status === 'awaiting' ? `the referral to ${c.referral.to.name ?? c.referral.to.id}` : null,
        c.leadProposal ? `the request for ${c.leadProposal.to.name ?? c.leadProposal.to.id} to lead` : null,
        c.handover ? `the handover to ${c.handover.to.name ?? c.handover.to.id}` : null,
        ...pendingInvolvements(c).map((i) => `the referral to ${i.agency.name ?? i.agency.id}`),
      ].filter(Boolean);
      return `The case cannot close while ${waiting.join(' and ')} awaits acceptance`;
    },
    test: (c) => c.referral?.status !== 'awaiting' && !c.leadProposal && !c.handover && pendingInvolvements(c).length === 0,
  },
  noStepChangeOutstanding: {
    rule: 'R-STEP',
    needs: 'state',
    message: 'The quadrant has changed: hand over to the new lead, or keep the lead with a written rationale, before closing',
    test: (c) => !c.stepChange,
  },
  noOpenDispute: {
    rule: 'R-DISPUTE',
    needs: 'state',
    message: 'Resolve the dispute over responsibility before closing',
    test: (c) => !c.dispute,
  },
  closesToAcceptedService: {
    rule: 'R-CLOSE-ACCEPTED',
    needs: 'payload',
    message: 'A case closes to another service or area only once that service has accepted it',
    test: (c, ev) => {
      if (ev.type !== 'case.close' || (ev.reason !== 'transferredAccepted' && ev.reason !== 'movedOutOfArea')) return true;
      const to = ev.to;
      if (!to || (ev.reason === 'movedOutOfArea' && to.kind !== 'OUT_OF_AREA')) return false;
      return c.involvements.some((i) => i.agency.id === to.id && (i.status === 'accepted' || i.status === 'active'));
    },
  },
  closureInformed: {
    rule: 'R-CLOSE-REASON',
    needs: 'payload',
    message: 'Closure records that the person and their GP were informed',
    test: (_c, ev) => ev.type !== 'case.close' || ((ev.personInformed || ev.reason === 'died') && ev.gpInformed),
  },
  disengagementSafe: {
    rule: 'R-DISENGAGE',
    needs: 'payload',
    message:
      'The person declining services is at risk of serious harm or severe self-neglect: record an assertive approach or a safeguarding referral first',
    test: (c, ev) => {
      // Any reason but death: a person declining at serious risk is not closed under another label either.
      if (ev.type !== 'case.close' || ev.reason === 'died') return true;
      if (ev.reason === 'declinedWithCapacity' && (c.engagement.status !== 'declining' || !c.engagement.hasCapacity)) return false;
      if (c.engagement.status !== 'declining' || !atSeriousRisk(c)) return true;
      const since = c.engagement.since ?? '';
      return (c.assertiveOutreachAt ?? '') >= since || c.safeguarding.some((s) => s.at >= since);
    },
  },
  // Missed appointments (NICE QS188 statement 4).
  appointmentNotYetRecorded: {
    rule: 'R-DISENGAGE',
    needs: 'payload',
    message: 'That appointment is already recorded as missed',
    test: (c, ev) => ev.type !== 'appointment.missed' || !missedAppointmentsOf(c).some((m) => m.id === ev.appointmentId),
  },
  missedAppointmentAwaitsFollowUp: {
    rule: 'R-DISENGAGE',
    needs: 'payload',
    message: 'No missed appointment with that id awaits a follow-up',
    test: (c, ev) =>
      ev.type !== 'appointment.followUp' || missedAppointmentsOf(c).some((m) => m.id === ev.appointmentId && m.followedUpAt === null),
  },
  deadlineIsDue: {
    rule: 'R-REF-FOLLOWUP',
    needs: 'payload',
    message: 'That deadline is not pending or not yet due',
    test: (c, ev) => {
      const due = dueOf(c, ev);
      return !!due && Date.parse(ev.at) >= Date.parse(due);
    },
  },
} satisfies Record<string, GuardSpec>;

export type GuardName = keyof typeof guards;

/** The rule a guard or an unavailable event answers to, as the API and UI show it. */
export const guardMessage = (spec: GuardSpec, ctx: PathwayContext, ev: PathwayEvent): string =>
  typeof spec.message === 'function' ? spec.message(ctx, ev) : spec.message;

/** Every guard of the pathway, each a pure predicate carrying the rule that demands it. */
import {
  agenciesInCase,
  atSeriousRisk,
  currentInvolvements,
  handoversAcceptedOf,
  holdingAgency,
  incidentsOf,
  missedAppointmentsOf,
  type PathwayContext,
  pendingInvolvements,
  safeguardingDecisionPending,
  safeguardingDecisionsOf,
} from './context.ts';
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
  if (ev.type !== 'referral.make' && ev.type !== 'involvement.request' && ev.type !== 'referral.redirect') return [];
  // R-REF-CONTENT (second reading): the sender's agency in the directory decides (docs/decisions/0005); a body's
  // `source` can add the duty, never take it away.
  const fromSms = ev.actor.agencyKind === 'SMS' || (ev.type === 'referral.make' && ev.source === 'SMS');
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
  if (ev.type === 'dispute.propose') return ev.lead?.kind ?? null;
  return null;
};
/** R-REF-NOINTOX (second reading): free text giving substance use or intoxication as the reason (docs/decisions/0012). */
export const substanceGroundsPattern =
  /\b(intoxicat\w*|drunk|inebriat\w*|under the influence|smell(s|ed|ing)? of (alcohol|drink)|substance (use|misuse)|drug (use|misuse)|alcohol (use|misuse|dependen\w*)|(using|uses|taking|takes) (drugs|substances)|drinking|still (drinks|using|uses))\b/i;
const declineTexts = (ev: PathwayEvent): string[] => {
  if (ev.type === 'referral.decline' || ev.type === 'involvement.decline') return [ev.explanation ?? '', ev.recommendationToReferrer ?? ''];
  if (ev.type === 'handover.decline' || ev.type === 'lead.decline') return [ev.explanation ?? ''];
  return [];
};
/** The service that referred, while its referral awaits acceptance (it stays answerable and may dispute who acts). */
const awaitingReferrer = (ctx: PathwayContext): string | undefined =>
  ctx.referral?.status === 'awaiting' ? (ctx.referral.from?.id ?? undefined) : undefined;
const managers = new Set(['serviceManager', 'clinicalDirector']);
/** The other agencies in the case than the actor's (R-RISK-CHANGE, R-SAFEGUARDING, R-SI). */
const othersInCase = (ctx: PathwayContext, ev: PathwayEvent): string[] =>
  [...new Set(agenciesInCase(ctx))].filter((a) => a !== ev.actor.agencyId);
/** An SMS is involved: it leads, or its involvement is accepted or active (R-STOP-DRINKING, R-ED). */
const smsInvolved = (ctx: PathwayContext): boolean =>
  ctx.lead?.agency.kind === 'SMS' || currentInvolvements(ctx).some((i) => i.agency.kind === 'SMS');
const risksChanged = (ctx: PathwayContext, ev: PathwayEvent): boolean => {
  if (ev.type !== 'risk.change' && ev.type !== 'assessment.review') return false;
  const before = ctx.assessment?.risks;
  if (!before) return false;
  return (Object.keys(before) as (keyof typeof before)[]).some((k) => before[k] !== ev.risks[k]);
};
/** R-DISPUTE: the parties to a dispute (who raised it, the lead, the lead the raiser or a proposal names). */
const disputeParties = (ctx: PathwayContext): string[] => [
  ...new Set(
    [
      ctx.dispute?.raisedBy.id,
      ctx.lead?.agency.id,
      ctx.dispute?.proposedLead?.id,
      ctx.dispute?.proposal?.lead?.id,
      ...agenciesInCase(ctx),
      awaitingReferrer(ctx),
    ].filter((a): a is string => !!a),
  ),
];
const proposalMovesLead = (ctx: PathwayContext): boolean => {
  const lead = ctx.dispute?.proposal?.lead;
  return !!lead && lead.id !== ctx.lead?.agency.id;
};
const sharedCase = (ctx: PathwayContext): boolean => new Set(agenciesInCase(ctx)).size >= 2;
const involvementOf = (ctx: PathwayContext, ev: PathwayEvent) =>
  'involvementId' in ev ? ctx.involvements.find((i) => i.id === ev.involvementId) : undefined;
/**
 * The involvement an event names, or — for a probe without one (nextEvents asks "could this actor do
 * this at all?") — whether any involvement would pass. A real event always names one (its schema).
 */
const involvementCheck = (ctx: PathwayContext, ev: PathwayEvent, ok: (i: PathwayContext['involvements'][number]) => boolean) =>
  'involvementId' in ev ? ((i) => !!i && ok(i))(involvementOf(ctx, ev)) : ctx.involvements.some(ok);
const scoreRanges = { phq9: 27, gad7: 21, audit: 40, dast10: 10 } as const;
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
    test: (c, ev) => {
      if (ev.type === 'referral.redirect') {
        const age = c.person?.ageYears ?? 0;
        const fep = ev.suspectedFirstEpisodePsychosis ?? c.referral?.suspectedFirstEpisodePsychosis ?? false;
        return ev.to.service !== 'EIP' || (fep && age >= 14 && age <= 65);
      }
      return (
        ev.type !== 'referral.make' ||
        ev.to.service !== 'EIP' ||
        (ev.suspectedFirstEpisodePsychosis && ev.person.ageYears >= 14 && ev.person.ageYears <= 65)
      );
    },
  },
  adultOrTransition: {
    rule: 'R-ELIG-AGE',
    needs: 'payload',
    message: 'Only a person aged 18 or over (or a planned CAMHS transition, or an EIP referral) can enter the adult pathway',
    test: (c, ev) => {
      if (ev.type === 'referral.redirect') {
        // R-REF-ONWARD (second reading): an under-18 is passed on to CAMHS (or EIP, 14 and over), an adult never to CAMHS.
        const age = c.person?.ageYears ?? 18;
        if (ev.to.kind === 'CAMHS') return age < 18;
        return age >= 18 || (ev.to.service === 'EIP' && age >= 14) || (c.referral?.source === 'CAMHS' && age >= 17);
      }
      return ev.type !== 'referral.make' || ev.person.ageYears >= 18 || !under18Redirected(c, ev);
    },
  },
  camhsRedirectWritten: {
    rule: 'R-ELIG-AGE',
    needs: 'payload',
    message: 'Passing an under-18 on to CAMHS is written to the person and to the referrer',
    test: (_c, ev) => ev.type !== 'referral.redirect' || ev.to.kind !== 'CAMHS' || (!!ev.letterToPerson && !!ev.letterToReferrer),
  },
  redirectsToCamhs: {
    rule: 'R-ELIG-AGE',
    needs: 'payload',
    route: true,
    message: 'An under-18 passed on to CAMHS leaves the adult pathway',
    test: (_c, ev) => ev.type === 'referral.redirect' && ev.to.kind === 'CAMHS',
  },
  redirectsWithinAdultServices: {
    rule: 'R-ELIG-AGE',
    needs: 'payload',
    route: true,
    message: 'The referral is passed on within adult services',
    test: (_c, ev) => ev.type === 'referral.redirect' && ev.to.kind !== 'CAMHS',
  },
  redirectNeedsTriage: {
    rule: 'R-REF-TRIAGE',
    needs: 'payload',
    route: true,
    message: 'A referral passed on to MHS by a non-qualified practitioner goes to triage',
    test: (_c, ev) =>
      ev.type === 'referral.redirect' && ev.to.kind === 'MHS' && (ev.qualification ?? 'other') === 'other' && ev.to.service !== 'EIP',
  },
  redirectNotToReferrer: {
    rule: 'R-REF-ONWARD',
    needs: 'payload',
    message: 'An onward referral never returns the person to the GP, hospital or MDT that referred them',
    test: (c, ev) => {
      if (ev.type !== 'referral.redirect' || !c.referral) return true;
      const r = c.referral;
      if (ev.to.id === r.from?.id || ev.to.id === r.referrer.agencyId) return false;
      // A GP referral whose practice is not known: no primary care service can be told apart from it.
      return !(r.source === 'GP' && !r.from && !r.referrer.agencyId && ev.to.kind === 'PRIMARY');
    },
  },
  crisisTeamSource: {
    rule: 'R-CRISIS-SOURCE',
    needs: 'payload',
    message:
      'The crisis team takes referrals only from Access and Recovery teams, secondary mental health, A&E liaison and out-of-hours GPs',
    test: (_c, ev) => {
      if (ev.type !== 'referral.make' && ev.type !== 'referral.redirect' && ev.type !== 'involvement.request') return true;
      if (ev.to.service !== 'CRHT') return true;
      return (
        ev.actor.agencyKind === 'MHS' || (ev.type === 'referral.make' && ev.actor.agencyKind === 'PRIMARY' && !!ev.referrer.outOfHours)
      );
    },
  },
  liaisonByPager: {
    rule: 'R-CRISIS-SOURCE',
    needs: 'payload',
    message: 'Liaison psychiatry is referred to by pager only: record that the pager was used',
    test: (_c, ev) =>
      !(ev.type === 'referral.make' || ev.type === 'referral.redirect' || ev.type === 'involvement.request') ||
      ev.to.service !== 'LIAISON' ||
      ev.viaPager === true,
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
      !(ev.type === 'referral.make' || ev.type === 'involvement.request' || ev.type === 'referral.redirect') ||
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
    message: (c) => `Only the service holding the case now (${holdingAgency(c)?.name ?? holdingAgency(c)?.id}) can do this`,
    // The service holding the referral acts on it (R-REF-ONWARD), though its referrer stays answerable until it accepts.
    test: (c, ev) => actsFor(ev, holdingAgency(c)?.id),
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
  isDisputeParty: {
    rule: 'R-DISPUTE',
    needs: 'actor',
    message: 'A dispute is raised by a service involved in the case, or by the service that referred it',
    test: (c, ev) => [...agenciesInCase(c), awaitingReferrer(c)].some((a) => actsFor(ev, a)),
  },
  disputeBetweenTwoServices: {
    rule: 'R-DISPUTE',
    needs: 'payload',
    message: 'A dispute is between two services: name the service you say should act, or raise it in a case another service is in',
    test: (c, ev) =>
      ev.type !== 'dispute.raise' ||
      [...agenciesInCase(c), awaitingReferrer(c), ev.proposedLead?.id].some((a) => !!a && a !== ev.actor.agencyId),
  },
  noDisputeOpen: {
    rule: 'R-DISPUTE',
    needs: 'state',
    message: 'A dispute over responsibility is already open',
    test: (c) => !c.dispute,
  },
  resolutionNamesParty: {
    rule: 'R-DISPUTE',
    needs: 'payload',
    message: 'The resolution names as lead a service that is party to the case or the dispute',
    test: (c, ev) =>
      (ev.type !== 'dispute.resolve' || agenciesInCase(c).includes(ev.lead.id)) &&
      (ev.type !== 'dispute.propose' || !ev.lead || disputeParties(c).includes(ev.lead.id)),
  },
  newLeadDoesNotPropose: {
    rule: 'R-LEAD-ACCEPTED',
    needs: 'payload',
    message:
      'A resolution that moves the lead is proposed by the other side and confirmed by the service that becomes lead: the new lead cannot propose itself',
    test: (c, ev) => ev.type !== 'dispute.propose' || !ev.lead || ev.lead.id === c.lead?.agency.id || ev.lead.id !== ev.actor.agencyId,
  },
  leadNamedAfterAssessment: {
    rule: 'R-DISPUTE',
    needs: 'payload',
    message: 'A resolution names a lead only once the person is assessed; before that it says who acts on the referral',
    test: (c, ev) => ev.type !== 'dispute.propose' || !ev.lead || !!c.assessment,
  },
  commissionerInputRecorded: {
    rule: 'R-DISPUTE',
    needs: 'payload',
    message: 'When the commissioner was consulted, their input is recorded',
    test: (_c, ev) => ev.type !== 'dispute.propose' || !ev.commissionerConsulted || hasText(ev.commissionerInput),
  },
  resolutionAwaitsConfirmation: {
    rule: 'R-DISPUTE',
    needs: 'state',
    message: 'No proposed resolution awaits confirmation',
    test: (c) => !!c.dispute?.proposal,
  },
  confirmedByOtherSide: {
    rule: 'R-DISPUTE',
    needs: 'actor',
    message: (c) =>
      `The resolution is confirmed by the other side of the dispute (${(c.dispute?.proposal?.awaiting ?? []).map((a) => a.name ?? a.id).join(', ')})`,
    test: (c, ev) => (c.dispute?.proposal?.awaiting ?? []).some((a) => a.id === ev.actor.agencyId),
  },
  newLeadConfirms: {
    rule: 'R-LEAD-ACCEPTED',
    needs: 'actor',
    message: (c) =>
      `The lead moves only when the service that becomes lead (${c.dispute?.proposal?.lead?.name ?? c.dispute?.proposal?.lead?.id}) confirms`,
    test: (c, ev) => !proposalMovesLead(c) || ev.actor.agencyId === c.dispute?.proposal?.lead?.id,
  },
  newLeadNamesCoordinator: {
    rule: 'R-LEAD-ONE',
    needs: 'payload',
    message: 'The service that becomes lead names its care coordinator',
    test: (c, ev) => ev.type !== 'dispute.confirm' || !proposalMovesLead(c) || !!ev.coordinator,
  },
  resolutionKeepsLead: {
    rule: 'R-LEAD-ACCEPTED',
    needs: 'state',
    route: true,
    message: 'The confirmed resolution keeps the lead where it is',
    test: (c) => !proposalMovesLead(c),
  },
  resolutionSettlesStepChange: {
    rule: 'R-STEP',
    needs: 'state',
    route: true,
    message: 'The resolution keeps the lead after a step change, with a written rationale',
    test: (c) => !!c.stepChange && !!c.lead && c.dispute?.proposal?.lead?.id === c.lead.agency.id && hasText(c.dispute.proposal.rationale),
  },
  resolutionMovesLead: {
    rule: 'R-LEAD-ACCEPTED',
    needs: 'state',
    route: true,
    message: 'The confirmed resolution names a new lead',
    test: (c) => proposalMovesLead(c),
  },
  disputeFromReferral: {
    rule: 'R-DISPUTE',
    needs: 'state',
    route: true,
    message: 'The dispute was raised about a referral',
    test: (c) => c.dispute?.from === 'referral',
  },
  disputeFromAssessment: {
    rule: 'R-DISPUTE',
    needs: 'state',
    route: true,
    message: 'The dispute was raised during assessment',
    test: (c) => c.dispute?.from === 'assessment',
  },
  disputeFromLeadAssignment: {
    rule: 'R-DISPUTE',
    needs: 'state',
    route: true,
    message: 'The dispute was raised during lead assignment',
    test: (c) => c.dispute?.from === 'leadAssignment' || (c.dispute?.from === undefined && c.dispute?.hadLead === false),
  },
  disputeFromHandover: {
    rule: 'R-DISPUTE',
    needs: 'state',
    route: true,
    message: 'The dispute was raised during a handover or step change',
    test: (c) => c.dispute?.from === 'handover',
  },
  canResolveDispute: {
    rule: 'R-DISPUTE',
    needs: 'actor',
    message: (c) =>
      c.dispute?.level === 'clinicalDirectors'
        ? 'An escalated dispute is resolved by the clinical directors of the services in dispute'
        : 'A dispute is resolved by the service managers of the services in dispute',
    test: (c, ev) =>
      disputeParties(c).includes(ev.actor.agencyId) &&
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
    // R-HANDOVER-DECLINE (second reading): a missing, null or blank explanation is refused, whatever the body held.
    test: (_c, ev) =>
      !(ev.type === 'handover.decline' || ev.type === 'lead.decline' || ev.type === 'involvement.decline') ||
      (typeof ev.explanation === 'string' && hasText(ev.explanation)),
  },
  declineTextNotSubstanceUse: {
    rule: 'R-REF-NOINTOX',
    needs: 'payload',
    message:
      'The reasons given mention substance use or intoxication, which is no reason to refuse a service: a service manager must confirm the decline is made on other grounds',
    test: (_c, ev) =>
      !declineTexts(ev).some((t) => substanceGroundsPattern.test(t)) ||
      ('managerConfirmsNotForSubstanceUse' in ev && ev.managerConfirmsNotForSubstanceUse === true && managers.has(ev.actor.role)),
  },
  declineLetterGivesRightToChallenge: {
    rule: 'R-CHALLENGE',
    needs: 'payload',
    message: 'The decline letter tells the person (and carer) of their right to challenge the decision and how',
    test: (_c, ev) => !(ev.type === 'referral.decline' || ev.type === 'involvement.decline') || ev.rightToChallengeGiven === true,
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
  smsInvolvedInAlcoholPlan: {
    rule: 'R-STOP-DRINKING',
    needs: 'payload',
    message:
      'A dependent drinker is not advised to stop, and no alcohol detox or reduction plan starts, without a substance misuse service involved',
    test: (c, ev) => !((ev.type === 'detox.plan' || ev.type === 'detox.start') && ev.substance === 'alcohol') || smsInvolved(c),
  },
  carePlanRecordsCna: {
    rule: 'R-CNA',
    needs: 'payload',
    message:
      'In Q1 and Q2 the joint plan records the right to a Care Needs Assessment (offered, requested, completed or declined) and addresses severe self-neglect and safeguarding',
    test: (c, ev) => {
      const plan = ev.type === 'careplan.agree' ? ev : ev.type === 'handover.request' ? ev.carePlan : undefined;
      if (!plan || (c.quadrant !== 'Q1' && c.quadrant !== 'Q2')) return true;
      return !!plan.careNeedsAssessment && plan.addressesSelfNeglectAndSafeguarding === true;
    },
  },
  capacityConsidered: {
    rule: 'R-CAPACITY',
    needs: 'payload',
    message:
      'The person declines at risk of serious harm: record that the Mental Capacity Act was considered and the collateral information used (carers, GP, other organisations)',
    test: (c, ev) =>
      ev.type !== 'engagement.decline' ||
      !atSeriousRisk(c) ||
      (!!ev.capacity && ev.capacity.mentalCapacityActConsidered && ev.capacity.collateralFrom.length > 0),
  },
  // Safeguarding (R-SAFEGUARDING, second reading).
  noSafeguardingDecisionPending: {
    rule: 'R-SAFEGUARDING',
    needs: 'state',
    message: 'A safeguarding concern awaits its decision: record the alert raised to the local authority, or the documented reason not to',
    test: (c) => !safeguardingDecisionPending(c),
  },
  assessmentSafeguardingDecided: {
    rule: 'R-SAFEGUARDING',
    needs: 'payload',
    message:
      'The assessment found a safeguarding concern: record the decision with it (alert raised, or the documented reason not to) before leaving assessment',
    test: (c, ev) => {
      if (ev.type !== 'assessment.record') return true;
      const pending = safeguardingDecisionPending(c);
      if (!ev.risks.safeguarding && !pending) return true;
      return !!ev.safeguardingDecision || (!pending && safeguardingDecisionsOf(c).length > 0);
    },
  },
  householdRecorded: {
    rule: 'R-SAFEGUARDING',
    needs: 'payload',
    message: 'The assessment records dependent children and caring responsibilities',
    test: (_c, ev) => ev.type !== 'assessment.record' || !!ev.household,
  },
  safeguardingDecisionDocumented: {
    rule: 'R-SAFEGUARDING',
    needs: 'payload',
    message: 'A safeguarding decision names the local authority alerted, or documents the reason not to raise an alert',
    test: (_c, ev) => {
      const d = ev.type === 'safeguarding.decide' ? ev : ev.type === 'assessment.record' ? ev.safeguardingDecision : undefined;
      if (!d) return true;
      return d.decision === 'alertRaised' ? hasText(d.localAuthority) : hasText(d.reason);
    },
  },
  safeguardingDecisionShared: {
    rule: 'R-SAFEGUARDING',
    needs: 'payload',
    message: 'The safeguarding decision is shared between the services in the case: name the services it was discussed with',
    test: (c, ev) => {
      const d = ev.type === 'safeguarding.decide' ? ev : ev.type === 'assessment.record' ? ev.safeguardingDecision : undefined;
      if (!d) return true;
      const others = othersInCase(c, ev);
      return others.length === 0 || d.sharedWith.some((a) => others.includes(a));
    },
  },
  domesticAbuseSafetyPlan: {
    rule: 'R-SAFEGUARDING',
    needs: 'payload',
    message: 'Domestic abuse needs a safety plan',
    test: (c, ev) => {
      const d = ev.type === 'safeguarding.decide' ? ev : ev.type === 'assessment.record' ? ev.safeguardingDecision : undefined;
      if (!d) return true;
      const abuse = d.domesticAbuse || c.safeguarding.some((s) => (s as { domesticAbuse?: boolean }).domesticAbuse === true);
      return !abuse || hasText(d.safetyPlan);
    },
  },
  // Risk, emergency presentations, incidents.
  assessmentExists: {
    rule: 'R-RISK-CHANGE',
    needs: 'state',
    message: 'Risk status is recorded once the person is assessed',
    test: (c) => !!c.assessment,
  },
  riskChangeNotified: {
    rule: 'R-RISK-CHANGE',
    needs: 'payload',
    message: (c, ev) => `A change of risk status is notified to every other service involved (${othersInCase(c, ev).join(', ')})`,
    test: (c, ev) => {
      if (!risksChanged(c, ev) || (ev.type !== 'risk.change' && ev.type !== 'assessment.review')) return true;
      const told = ev.notified;
      return othersInCase(c, ev).every((a) => told.includes(a));
    },
  },
  acuteSeenByMentalHealth: {
    rule: 'R-ED',
    needs: 'actor',
    message: 'An emergency or acute-ward presentation is recorded by liaison psychiatry (a mental health service)',
    test: (_c, ev) => ev.actor.agencyKind === 'MHS' && serving.has(ev.actor.role),
  },
  acuteServicesInformed: {
    rule: 'R-ED',
    needs: 'payload',
    message:
      'The GP’s discharge letter names the referral; an SMS already involved is notified (with consent or on a need-to-know ground) and mental health services are told of it',
    test: (c, ev) => {
      if (ev.type !== 'acute.presentation') return true;
      if (!ev.gpLetterNamesReferral) return false;
      if (!smsInvolved(c)) return true;
      return ev.smsNotified && ev.mhsToldOfSms && (c.consent.sharing === 'given' || !!ev.needToKnow);
    },
  },
  acuteDischargePlannedWithSms: {
    rule: 'R-ED',
    needs: 'payload',
    message:
      'Where joint working is identified, SMS joins the acute discharge planning, which covers both conditions and the overdose risk',
    test: (_c, ev) =>
      ev.type !== 'acute.presentation' ||
      !ev.jointWorkingIdentified ||
      (!!ev.dischargePlanning &&
        ev.dischargePlanning.smsInvited &&
        ev.dischargePlanning.coversBothConditions &&
        ev.dischargePlanning.overdoseRiskDiscussed),
  },
  incidentInvestigatedJointly: {
    rule: 'R-SI',
    needs: 'payload',
    message: 'A serious incident in a case shared by two services is investigated jointly: name the other service(s)',
    test: (c, ev) => {
      if (ev.type !== 'incident.report') return true;
      const others = othersInCase(c, ev);
      return others.length === 0 || ev.investigatedWith.some((a) => others.includes(a));
    },
  },
  investigationOpen: {
    rule: 'R-SI',
    needs: 'payload',
    message: 'No investigation with that id awaits its learning actions',
    test: (c, ev) =>
      ev.type === 'incident.learning'
        ? incidentsOf(c).some((i) => i.id === ev.incidentId && i.learningActions === null)
        : incidentsOf(c).some((i) => i.learningActions === null),
  },
  learningActionsGiven: {
    rule: 'R-SI',
    needs: 'payload',
    message: 'An investigation records its learning actions',
    test: (_c, ev) => ev.type !== 'incident.learning' || ev.learningActions.length > 0,
  },
  // Review (R-REVIEW, second reading).
  carePlanInForce: {
    rule: 'R-REVIEW',
    needs: 'state',
    message: 'There is no agreed care plan to review',
    test: (c) => !!c.carePlan,
  },
  triageDecidedFirst: {
    rule: 'R-REF-TRIAGE',
    needs: 'state',
    message: 'The referral is in triage: the mental health service accepts it before anyone assesses',
    test: (c) => c.referral?.status === 'accepted',
  },
  stepChangeOutstanding: {
    rule: 'R-STEP',
    needs: 'state',
    message: 'Only after a reassessment names another lead agency',
    test: (c) => !!c.stepChange,
  },
  // Handover.
  handoverContentComplete: {
    rule: 'R-HANDOVER-CONTENT',
    needs: 'payload',
    message: (_c, ev) => `A handover must carry ${missingHandoverContent(ev).join(', ')}`,
    test: (_c, ev) => missingHandoverContent(ev).length === 0,
  },
  s117AftercareRecorded: {
    rule: 'R-S117',
    needs: 'payload',
    message:
      'A transfer from inpatient care says whether the person was detained under section 3, and if so records their section 117 aftercare',
    test: (_c, ev) =>
      ev.type !== 'handover.request' ||
      ev.reason !== 'inpatientDischarge' ||
      (!!ev.inpatient &&
        ev.inpatient.detainedUnderSection3 !== undefined &&
        (!ev.inpatient.detainedUnderSection3 || hasText(ev.inpatient.s117Aftercare))),
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
    message: 'A case closes to another area only once a service there has accepted it',
    test: (c, ev) => {
      if (ev.type !== 'case.close' || ev.reason !== 'movedOutOfArea') return true;
      const to = ev.to;
      if (to?.kind !== 'OUT_OF_AREA') return false;
      return (
        c.involvements.some((i) => i.agency.id === to.id && (i.status === 'accepted' || i.status === 'active')) ||
        handoversAcceptedOf(c).some((h) => h.to.id === to.id)
      );
    },
  },
  // R-CLOSE-GAPLESS (a)-(d).
  leadExistsToClose: {
    rule: 'R-CLOSE-GAPLESS',
    needs: 'state',
    message: 'Before any lead exists a case ends only by declining the referral (with reasons) or passing it on (to CAMHS for an under-18)',
    test: (c) => !!c.lead,
  },
  closedByLead: {
    rule: 'R-CLOSE-GAPLESS',
    needs: 'actor',
    message: (c) => `Only the lead agency (${c.lead?.agency.name ?? c.lead?.agency.id ?? 'none yet'}) closes the case`,
    test: (c, ev) => actsFor(ev, c.lead?.agency.id),
  },
  transferredThroughAcceptedHandover: {
    rule: 'R-CLOSE-GAPLESS',
    needs: 'payload',
    message:
      '“Transferred and accepted” means a handover of the case accepted by its receiver (an accepted support involvement is not a transfer)',
    test: (c, ev) => {
      if (ev.type !== 'case.close' || ev.reason !== 'transferredAccepted') return true;
      const to = ev.to;
      return !!to && handoversAcceptedOf(c).some((h) => h.to.id === to.id);
    },
  },
  dischargeToGpWhenCareDone: {
    rule: 'R-CLOSE-GAPLESS',
    needs: 'payload',
    message:
      'Discharge to the GP is for Q4 or when care is complete, after every other service’s involvement has ended or been handed over',
    test: (c, ev) => {
      if (ev.type !== 'case.close' || ev.reason !== 'dischargedToGp') return true;
      if (c.quadrant !== 'Q4' && ev.careComplete !== true) return false;
      return currentInvolvements(c).every((i) => i.agency.id === c.lead?.agency.id);
    },
  },
  deathInvestigatedJointly: {
    rule: 'R-SI',
    needs: 'payload',
    message: 'A death in a case shared by two services is investigated jointly: report it and record the learning actions first',
    test: (c, ev) =>
      ev.type !== 'case.close' ||
      ev.reason !== 'died' ||
      !sharedCase(c) ||
      incidentsOf(c).some((i) => i.kind === 'death' && i.learningActions !== null),
  },
  closureCapacityRecorded: {
    rule: 'R-CAPACITY',
    needs: 'payload',
    message:
      'Closing as declined with capacity at risk of serious harm: the Mental Capacity Act and the collateral information must be on record',
    test: (c, ev) =>
      ev.type !== 'case.close' ||
      ev.reason !== 'declinedWithCapacity' ||
      !atSeriousRisk(c) ||
      (!!c.capacity && c.capacity.at >= (c.engagement.since ?? '')),
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

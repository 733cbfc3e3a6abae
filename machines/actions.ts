/** State updates of the pathway: each records facts from the event, stamped time included. */
import { assign as xassign } from 'xstate';
import { addDays, dueFrom } from './config.ts';
import {
  agenciesInCase,
  type Dispute,
  handoversAcceptedOf,
  type Involvement,
  incidentsOf,
  missedAppointmentsOf,
  type PathwayContext,
  safeguardingDecisionsOf,
} from './context.ts';
import type { AgencyRef, EventOf, EventType, PathwayEvent } from './events.ts';
import { quadrantOf } from './quadrant.ts';

/** `assign` bound to the pathway's types, so actions written outside `setup()` stay checked. */
type Assignment<P> = (args: { context: PathwayContext; event: PathwayEvent }, params: P) => Partial<PathwayContext>;
const assign = <P extends Record<string, unknown> | undefined = undefined>(update: Assignment<P> | Partial<PathwayContext>) =>
  xassign<PathwayContext, PathwayEvent, P, PathwayEvent, never>(
    typeof update === 'function' ? (args, params) => update(args, params) : update,
  );

type Update<T extends EventType> = (ctx: PathwayContext, ev: EventOf<T>) => Partial<PathwayContext>;

/** Typed assign for one event type: the machine config names which event reaches it. */
const on =
  <T extends EventType>(_type: T | readonly T[], update: Update<T>) =>
  ({ context, event }: { context: PathwayContext; event: PathwayEvent }) =>
    update(context, event as EventOf<T>);

const actorAgency = (ctx: PathwayContext, ev: PathwayEvent): AgencyRef => {
  const known = [ctx.referral?.to, ctx.leadProposal?.to, ctx.handover?.to, ...ctx.involvements.map((i) => i.agency)].find(
    (a) => a?.id === ev.actor.agencyId,
  );
  return known ?? { id: ev.actor.agencyId, kind: ev.actor.agencyKind };
};

/** R-LEAD-ONE, R-CLARITY: an agency that becomes lead stops being listed as its own supporting service. */
const endInvolvementOf = (ctx: PathwayContext, agencyId: string, at: string) =>
  ctx.involvements.map((i) =>
    i.agency.id === agencyId && ['requested', 'accepted', 'active'].includes(i.status)
      ? { ...i, status: 'ended' as const, updatedAt: at }
      : i,
  );

const setInvolvement = (ctx: PathwayContext, id: string, status: Involvement['status'], at: string) =>
  ctx.involvements.map((i) => (i.id === id ? { ...i, status, updatedAt: at } : i));

export const actions = {
  recordReferral: assign(
    on('referral.make', (ctx, ev) => ({
      person: { ageYears: ev.person.ageYears, area: ev.person.area },
      consent: { sharing: ev.consent.sharing, recordedAt: ev.at },
      referral: {
        source: ev.source,
        referrer: { name: ev.referrer.name, agencyId: ev.referrer.agencyId },
        // R-CLARITY: the sender's agency (from the directory) stays responsible until the receiver accepts.
        from: ev.actor.agencyId === ev.to.id ? null : { id: ev.actor.agencyId, kind: ev.actor.agencyKind },
        to: ev.to,
        route: ev.to.kind !== 'MHS' ? 'standard' : ev.referrer.qualification === 'other' && ev.to.service !== 'EIP' ? 'triage' : 'direct',
        madeAt: ev.at,
        followUpDue: dueFrom(ev.at, 'referralFollowUp'),
        status: 'awaiting',
        redirects: ctx.referral?.redirects ?? 0,
        suspectedFirstEpisodePsychosis: ev.suspectedFirstEpisodePsychosis,
      },
    })),
  ),
  redirectToCamhs: assign(
    on('referral.make', (ctx, ev) => ({
      referral: ctx.referral && { ...ctx.referral, status: 'redirected' },
      closure: { reason: 'redirectedUnder18', at: ev.at, to: { id: 'camhs', kind: 'CAMHS', name: 'CAMHS' } },
    })),
  ),
  acceptReferral: assign(({ context }) => ({ referral: context.referral && { ...context.referral, status: 'accepted' as const } })),
  declineReferral: assign(
    on('referral.decline', (ctx, ev) => ({
      referral: ctx.referral && { ...ctx.referral, status: 'declined' },
      closure: { reason: 'referralDeclined', at: ev.at },
    })),
  ),
  redirectReferral: assign(
    on('referral.redirect', (ctx, ev) => ({
      referral: ctx.referral && {
        ...ctx.referral,
        to: ev.to,
        route:
          ev.to.kind === 'MHS' && (ev.qualification ?? 'other') === 'other' && ev.to.service !== 'EIP'
            ? 'triage'
            : ev.to.kind === 'MHS'
              ? 'direct'
              : 'standard',
        followUpDue: dueFrom(ev.at, 'referralFollowUp'),
        redirects: ctx.referral.redirects + 1,
        suspectedFirstEpisodePsychosis: ev.suspectedFirstEpisodePsychosis ?? ctx.referral.suspectedFirstEpisodePsychosis,
      },
    })),
  ),
  redirectReferralToCamhs: assign(
    on('referral.redirect', (ctx, ev) => ({
      referral: ctx.referral && { ...ctx.referral, to: ev.to, status: 'redirected', redirects: ctx.referral.redirects + 1 },
      closure: { reason: 'redirectedUnder18', at: ev.at, to: ev.to },
    })),
  ),
  recordAssessment: assign(
    on(['assessment.record', 'assessment.review'], (ctx, ev) => ({
      assessment: {
        by: actorAgency(ctx, ev),
        at: ev.at,
        mentalHealth: ev.mentalHealth,
        dependent: ev.substanceUse.dependent,
        risks: ev.risks,
        canServiceAloneSupport:
          ev.type === 'assessment.record' ? ev.canServiceAloneSupport : (ctx.assessment?.canServiceAloneSupport ?? true),
      },
      quadrant: quadrantOf(ev.mentalHealth, ev.substanceUse),
      ...(ev.type === 'assessment.record'
        ? {
            consent: { sharing: ev.consent.sharing, recordedAt: ev.at },
            household: ev.household ?? ctx.household ?? null,
            safeguardingDecisions: ev.safeguardingDecision
              ? [
                  ...safeguardingDecisionsOf(ctx),
                  {
                    decision: ev.safeguardingDecision.decision,
                    by: actorAgency(ctx, ev),
                    at: ev.at,
                    sharedWith: ev.safeguardingDecision.sharedWith,
                    domesticAbuse: ev.safeguardingDecision.domesticAbuse,
                  },
                ]
              : safeguardingDecisionsOf(ctx),
          }
        : {}),
    })),
  ),
  recordRiskChange: assign(on('risk.change', (ctx, ev) => ({ assessment: ctx.assessment && { ...ctx.assessment, risks: ev.risks } }))),
  recordSafeguardingDecision: assign(
    on('safeguarding.decide', (ctx, ev) => ({
      safeguardingDecisions: [
        ...safeguardingDecisionsOf(ctx),
        { decision: ev.decision, by: actorAgency(ctx, ev), at: ev.at, sharedWith: ev.sharedWith, domesticAbuse: ev.domesticAbuse },
      ],
    })),
  ),
  recordAcutePresentation: assign(
    on('acute.presentation', (ctx, ev) => ({
      acutePresentations: [
        ...(ctx.acutePresentations ?? []),
        { setting: ev.setting, at: ev.at, jointWorkingIdentified: ev.jointWorkingIdentified },
      ],
    })),
  ),
  reportIncident: assign(
    on('incident.report', (ctx, ev) => ({
      seq: ctx.seq + 1,
      incidents: [
        ...incidentsOf(ctx),
        { id: `si-${ctx.seq + 1}`, kind: ev.kind, at: ev.at, investigatedWith: ev.investigatedWith, learningActions: null },
      ],
    })),
  ),
  recordLearning: assign(
    on('incident.learning', (ctx, ev) => ({
      incidents: incidentsOf(ctx).map((i) => (i.id === ev.incidentId ? { ...i, learningActions: ev.learningActions } : i)),
    })),
  ),
  assignLead: assign(
    on('lead.assign', (ctx, ev) => ({
      lead: { agency: actorAgency(ctx, ev), coordinator: ev.coordinator, since: ev.at, rationale: ev.rationale },
      involvements: endInvolvementOf(ctx, ev.actor.agencyId, ev.at),
    })),
  ),
  proposeLead: assign(
    on('lead.propose', (_ctx, ev) => ({
      leadProposal: { to: ev.to, proposedAt: ev.at, followUpDue: dueFrom(ev.at, 'leadFollowUp'), rationale: ev.rationale },
    })),
  ),
  acceptLead: assign(
    on('lead.accept', (ctx, ev) => ({
      lead: ctx.leadProposal && {
        agency: ctx.leadProposal.to,
        coordinator: ev.coordinator,
        since: ev.at,
        rationale: ctx.leadProposal.rationale,
      },
      involvements: ctx.leadProposal ? endInvolvementOf(ctx, ctx.leadProposal.to.id, ev.at) : ctx.involvements,
      leadProposal: null,
    })),
  ),
  clearLeadProposal: assign({ leadProposal: null }),
  retainLead: assign(on('lead.retain', (ctx, ev) => ({ lead: ctx.lead && { ...ctx.lead, rationale: ev.rationale }, stepChange: null }))),
  requestInvolvement: assign(
    on('involvement.request', (ctx, ev) => ({
      seq: ctx.seq + 1,
      involvements: [
        ...ctx.involvements,
        {
          id: `inv-${ctx.seq + 1}`,
          agency: ev.to,
          purpose: ev.purpose,
          status: 'requested',
          requestedAt: ev.at,
          followUpDue: dueFrom(ev.at, 'involvementFollowUp'),
          updatedAt: ev.at,
        },
      ],
    })),
  ),
  updateInvolvement: assign<{ status: Involvement['status'] }>(({ context, event }, params) => ({
    involvements: 'involvementId' in event ? setInvolvement(context, event.involvementId, params.status, event.at) : context.involvements,
  })),
  agreeCarePlan: assign(
    on('careplan.agree', (ctx, ev) => ({
      carePlan: {
        roles: ev.roles,
        relapseIndicators: ev.relapseIndicators,
        risks: ev.risks,
        safetyPlan: ev.safetyPlan,
        agreedWithPerson: ev.agreedWithPerson,
        cpa: ev.cpa,
        agreedAt: ev.at,
        reviewDue: ev.reviewDue ?? dueFrom(ev.at, 'carePlanReview').slice(0, 10),
        reviews: 0,
      },
      careNeedsAssessment: ev.careNeedsAssessment ?? ctx.careNeedsAssessment ?? null,
    })),
  ),
  reviewCarePlan: assign(
    on('careplan.review', (ctx, ev) => ({
      carePlan: ctx.carePlan && {
        ...ctx.carePlan,
        reviews: ctx.carePlan.reviews + 1,
        reviewDue: ev.nextReviewDue ?? dueFrom(ev.at, 'carePlanReview').slice(0, 10),
      },
      consent: { sharing: ev.consent.sharing, recordedAt: ev.at },
    })),
  ),
  recordConsent: assign(on('consent.record', (_ctx, ev) => ({ consent: { sharing: ev.sharing, recordedAt: ev.at } }))),
  recordDisengagement: assign(
    on('engagement.decline', (ctx, ev) => ({
      engagement: { status: 'declining', hasCapacity: ev.hasCapacity, since: ev.at },
      capacity: ev.capacity
        ? {
            mentalCapacityActConsidered: ev.capacity.mentalCapacityActConsidered,
            mentalHealthActConsidered: ev.capacity.mentalHealthActConsidered ?? false,
            collateralFrom: ev.capacity.collateralFrom,
            at: ev.at,
          }
        : (ctx.capacity ?? null),
    })),
  ),
  recordReengagement: assign(
    on('engagement.resume', (_ctx, ev) => ({ engagement: { status: 'engaged', hasCapacity: true, since: ev.at } })),
  ),
  recordAssertiveOutreach: assign(on('engagement.assertiveOutreach', (_ctx, ev) => ({ assertiveOutreachAt: ev.at }))),
  recordSafeguarding: assign(
    on('safeguarding.raise', (ctx, ev) => ({
      safeguarding: [
        ...ctx.safeguarding,
        { concern: ev.concern, referredTo: ev.referredTo, at: ev.at, ...(ev.domesticAbuse ? { domesticAbuse: true } : {}) },
      ],
    })),
  ),
  recordMdtConsultation: assign(
    on('mdt.consult', (ctx, ev) => ({
      mdtConsultations: [...ctx.mdtConsultations, { agencies: ev.agencies, outcome: ev.outcome, at: ev.at }],
    })),
  ),
  recordCarerOffer: assign(
    on('carer.offerAssessment', (_ctx, ev) => ({
      carerAssessmentOfferedAt: ev.at,
      carerAssessment: { offeredAt: ev.at, accepted: ev.accepted },
    })),
  ),
  planDetox: assign(on('detox.plan', (_ctx, ev) => ({ detox: { substance: ev.substance, planAgreedAt: ev.at } }))),
  startDetox: assign(
    on('detox.start', (ctx, ev) => ({ detox: { substance: ev.substance, planAgreedAt: ctx.detox?.planAgreedAt ?? null } })),
  ),
  markStepChange: assign(
    on('assessment.review', (ctx, ev) => ({
      stepChange: {
        from: ctx.quadrant ?? quadrantOf(ev.mentalHealth, ev.substanceUse),
        to: quadrantOf(ev.mentalHealth, ev.substanceUse),
        at: ev.at,
      },
    })),
  ),
  requestHandover: assign(
    on('handover.request', (ctx, ev) => ({
      handover: {
        from: ctx.lead?.agency ?? actorAgency(ctx, ev),
        to: ev.to,
        reason: ev.reason,
        trigger: ctx.stepChange ? 'stepChange' : 'voluntary',
        requestedAt: ev.at,
        followUpDue: dueFrom(ev.at, 'handoverFollowUp'),
        // R-HANDOVER-CONTENT: the guard has checked the plan is present.
        carePlan: ev.carePlan ?? { roles: [], relapseIndicators: [], risks: [], agreedWithPerson: false, cpa: false },
        senderContinuesAsSupport: ev.senderContinuesAsSupport,
        rationale: ev.rationale,
      },
    })),
  ),
  acceptHandover: assign(
    on('handover.accept', (ctx, ev) => {
      const h = ctx.handover;
      if (!h) return {};
      const kept = ctx.involvements.map((i) =>
        i.agency.id === h.to.id && i.status !== 'ended' && i.status !== 'declined'
          ? { ...i, status: 'ended' as const, updatedAt: ev.at }
          : i,
      );
      const sender: Involvement[] = h.senderContinuesAsSupport
        ? [
            {
              id: `inv-${ctx.seq + 1}`,
              agency: h.from,
              purpose: 'support after handover',
              status: 'active',
              requestedAt: ev.at,
              followUpDue: ev.at,
              updatedAt: ev.at,
            },
          ]
        : [];
      return {
        seq: ctx.seq + sender.length,
        lead: { agency: h.to, coordinator: ev.coordinator, since: ev.at, rationale: h.rationale },
        involvements: [...kept, ...sender],
        carePlan: {
          ...h.carePlan,
          agreedAt: ev.at,
          reviewDue: h.carePlan.reviewDue ?? dueFrom(ev.at, 'carePlanReview').slice(0, 10),
          reviews: 0,
        },
        handover: null,
        stepChange: null,
        handoversAccepted: [...handoversAcceptedOf(ctx), { from: h.from, to: h.to, at: ev.at }],
        careNeedsAssessment: h.carePlan.careNeedsAssessment ?? ctx.careNeedsAssessment ?? null,
      };
    }),
  ),
  clearHandover: assign({ handover: null }),
  openDispute: assign<{ from: NonNullable<Dispute['from']> }>(({ context: ctx, event }, params) => {
    const ev = event as EventOf<'dispute.raise'>;
    return {
      dispute: {
        raisedBy: actorAgency(ctx, ev),
        about: ev.about,
        level: 'serviceManagers',
        raisedAt: ev.at,
        hadLead: !!ctx.lead,
        proposedLead: ev.proposedLead,
        from: params.from,
        proposal: null,
      },
    };
  }),
  escalateDispute: assign(({ context }) => ({
    dispute: context.dispute && { ...context.dispute, level: 'clinicalDirectors' as const, proposal: null },
  })),
  proposeResolution: assign(
    on('dispute.propose', (ctx, ev) => {
      if (!ctx.dispute) return {};
      const moves = !!ev.lead && ev.lead.id !== ctx.lead?.agency.id;
      // R-LEAD-ACCEPTED: a new lead confirms itself; otherwise the other side of the dispute confirms.
      const parties = [
        ctx.dispute.raisedBy,
        ctx.lead?.agency,
        ctx.dispute.proposedLead,
        ...agenciesInCase(ctx).map((id) => ({ id }) as AgencyRef),
        ctx.referral?.status === 'awaiting' ? (ctx.referral.from ?? undefined) : undefined,
      ].filter((a): a is AgencyRef => !!a && a.id !== ev.actor.agencyId);
      const unique = [...new Map(parties.reverse().map((a) => [a.id, a])).values()].reverse();
      const awaiting = moves && ev.lead ? [ev.lead] : unique;
      return {
        dispute: {
          ...ctx.dispute,
          proposal: {
            by: actorAgency(ctx, ev),
            ...(ev.lead ? { lead: ev.lead } : {}),
            outcome: ev.outcome,
            ...(ev.rationale ? { rationale: ev.rationale } : {}),
            at: ev.at,
            awaiting,
            followUpDue: addDays(ev.at, 7),
            ...(ev.commissionerInput ? { commissionerInput: ev.commissionerInput } : {}),
          },
        },
      };
    }),
  ),
  /** R-DISPUTE, R-LEAD-ACCEPTED: the confirmed resolution; the lead moves only here, confirmed by the new lead itself. */
  confirmResolution: assign(
    on('dispute.confirm', (ctx, ev) => {
      const p = ctx.dispute?.proposal;
      if (!p) return {};
      const moves = !!p.lead && p.lead.id !== ctx.lead?.agency.id;
      if (!moves || !p.lead || !ev.coordinator) {
        return {
          dispute: null,
          lead: ctx.lead && p.rationale ? { ...ctx.lead, rationale: p.rationale } : ctx.lead,
          // A resolution that keeps a lead the new quadrant does not name is the kept lead's rationale (R-STEP).
          stepChange: ctx.lead && p.lead?.id === ctx.lead.agency.id && p.rationale ? null : ctx.stepChange,
        };
      }
      return {
        lead: { agency: p.lead, coordinator: ev.coordinator, since: ev.at, rationale: p.rationale },
        involvements: endInvolvementOf(ctx, p.lead.id, ev.at),
        dispute: null,
        stepChange: null,
        handover: null,
        leadProposal: null,
      };
    }),
  ),
  resolveDispute: assign(
    on('dispute.resolve', (ctx, ev) => ({
      lead: {
        agency: ev.lead,
        coordinator: ev.coordinator,
        since: ctx.lead?.agency.id === ev.lead.id ? ctx.lead.since : ev.at,
        rationale: ev.rationale,
      },
      involvements: endInvolvementOf(ctx, ev.lead.id, ev.at),
      dispute: null,
      stepChange: null,
    })),
  ),
  recordClosure: assign(on('case.close', (_ctx, ev) => ({ closure: { reason: ev.reason, at: ev.at, to: ev.to } }))),
  recordMissedAppointment: assign(
    on('appointment.missed', (ctx, ev) => ({
      missedAppointments: [
        ...missedAppointmentsOf(ctx),
        { id: ev.appointmentId, agencyId: ev.actor.agencyId, scheduledAt: ev.scheduledAt, recordedAt: ev.at, followedUpAt: null },
      ],
    })),
  ),
  recordAppointmentFollowUp: assign(
    on('appointment.followUp', (ctx, ev) => ({
      missedAppointments: missedAppointmentsOf(ctx).map((m) => (m.id === ev.appointmentId ? { ...m, followedUpAt: ev.at } : m)),
    })),
  ),
  recordDeadline: assign(
    on('deadline.reached', (ctx, ev) => ({
      deadlinesReached: [...ctx.deadlinesReached, { deadline: ev.deadline, ref: ev.ref, at: ev.at }],
    })),
  ),
};

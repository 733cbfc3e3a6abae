/** Joint care as services live it: a plan, supporting services, reviews that sometimes slip, missed appointments, step changes, handovers, disengagement, closure. */
import { agenciesInCase, atSeriousRisk, currentInvolvements, pendingInvolvements } from '../../../machines/context.ts';
import type { AgencyRef, EventBody } from '../../../machines/events.ts';
import { leadAgencyFor } from '../../../machines/quadrant.ts';
import type { Quadrant } from '../../../machines/vocab.ts';
import type { AreaServices } from './agencies.ts';
import { coordinatorOf } from './agencies.ts';
import { actorOf, assessmentBody, dispute, leadFor, needToKnow, secondReading } from './journey.ts';
import { DAY_MS, type Journey, type Random } from './sim.ts';

const lead = (j: Journey) => j.ctx.lead?.agency as AgencyRef;
const plan = (a: AgencyRef, cpa: boolean) => ({
  roles: [{ agencyId: a.id, responsibility: 'care coordination' }],
  relapseIndicators: ['missed appointments', 'return to daily use'],
  risks: ['risk to self when intoxicated'],
  safetyPlan: 'Crisis line and named contacts agreed',
  agreedWithPerson: true,
  cpa,
  careNeedsAssessment: 'offered' as const,
  addressesSelfNeglectAndSafeguarding: true,
});
/** Every other service in the case (R-RISK-CHANGE, R-SAFEGUARDING, R-SI: they are told or take part). */
const others = (j: Journey, self: AgencyRef) => [...new Set(agenciesInCase(j.ctx))].filter((a) => a !== self.id);
/** R-STOP-DRINKING: an SMS leads or is involved. */
const smsInvolved = (j: Journey) => j.ctx.lead?.agency.kind === 'SMS' || currentInvolvements(j.ctx).some((i) => i.agency.kind === 'SMS');
const daysUntil = (j: Journey, t: number) => Math.max(0, (t - j.t) / DAY_MS);

function supportFor(s: AreaServices, q: Quadrant, r: Random): AgencyRef[] {
  const out: AgencyRef[] = [];
  if (q === 'Q1') out.push(r.pick(s.sms), ...(r.chance(0.3) ? [s.asc] : []));
  if (q === 'Q2' && r.chance(0.3)) out.push(r.pick(s.sms));
  if (q === 'Q3') out.push(...(r.chance(0.5) ? [s.iapt] : []), ...(r.chance(0.2) ? [r.pick(s.primary)] : []));
  if (q === 'Q4') out.push(...(r.chance(0.4) ? [s.wraparound] : []), ...(r.chance(0.4) ? [s.iapt] : []));
  return out;
}

/** R-PARALLEL: asks supporting services in, each answering after its own wait. */
function involve(j: Journey, r: Random, s: AreaServices): void {
  for (const to of supportFor(s, j.ctx.quadrant as Quadrant, r)) {
    const inCase = [lead(j).id, j.ctx.referral?.to.id, j.ctx.dispute?.proposedLead?.id, ...j.ctx.involvements.map((i) => i.agency.id)];
    if (!j.open || inCase.includes(to.id)) continue;
    const body: EventBody = {
      type: 'involvement.request',
      to,
      purpose: 'Joint working on both conditions',
      content: {
        suspectedDisorder: 'Depression',
        substanceObstruction: 'Daily use disrupts sessions',
        hopedOutcome: 'Feel more in control',
      },
      keyWorkerNamed: true,
      recoveryPlanInPlace: true,
      ...needToKnow(j),
    };
    if (!j.send(r.days(4), body, actorOf(lead(j)))) return;
    const id = j.ctx.involvements[j.ctx.involvements.length - 1]?.id as string;
    const answer = r.weighted([
      ['accept', 80],
      ['slow', 10],
      ['decline', 10],
    ] as const);
    if (answer === 'decline') {
      j.send(
        r.days(6),
        {
          type: 'involvement.decline',
          involvementId: id,
          reason: 'needsBetterMetElsewhere',
          explanation: 'Needs met by the current services',
          writtenToPerson: true,
          recommendationToReferrer: 'Continue with the lead service',
          rightToChallengeGiven: true,
        },
        actorOf(to),
      );
      continue;
    }
    if (!j.send(answer === 'slow' ? r.days(28, 0.4) : r.days(6, 0.8), { type: 'involvement.accept', involvementId: id }, actorOf(to)))
      return;
    j.send(r.days(5), { type: 'involvement.start', involvementId: id }, actorOf(to));
  }
}

/** R-STEP and handovers: ask the quadrant's lead to take over, keep the lead with a rationale, or dispute it. */
function handover(j: Journey, r: Random, s: AreaServices, voluntary: boolean): void {
  for (let attempt = 0; attempt < 3 && j.open; attempt++) {
    const q = j.ctx.quadrant as Quadrant;
    const current = lead(j);
    const choice = voluntary
      ? 'request'
      : r.weighted([
          ['request', 80],
          ['retain', 10],
          ['dispute', 10],
        ] as const);
    let to = leadFor(s, q, r);
    if (voluntary || to.id === current.id) {
      const same = [...s.cmht, ...s.sms, ...s.primary].filter((a) => a.kind === current.kind && a.id !== current.id);
      if (same.length === 0) return;
      to = r.pick(same);
    }
    if (choice === 'retain') {
      j.send(
        r.days(5),
        { type: 'lead.retain', rationale: 'The person is settled with this team; reviewed again in three months' },
        actorOf(current),
      );
      return;
    }
    if (choice === 'dispute') {
      dispute(j, r, current, to);
      return;
    }
    const request: EventBody = {
      type: 'handover.request',
      to,
      reason: voluntary ? 'transfer' : r.pick(['stepUp', 'stepDown'] as const),
      carePlan: plan(to, to.kind === 'MHS'),
      riskSummary: 'Risks reviewed at reassessment',
      personInformed: true,
      senderContinuesAsSupport: r.chance(0.5),
      ...(leadAgencyFor(q) === to.kind ? {} : { rationale: 'Continuity with the team the person knows' }),
      ...needToKnow(j),
    };
    if (!j.send(r.days(4), request, actorOf(current))) return;
    // Handovers wait: a median of nine days, weeks for some.
    if (r.chance(0.78)) {
      j.send(r.days(9, 1), { type: 'handover.accept', coordinator: coordinatorOf(to.id, r.int(0, 11)) }, actorOf(to));
      return;
    }
    if (
      !j.send(
        r.days(12, 0.8),
        { type: 'handover.decline', reason: 'needsBetterMetElsewhere', explanation: 'Current team remains best placed' },
        actorOf(to),
      )
    )
      return;
    if (!j.in('active.handover.required')) return;
  }
}

export function jointCare(j: Journey, r: Random, s: AreaServices): void {
  if (!j.send(r.days(7), { type: 'careplan.agree', ...plan(lead(j), lead(j).kind === 'MHS') }, actorOf(lead(j)))) return;
  involve(j, r, s);
  const closeAt = j.t + r.days(220, 0.7) * DAY_MS;
  let appointment = 0;
  let detoxDone = false;
  let disengaged = false;
  for (let month = 0; month < 60 && j.open; month++) {
    if (j.in('active.handover.required')) handover(j, r, s, false);
    if (!j.open || !j.in('active.jointCare')) return;
    const l = lead(j);
    const monthEnd = j.t + 30 * DAY_MS;
    if (r.chance(0.18)) {
      const id = `appt-${++appointment}`;
      if (!j.send(r.int(1, 20), { type: 'appointment.missed', appointmentId: id, scheduledAt: new Date(j.t).toISOString() }, actorOf(l)))
        return;
      const follow = r.weighted([
        ['prompt', 80],
        ['late', 8],
        ['never', 12],
      ] as const);
      if (follow !== 'never')
        j.send(
          follow === 'prompt' ? r.int(1, 5) : r.int(8, 20),
          {
            type: 'appointment.followUp',
            appointmentId: id,
            method: r.pick(['phone', 'text', 'letter', 'homeVisit'] as const),
            outcome: r.chance(0.7) ? 'contactMade' : 'noContact',
          },
          actorOf(l),
        );
    }
    const due = j.ctx.carePlan ? Date.parse(j.ctx.carePlan.reviewDue) : Number.POSITIVE_INFINITY;
    if (j.in('active.jointCare.carePlan.agreed') && due <= monthEnd) {
      // Most reviews happen around their date; about a third slip by weeks.
      const slip = r.chance(0.7) ? r.int(-7, 3) : r.int(10, 60);
      const invited = currentInvolvements(j.ctx)
        .filter((i) => i.agency.kind === 'SMS')
        .map((i) => i.agency.id);
      const review: EventBody = {
        type: 'careplan.review',
        attendees: [{ name: j.ctx.lead?.coordinator.name ?? 'Coordinator', agencyId: l.id }],
        invitedAgencies: invited,
        consent: { sharing: j.ctx.consent.sharing === 'refused' ? 'refused' : 'given' },
      };
      if (!j.send(daysUntil(j, due + slip * DAY_MS), review, actorOf(l))) return;
    }
    if (j.ctx.assessment?.dependent && !detoxDone && r.chance(0.05) && (!secondReading(j) || smsInvolved(j))) {
      detoxDone = true;
      j.send(
        r.days(5),
        { type: 'detox.plan', substance: 'alcohol', postDetoxPlan: 'Community aftercare with the SMS keyworker', mdtAgreed: true },
        actorOf(l),
      );
      j.send(r.days(10), { type: 'detox.start', substance: 'alcohol' }, actorOf(l));
      j.send(r.days(10, 0.3), { type: 'detox.complete' }, actorOf(l));
    }
    if (r.chance(0.03)) {
      if (
        !j.send(
          r.days(5),
          { type: 'safeguarding.raise', concern: 'adult', referredTo: 'Adult safeguarding team', summary: 'Self-neglect concerns' },
          actorOf(l),
        )
      )
        return;
      // R-SAFEGUARDING (version 2): the decision is recorded and shared with the other services.
      if (secondReading(j))
        j.send(
          r.days(3),
          r.chance(0.7)
            ? { type: 'safeguarding.decide', decision: 'alertRaised', localAuthority: 'Adult safeguarding team', sharedWith: others(j, l) }
            : {
                type: 'safeguarding.decide',
                decision: 'noAlertReasonDocumented',
                reason: 'Self-neglect addressed in the care plan; no alert threshold met',
                sharedWith: others(j, l),
              },
          actorOf(l),
        );
    }
    if (r.chance(0.04)) j.send(r.days(5), { type: 'carer.offerAssessment', accepted: r.chance(0.6) }, actorOf(l));
    if (!j.open || !j.in('active.jointCare')) return;
    if (r.chance(0.045)) {
      const q = j.ctx.quadrant as Quadrant;
      const next = r.pick((['Q1', 'Q2', 'Q3', 'Q4'] as const).filter((x) => x !== q));
      const review = { ...assessmentBody(next, r, true), notified: others(j, l) } as EventBody;
      if (!j.send(r.days(10), review, actorOf(l))) return;
      continue;
    }
    if (r.chance(0.012)) {
      handover(j, r, s, true);
      continue;
    }
    if (!disengaged && r.chance(0.03)) {
      disengaged = true;
      const capacity = r.chance(0.85);
      const decline: EventBody = {
        type: 'engagement.decline',
        hasCapacity: capacity,
        note: 'Does not want contact',
        capacity: { mentalCapacityActConsidered: true, mentalHealthActConsidered: false, collateralFrom: ['GP', 'family'] },
      };
      if (!j.send(r.days(10), decline, actorOf(l))) return;
      if (atSeriousRisk(j.ctx)) j.send(r.days(5), { type: 'engagement.assertiveOutreach', note: 'Joint home visit' }, actorOf(l));
      if (capacity && r.chance(0.5) && pendingInvolvements(j.ctx).length === 0 && !j.ctx.stepChange && !j.ctx.dispute) {
        j.send(r.days(14), { type: 'case.close', reason: 'declinedWithCapacity', personInformed: true, gpInformed: true }, actorOf(l));
        return;
      }
      j.send(r.days(30), { type: 'engagement.resume', note: 'Back in contact' }, actorOf(l));
    }
    if (j.t >= closeAt && j.in('active.jointCare') && pendingInvolvements(j.ctx).length === 0 && !j.ctx.stepChange && !j.ctx.dispute) {
      if (j.ctx.engagement.status === 'declining')
        j.send(r.days(3), { type: 'engagement.resume', note: 'Agreed the discharge plan' }, actorOf(l));
      const died = !r.chance(0.99);
      if (secondReading(j)) {
        if (died && others(j, l).length > 0) {
          // R-SI (version 2): a death in a shared case is investigated jointly before the case closes.
          const report: EventBody = {
            type: 'incident.report',
            kind: 'death',
            summary: 'Death in the community',
            investigatedWith: others(j, l),
          };
          if (!j.send(r.days(2), report, actorOf(l))) return;
          const incident = j.ctx.incidents[j.ctx.incidents.length - 1]?.id as string;
          const learning: EventBody = { type: 'incident.learning', incidentId: incident, learningActions: ['Share risk changes weekly'] };
          if (!j.send(r.days(30), learning, actorOf(l))) return;
        } else if (!died) {
          // R-CLOSE-GAPLESS (d): the other services' involvement ends before the discharge to the GP.
          for (const i of currentInvolvements(j.ctx).filter((x) => x.agency.id !== l.id))
            if (!j.send(r.days(2), { type: 'involvement.end', involvementId: i.id, note: 'Care complete' }, actorOf(l))) return;
        }
      }
      j.send(
        r.days(7),
        { type: 'case.close', reason: died ? 'died' : 'dischargedToGp', personInformed: true, gpInformed: true, careComplete: true },
        actorOf(l),
      );
      return;
    }
    j.send(
      daysUntil(j, monthEnd),
      { type: 'consent.record', sharing: j.ctx.consent.sharing === 'refused' ? 'refused' : 'given', note: 'Monthly contact' },
      actorOf(l),
    );
  }
}

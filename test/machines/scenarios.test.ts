/** Whole journeys through Kent and Medway services, told the way a clinician would tell them. */
import { describe, expect, it } from 'vitest';
import {
  type Blocker,
  deadlineDays,
  eventTypes,
  explainRefusal,
  type NextEvent,
  nextEvents,
  pathwayDefinition,
  responsibility,
  rules,
  statePaths,
} from '../../machines/index.ts';
import { drive } from '../support/pathwayDriver.ts';
import { actorOf, agencies, bodies, body, coordinator, journeys, play, stamp } from '../support/pathwayFactory.ts';

const rulesOf = (blockers: Blocker[]) => blockers.map((b) => b.rule);
const gp = actorOf('gp');
const sms = actorOf('sms');
const cmht = actorOf('cmht');
const smsContent = {
  suspectedDisorder: 'Possible psychotic illness',
  substanceObstruction: 'Heavy cannabis and alcohol use mask the symptoms',
  hopedOutcome: 'To stop hearing voices',
};

describe('A person led by the drug and alcohol service whose mental health becomes severe (step-up from Q3 to Q1)', () => {
  it('hands the case to the CMHT, keeps CGL responsible until the CMHT accepts, then keeps CGL as support', () => {
    // Arrange: CGL leads a Q3 case with an agreed plan.
    const d = play(drive(), [...journeys.smsLedQ3(), [body.carePlan(), sms]]);
    const cglLead = d.snapshot.context.lead;
    expect(d.snapshot.context.quadrant).toBe('Q3');

    // Act: the reassessment finds severe mental illness and dependence.
    d.time.advanceDays(30);
    d.ok(body.reassessment('severe', true), sms);

    // Assert: a handover is required; CGL still leads.
    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.required']);
    expect(d.snapshot.context).toMatchObject({ quadrant: 'Q1', stepChange: { from: 'Q3', to: 'Q1' } });
    expect(d.snapshot.context.lead).toEqual(cglLead);

    d.ok(body.handover(agencies.cmht, { senderContinuesAsSupport: true }), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.awaitingAcceptance']);
    expect(d.snapshot.context.lead).toEqual(cglLead);

    // CGL tries to close before the CMHT has accepted.
    d.time.advanceDays(3);
    const refused = d.send(body.close(), sms);
    expect(rulesOf(refused)).toContain('R-CLOSE-ACCEPTED');
    expect(refused.find((b) => b.rule === 'R-CLOSE-ACCEPTED')?.message).toBe(
      'The case cannot close while the handover to Maidstone CMHT awaits acceptance',
    );
    expect(d.snapshot.status).toBe('active');
    expect(d.snapshot.context.lead).toEqual(cglLead);

    // The CMHT accepts and names a care coordinator.
    d.time.advanceDays(2);
    d.ok(bodies.acceptHandover('Jo Reed'), cmht);

    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.agreed', 'active.jointCare.detox.none']);
    expect(d.snapshot.context.lead).toMatchObject({ agency: { kind: 'MHS', id: agencies.cmht.id }, coordinator: coordinator('Jo Reed') });
    expect(d.snapshot.context.lead?.since).toBe(d.time.now());
    expect(d.snapshot.context.involvements).toMatchObject([{ agency: agencies.sms, status: 'active' }]);
    expect(d.snapshot.context.handover).toBeNull();
    expect(d.snapshot.context.stepChange).toBeNull();

    const r = responsibility(d.snapshot);
    expect(r.lead?.agency).toEqual(agencies.cmht);
    expect(r.supporting).toEqual([{ agency: agencies.sms, status: 'active' }]);
    expect(r.statement).toBe('Maidstone CMHT leads your care. Your care coordinator is Jo Reed. CGL West Kent also support you.');
  });
});

describe('Substance use or intoxication is never a reason to turn someone away (R-REF-NOINTOX)', () => {
  it('refuses a referral declined because the person was intoxicated', () => {
    const d = play(drive(), journeys.referredToSms());
    expect(rulesOf(d.send(bodies.declineReferral({ reason: 'intoxication' }), sms))).toEqual(['R-REF-NOINTOX']);
    expect(d.snapshot.context.referral?.status).toBe('awaiting');
  });

  it('refuses a handover declined because of the person’s drinking', () => {
    const d = play(drive(), journeys.handoverPending());
    expect(rulesOf(d.send(bodies.declineHandover({ reason: 'intoxication' }), cmht))).toEqual(['R-REF-NOINTOX']);
    expect(rulesOf(d.send(bodies.declineHandover({ reason: 'substanceUse' }), cmht))).toEqual(['R-REF-NOINTOX']);
    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.awaitingAcceptance']);
  });

  it('refuses a request for involvement declined because of intoxication', () => {
    const d = play(drive(), journeys.cmhtLedQ1());
    d.ok(bodies.involve(agencies.asc), cmht);
    expect(rulesOf(d.send(bodies.declineInvolvement('inv-1', { reason: 'intoxication' }), actorOf('asc')))).toEqual(['R-REF-NOINTOX']);
    expect(d.snapshot.context.involvements[0]?.status).toBe('requested');
  });

  it('refuses a request to lead declined because of substance use', () => {
    const d = play(drive(), [
      ...journeys.smsAssessing(),
      [body.assessment('severe', false), sms],
      [bodies.proposeLead(agencies.cmht), sms],
    ]);
    const blockers = d.send({ type: 'lead.decline', reason: 'substanceUse', explanation: 'Drinking too much' }, cmht);
    // The reason code and (pathway version 2) the free text both give substance use.
    expect(blockers.map((b) => b.guard)).toEqual(['declineNotForSubstanceUse', 'declineTextNotSubstanceUse']);
    expect(rulesOf(blockers)).toEqual(['R-REF-NOINTOX', 'R-REF-NOINTOX']);
    expect(d.snapshot.context.leadProposal?.to).toEqual(agencies.cmht);
  });
});

describe('Young people and the adult pathway (R-ELIG-AGE, R-REF-EIP)', () => {
  it('redirects a 17-year-old referred by their GP to CAMHS and closes the adult case', () => {
    const d = drive();
    d.ok(body.referral(agencies.sms, { person: { ageYears: 17, residency: 'permanent', area: 'MEDWAY' } }), gp);
    expect(d.snapshot.value).toBe('closed');
    expect(d.snapshot.context.closure).toMatchObject({ reason: 'redirectedUnder18', to: { kind: 'CAMHS' } });
    expect(responsibility(d.snapshot).statement).toContain('CAMHS');
  });

  it('accepts a 16-year-old with a suspected first episode of psychosis referred directly to EIP', () => {
    const d = drive();
    d.ok(
      body.referral(agencies.eip, {
        person: { ageYears: 16, residency: 'permanent', area: 'WEST_KENT' },
        suspectedFirstEpisodePsychosis: true,
      }),
      gp,
    );
    expect(statePaths(d.snapshot.value)).toEqual(['active.assessment']);
    expect(d.snapshot.context.closure).toBeNull();
    expect(responsibility(d.snapshot).responsible).toEqual(agencies.eip);
  });

  it('accepts a 17-year-old referred by CAMHS for the transition to adult services', () => {
    const d = drive();
    d.ok(
      body.referral(agencies.cmht, {
        source: 'CAMHS',
        referrer: { name: 'CAMHS transition worker', qualification: 'qualifiedMentalHealthPractitioner' },
        person: { ageYears: 17, residency: 'permanent', area: 'EAST_KENT' },
      }),
      gp,
    );
    expect(statePaths(d.snapshot.value)).toEqual(['active.assessment']);
    expect(d.snapshot.context.referral).toMatchObject({ source: 'CAMHS', status: 'accepted' });
  });
});

describe('A dispute over who should lead (R-DISPUTE)', () => {
  it('goes to service managers, then clinical directors; the lead stays unchanged until the new lead’s director confirms', () => {
    // Arrange: CGL leads; the CMHT is involved for a psychiatric opinion; the reassessment points to Q1.
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(bodies.involve(agencies.cmht, { content: smsContent }), sms);
    d.ok(bodies.acceptInvolvement('inv-1'), cmht);
    d.ok(bodies.startInvolvement('inv-1'), cmht);
    d.ok(body.reassessment('severe', true), sms);
    const cglLead = d.snapshot.context.lead;

    // Act: the CMHT disputes that it should lead; managers cannot agree.
    d.ok(bodies.raiseDispute('CMHT considers the psychosis drug-induced; CGL should keep the lead'), cmht);
    expect(statePaths(d.snapshot.value)).toEqual(['active.dispute.serviceManagers']);
    expect(d.snapshot.context.lead).toEqual(cglLead);
    d.time.advanceDays(14);
    d.ok(bodies.escalateDispute(), actorOf('sms', 'serviceManager'));
    expect(statePaths(d.snapshot.value)).toEqual(['active.dispute.clinicalDirectors']);
    expect(d.snapshot.context.lead).toEqual(cglLead);

    // Only a clinical director proposes a resolution now (pathway version 2: one side proposes, the other confirms).
    const proposal = bodies.proposeResolution(agencies.cmht, {
      outcome: 'Q1: the CMHT leads, CGL supports',
      commissionerConsulted: true,
      commissionerInput: 'The commissioner expects MHS to lead Q1 cases',
    });
    for (const actor of [actorOf('sms', 'serviceManager'), sms, actorOf('gp', 'clinicalDirector')]) {
      expect(d.send(proposal, actor).map((b) => b.guard)).toEqual(['canResolveDispute']);
      expect(d.snapshot.context.lead).toEqual(cglLead);
    }
    expect(responsibility(d.snapshot).statement).toContain('CGL West Kent stays responsible in the meantime');

    d.time.advanceDays(7);
    d.ok(proposal, actorOf('sms', 'clinicalDirector'));
    expect(d.snapshot.context.lead).toEqual(cglLead);
    d.ok(bodies.confirmResolution('Jo Reed'), actorOf('cmht', 'clinicalDirector'));

    // Assert: the resolution names the lead and the case returns to joint care.
    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.unplanned', 'active.jointCare.detox.none']);
    expect(d.snapshot.context).toMatchObject({
      dispute: null,
      stepChange: null,
      lead: { agency: agencies.cmht, coordinator: coordinator('Jo Reed'), since: d.time.now() },
    });
    expect(responsibility(d.snapshot).statement).toBe('Maidstone CMHT leads your care. Your care coordinator is Jo Reed.');
  });

  it('keeps the lead with CGL through the whole dispute, event by event', () => {
    const d = play(drive(), journeys.stepUpRequired());
    const leads = [d.snapshot.context.lead];
    for (const [b, a] of [
      [bodies.raiseDispute(undefined, agencies.cmht), sms],
      [bodies.safeguarding(), sms],
      [bodies.escalateDispute(), sms],
    ] as const) {
      d.ok(b, a);
      leads.push(d.snapshot.context.lead);
    }
    expect(new Set(leads.map((l) => JSON.stringify(l))).size).toBe(1);
    expect(leads[0]?.agency).toEqual(agencies.sms);
  });
});

describe('A person who declines services while at serious risk (R-DISENGAGE)', () => {
  const atSeriousRisk = () =>
    play(drive(), [
      ...journeys.smsAssessing(),
      [body.assessment('moderate', true, { risks: { toSelf: 'high', toOthers: 'low', selfNeglect: false, safeguarding: false } }), sms],
      [bodies.assignLead(), sms],
    ]);

  it('cannot simply be closed, until an assertive approach is recorded', () => {
    const d = atSeriousRisk();
    d.time.advanceDays(10);
    d.ok(bodies.declineServices(true), sms);

    expect(rulesOf(d.send(body.close({ reason: 'declinedWithCapacity' }), sms))).toEqual(['R-DISENGAGE']);
    expect(rulesOf(d.send(body.close({ reason: 'dischargedToGp' }), sms))).toEqual(['R-DISENGAGE']);
    expect(d.snapshot.status).toBe('active');

    d.time.advanceDays(1);
    d.ok(bodies.assertiveOutreach(), sms);
    d.ok(body.close({ reason: 'declinedWithCapacity' }), sms);
    expect(d.snapshot.value).toBe('closed');
    expect(d.snapshot.context.closure?.reason).toBe('declinedWithCapacity');
  });

  it('cannot simply be closed, until a safeguarding referral is recorded after the decline', () => {
    const d = atSeriousRisk();
    d.ok(bodies.safeguarding(), sms);
    d.ok(bodies.safeguardingDecision(), sms);
    d.time.advanceDays(10);
    d.ok(bodies.declineServices(true), sms);
    // The safeguarding referral made before the person declined does not count.
    expect(rulesOf(d.send(body.close({ reason: 'declinedWithCapacity' }), sms))).toEqual(['R-DISENGAGE']);

    d.time.advanceDays(1);
    d.ok(bodies.safeguarding(), sms);
    // Pathway version 2: the concern needs its recorded decision before the case closes (R-SAFEGUARDING).
    expect(rulesOf(d.send(body.close({ reason: 'declinedWithCapacity' }), sms))).toEqual(['R-SAFEGUARDING']);
    d.ok(bodies.safeguardingDecision({ reason: 'x', decision: 'alertRaised' }), sms);
    d.ok(body.close({ reason: 'declinedWithCapacity' }), sms);
    expect(d.snapshot.context.closure?.reason).toBe('declinedWithCapacity');
  });

  it('still closes if the person dies', () => {
    const d = atSeriousRisk();
    d.ok(bodies.declineServices(true), sms);
    d.ok(body.close({ reason: 'died', personInformed: false }), sms);
    expect(d.snapshot.context.closure?.reason).toBe('died');
  });
});

describe('A handover the receiving service declines (R-HANDOVER-DECLINE)', () => {
  it('stays with the sender, who can raise a dispute that moves the lead only when the receiving service confirms', () => {
    const d = play(drive(), journeys.handoverPending());
    const cglLead = d.snapshot.context.lead;

    d.ok(bodies.declineHandover(), cmht);

    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.required']);
    expect(d.snapshot.context.lead).toEqual(cglLead);
    expect(d.snapshot.context.handover).toBeNull();
    expect(responsibility(d.snapshot).statement).toContain('CGL West Kent leads your care');

    d.ok({ type: 'dispute.raise', about: 'CMHT declined the step-up handover', proposedLead: agencies.cmht }, sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.dispute.serviceManagers']);
    expect(d.snapshot.context.dispute).toMatchObject({ raisedBy: agencies.sms, level: 'serviceManagers' });
    expect(d.snapshot.context.lead).toEqual(cglLead);

    d.ok(bodies.proposeResolution(agencies.cmht, { outcome: 'Q1: the CMHT leads' }), actorOf('sms', 'serviceManager'));
    expect(d.snapshot.context.lead).toEqual(cglLead);
    d.ok(bodies.confirmResolution('Jo Reed'), actorOf('cmht', 'serviceManager'));
    expect(d.snapshot.context.lead).toMatchObject({ agency: agencies.cmht, coordinator: coordinator('Jo Reed') });
  });
});

describe('A closed case (R-CLOSE-FINAL)', () => {
  it('accepts no event, and explains why with R-CLOSE-FINAL', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [body.close(), sms]]);
    const tries = [
      stamp(bodies.safeguarding(), sms, d.time.now()),
      stamp(body.referral(agencies.sms), gp, d.time.now()),
      stamp(body.carePlan(), sms, d.time.now()),
      stamp(bodies.raiseDispute(), sms, d.time.now()),
    ];
    for (const event of tries) {
      const blockers = explainRefusal(d.snapshot, event);
      expect(blockers).toEqual([
        { rule: 'R-CLOSE-FINAL', clause: rules['R-CLOSE-FINAL'].clause, message: 'The case is closed: a new referral opens a new episode' },
      ]);
      expect(d.snapshot.can(event)).toBe(false);
    }
    expect(d.send(body.close(), sms)).toMatchObject([{ rule: 'R-CLOSE-FINAL' }]);
  });
});

describe('What each service can do next on a pending handover (nextEvents)', () => {
  const find = (events: NextEvent[], type: NextEvent['type']) => events.find((e) => e.type === type);

  it('lets the receiving CMHT accept or decline, and tells the GP only the receiver may', () => {
    const d = play(drive(), journeys.handoverPending());

    const forCmht = nextEvents(d.snapshot, cmht);
    const forGp = nextEvents(d.snapshot, gp);

    expect(forCmht).toHaveLength(eventTypes.length);
    expect(find(forCmht, 'handover.accept')).toEqual({ type: 'handover.accept', allowed: true, conditions: [] });
    expect(find(forCmht, 'handover.decline')).toMatchObject({ allowed: true });
    const declineConditions = find(forCmht, 'handover.decline');
    expect(declineConditions?.allowed && rulesOf(declineConditions.conditions)).toEqual([
      'R-REF-NOINTOX',
      'R-REF-NOINTOX',
      'R-HANDOVER-DECLINE',
    ]);

    for (const type of ['handover.accept', 'handover.decline'] as const) {
      const e = find(forGp, type);
      expect(e?.allowed).toBe(false);
      expect(e && !e.allowed && rulesOf(e.blockedBy)).toEqual(['R-HANDOVER-ONLYRECEIVER']);
    }
  });

  it('lets the sending CGL withdraw but not accept its own handover, nor close', () => {
    const d = play(drive(), journeys.handoverPending());
    const forCgl = nextEvents(d.snapshot, sms);
    expect(find(forCgl, 'handover.withdraw')?.allowed).toBe(true);
    const accept = find(forCgl, 'handover.accept');
    expect(accept && !accept.allowed && rulesOf(accept.blockedBy)).toEqual(['R-HANDOVER-ONLYRECEIVER']);
    const close = find(forCgl, 'case.close');
    expect(close && !close.allowed && rulesOf(close.blockedBy)).toContain('R-CLOSE-ACCEPTED');
  });
});

describe('The statechart as drawn for the UI (pathwayDefinition)', () => {
  it('lists every guard with a rule and clause from rules.ts', () => {
    const def = pathwayDefinition();
    const guardsListed = def.transitions.flatMap((t) => t.guards);
    expect(guardsListed.length).toBeGreaterThan(0);
    for (const g of guardsListed) {
      expect(Object.keys(rules)).toContain(g.rule);
      expect(g.clause).toBe(rules[g.rule].clause);
    }
  });

  it('lists the deadline of every waiting state', () => {
    const def = pathwayDefinition();
    const withDeadlines = Object.fromEntries(def.states.filter((s) => s.deadline).map((s) => [s.id, s.deadline]));
    expect(withDeadlines).toEqual({
      'active.referral.triage': { name: 'referralFollowUp', days: deadlineDays.referralFollowUp },
      'active.referral.awaitingAcceptance': { name: 'referralFollowUp', days: deadlineDays.referralFollowUp },
      'active.leadAssignment.awaitingAcceptance': { name: 'leadFollowUp', days: deadlineDays.leadFollowUp },
      'active.jointCare.carePlan.agreed': { name: 'carePlanReview', days: deadlineDays.carePlanReview },
      'active.handover.awaitingAcceptance': { name: 'handoverFollowUp', days: deadlineDays.handoverFollowUp },
    });
  });

  it('offers every event type of the pathway on some transition, but the one version 2 retired', () => {
    const events = new Set(pathwayDefinition().transitions.map((t) => t.event));
    // dispute.resolve named the lead on another service's behalf (R-LEAD-ACCEPTED): version 1 still replays it.
    expect([...events].sort()).toEqual(eventTypes.filter((t) => t !== 'dispute.resolve').sort());
  });
});

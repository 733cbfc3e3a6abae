/** One describe per protocol rule: the wrong thing is refused naming the rule, the right thing is allowed. */
import { describe, expect, it } from 'vitest';
import {
  type Blocker,
  deadlineDays,
  type EventBody,
  eventTypes,
  nextEvents,
  parseEventBody,
  type RuleId,
  responsibility,
  ruleIds,
  rules,
  statePaths,
} from '../../machines/index.ts';
import { drive } from '../support/pathwayDriver.ts';
import { actorOf, agencies, bodies, body, coordinator, journeys, play, systemActor } from '../support/pathwayFactory.ts';

const covered = new Set<RuleId>();
/** `R-XXX: title`, and remembers that this rule has a describe. */
const rule = (id: RuleId): string => {
  covered.add(id);
  return `${id}: ${rules[id].title}`;
};
/** The rules of the refusing guards: a refusal that arrives by the event catalog's fallback (no guard) fails the test. */
const rulesOf = (blockers: Blocker[]) => {
  for (const b of blockers) expect(b.guard, `${b.rule} came from no guard: ${b.message}`).toBeDefined();
  return blockers.map((b) => b.rule);
};
/** The refusing guards with their rules, as `guard (rule)`. */
const refusedBy = (blockers: Blocker[]) => blockers.map((b) => `${b.guard ?? 'no guard'} (${b.rule})`);
/** The rule of a refusal because the state does not take the event at all (the event catalog's, no guard). */
const notNowRulesOf = (blockers: Blocker[]) => {
  for (const b of blockers) expect(b.guard, `${b.rule} came from guard ${b.guard}`).toBeUndefined();
  return blockers.map((b) => b.rule);
};
const DAY = 86_400_000;
const plusDays = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY).toISOString();

const gp = actorOf('gp');
const sms = actorOf('sms');
const cmht = actorOf('cmht');
const smsContent = {
  suspectedDisorder: 'Recurrent depressive disorder',
  substanceObstruction: 'Daily drinking blunts engagement with therapy',
  hopedOutcome: 'To feel less low and cut down',
};
const smsReferrer = { name: 'Key worker Ali', agencyId: agencies.sms.id, qualification: 'other' as const };

describe(rule('R-REF-SOURCE'), () => {
  it('refuses a self-referral to secondary mental health and names R-REF-SOURCE', () => {
    const d = drive();
    const blockers = d.send(body.referral(agencies.cmht, { source: 'self', referrer: { name: 'Alex', qualification: 'other' } }), cmht);
    expect(rulesOf(blockers)).toEqual(['R-REF-SOURCE']);
    expect(blockers[0]?.clause).toBe(rules['R-REF-SOURCE'].clause);
    expect(d.snapshot.value).toBe('new');
  });

  it('accepts a self-referral to a substance misuse service, recording source, referrer and receiving service', () => {
    const d = drive();
    d.ok(body.referral(agencies.sms, { source: 'self', referrer: { name: 'Alex', qualification: 'other' } }), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.awaitingAcceptance']);
    expect(d.snapshot.context.referral).toMatchObject({ source: 'self', referrer: { name: 'Alex' }, to: agencies.sms, status: 'awaiting' });
  });
});

describe(rule('R-REF-TRIAGE'), () => {
  it('sends a GP referral to the CMHT through triage', () => {
    const d = drive();
    d.ok(body.referral(agencies.cmht), gp);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.triage']);
    expect(d.snapshot.context.referral).toMatchObject({ route: 'triage', status: 'awaiting' });
  });

  it.each(['consultantPsychiatrist', 'qualifiedMentalHealthPractitioner', 'coOccurringMdt'] as const)(
    'sends a referral from a %s straight to assessment',
    (qualification) => {
      const d = drive();
      d.ok(body.referral(agencies.cmht, { source: 'MDT', referrer: { name: 'Dr Mensah', qualification } }), gp);
      expect(statePaths(d.snapshot.value)).toEqual(['active.assessment']);
      expect(d.snapshot.context.referral).toMatchObject({ route: 'direct', status: 'accepted' });
    },
  );

  it('refuses to assess a GP referral still in triage, before the CMHT accepts it', () => {
    const d = drive();
    d.ok(body.referral(agencies.cmht), gp);
    const blockers = d.send(body.assessment('severe', true), cmht);
    // Pathway version 2: the triage state answers with its own guard, not the event catalog's assessment rule.
    expect(refusedBy(blockers)).toEqual(['triageDecidedFirst (R-REF-TRIAGE)']);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.triage']);
    expect(d.snapshot.context.assessment).toBeNull();
  });

  it('moves a triaged referral to assessment once the CMHT accepts it', () => {
    const d = drive();
    d.ok(body.referral(agencies.cmht), gp);
    d.ok(bodies.acceptReferral(), cmht);
    expect(statePaths(d.snapshot.value)).toEqual(['active.assessment']);
    expect(d.snapshot.context.referral?.status).toBe('accepted');
  });
});

describe(rule('R-REF-CONTENT'), () => {
  it('refuses an SMS referral to the CMHT that does not state the obstruction and hopes, naming each missing item', () => {
    const d = drive();
    const blockers = d.send(
      body.referral(agencies.cmht, { source: 'SMS', referrer: smsReferrer, content: { suspectedDisorder: 'Depression' } }),
      sms,
    );
    expect(rulesOf(blockers)).toEqual(['R-REF-CONTENT']);
    expect(blockers[0]?.message).toContain('how substance use would obstruct treatment');
    expect(blockers[0]?.message).toContain('what the person hopes to gain');
    expect(blockers[0]?.message).not.toContain('the suspected mental disorder');
    expect(d.snapshot.value).toBe('new');
  });

  it('sends an SMS referral to the CMHT that states all three items', () => {
    const d = drive();
    d.ok(body.referral(agencies.cmht, { source: 'SMS', referrer: smsReferrer, content: smsContent }), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.triage']);
    expect(d.snapshot.context.referral).toMatchObject({ source: 'SMS', to: agencies.cmht });
  });

  it('refuses an SMS request for IAPT involvement without the three items, and allows it with them', () => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(rulesOf(d.send(bodies.involve(agencies.iapt), sms))).toEqual(['R-REF-CONTENT']);
    d.ok(bodies.involve(agencies.iapt, { content: smsContent }), sms);
    expect(d.snapshot.context.involvements).toMatchObject([{ agency: agencies.iapt, status: 'requested' }]);
  });
});

describe(rule('R-REF-WRAPAROUND'), () => {
  it('refuses a referral to Live Well without a key worker and a recovery plan', () => {
    const d = drive();
    const blockers = d.send(body.referral(agencies.liveWell, { keyWorkerNamed: true }), gp);
    expect(rulesOf(blockers)).toEqual(['R-REF-WRAPAROUND']);
    expect(d.snapshot.value).toBe('new');
  });

  it('accepts a referral to Live Well with a named key worker and a recovery plan', () => {
    const d = drive();
    d.ok(body.referral(agencies.liveWell, { keyWorkerNamed: true, recoveryPlanInPlace: true }), gp);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.awaitingAcceptance']);
    expect(d.snapshot.context.referral?.to).toEqual(agencies.liveWell);
  });

  it('applies the same prerequisites to a request for wraparound involvement', () => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(rulesOf(d.send(bodies.involve(agencies.liveWell), sms))).toEqual(['R-REF-WRAPAROUND']);
    d.ok(bodies.involve(agencies.liveWell, { keyWorkerNamed: true, recoveryPlanInPlace: true }), sms);
    expect(d.snapshot.context.involvements).toMatchObject([{ agency: agencies.liveWell, status: 'requested' }]);
  });
});

describe(rule('R-REF-EIP'), () => {
  const eip = (ageYears: number, suspectedFirstEpisodePsychosis: boolean) =>
    body.referral(agencies.eip, { person: { ageYears, residency: 'permanent', area: 'WEST_KENT' }, suspectedFirstEpisodePsychosis });

  it.each([
    ['a 70-year-old', 70, true],
    ['a person with no suspected first episode of psychosis', 30, false],
  ] as const)('refuses a direct EIP referral for %s', (_who, age, fep) => {
    const d = drive();
    expect(rulesOf(d.send(eip(age, fep), gp))).toEqual(['R-REF-EIP']);
    expect(d.snapshot.value).toBe('new');
  });

  it.each([14, 16, 65])('accepts a direct GP referral to EIP for a suspected first episode of psychosis at %i, without triage', (age) => {
    const d = drive();
    d.ok(eip(age, true), gp);
    expect(statePaths(d.snapshot.value)).toEqual(['active.assessment']);
    expect(d.snapshot.context.referral).toMatchObject({ route: 'direct', suspectedFirstEpisodePsychosis: true, to: agencies.eip });
    expect(d.snapshot.context.person?.ageYears).toBe(age);
  });
});

describe(rule('R-ELIG-AGE'), () => {
  const aged = (ageYears: number, over: Parameters<typeof body.referral>[1] = {}) =>
    body.referral(agencies.sms, { person: { ageYears, residency: 'permanent', area: 'MEDWAY' }, ...over });

  it('redirects a 17-year-old to CAMHS and closes the adult case; the adult service cannot then accept it', () => {
    const d = drive();
    d.ok(aged(17), gp);
    expect(d.snapshot.status).toBe('done');
    expect(d.snapshot.value).toBe('closed');
    expect(d.snapshot.context.closure).toMatchObject({ reason: 'redirectedUnder18', to: { kind: 'CAMHS' } });
    expect(d.snapshot.context.referral?.status).toBe('redirected');
    expect(notNowRulesOf(d.send(bodies.acceptReferral(), sms))).toEqual(['R-CLOSE-FINAL']);
  });

  it('redirects a 13-year-old with suspected psychosis to CAMHS rather than EIP', () => {
    const d = drive();
    d.ok(
      body.referral(agencies.eip, {
        person: { ageYears: 13, residency: 'permanent', area: 'MEDWAY' },
        suspectedFirstEpisodePsychosis: true,
      }),
      gp,
    );
    expect(d.snapshot.context.closure?.reason).toBe('redirectedUnder18');
  });

  it('accepts an 18-year-old into the adult pathway', () => {
    const d = drive();
    d.ok(aged(18), gp);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.awaitingAcceptance']);
    expect(d.snapshot.context.closure).toBeNull();
  });

  it('accepts a 17-year-old referred by CAMHS for the transition to adult services', () => {
    const d = drive();
    d.ok(aged(17, { source: 'CAMHS', referrer: { name: 'CAMHS transition worker', qualification: 'other' } }), gp);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.awaitingAcceptance']);
    expect(d.snapshot.context.referral).toMatchObject({ source: 'CAMHS', status: 'awaiting' });
  });
});

describe(rule('R-ELIG-AREA'), () => {
  it.each([
    ['not resident in Kent or Medway', { ageYears: 40, residency: 'notResident', area: null }],
    ['with no Kent or Medway area', { ageYears: 40, residency: 'permanent', area: null }],
  ] as const)('refuses a referral for a person %s', (_why, person) => {
    const d = drive();
    expect(rulesOf(d.send(body.referral(agencies.sms, { person }), gp))).toEqual(['R-ELIG-AREA']);
    expect(d.snapshot.value).toBe('new');
  });

  it('accepts a person temporarily resident in East Kent', () => {
    const d = drive();
    d.ok(body.referral(agencies.sms2, { person: { ageYears: 40, residency: 'temporary', area: 'EAST_KENT' } }), gp);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.awaitingAcceptance']);
    expect(d.snapshot.context.person).toEqual({ ageYears: 40, area: 'EAST_KENT' });
  });
});

describe(rule('R-REF-NOINTOX'), () => {
  it.each(['intoxication', 'substanceUse'] as const)('refuses to decline a referral because of %s', (reason) => {
    const d = play(drive(), journeys.referredToSms());
    expect(rulesOf(d.send(bodies.declineReferral({ reason }), sms))).toEqual(['R-REF-NOINTOX']);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.awaitingAcceptance']);
  });

  it('allows a written decline for another reason', () => {
    const d = play(drive(), journeys.referredToSms());
    d.ok(bodies.declineReferral({ reason: 'needsBetterMetElsewhere' }), sms);
    expect(d.snapshot.value).toBe('closed');
    expect(d.snapshot.context.closure?.reason).toBe('referralDeclined');
  });
});

describe(rule('R-REF-DECLINE'), () => {
  it.each([
    ['without writing to the person', { writtenToPerson: false }],
    ['without a recommendation to the referrer', { recommendationToReferrer: undefined }],
    ['without an explanation', { explanation: undefined }],
  ] as const)('refuses a decline %s', (_why, over) => {
    const d = play(drive(), journeys.referredToSms());
    expect(rulesOf(d.send(bodies.declineReferral(over), sms))).toEqual(['R-REF-DECLINE']);
    expect(d.snapshot.context.referral?.status).toBe('awaiting');
  });

  it('closes the case on a decline written to the person with a recommendation to the referrer', () => {
    const d = play(drive(), journeys.referredToSms());
    d.ok(bodies.declineReferral(), sms);
    expect(d.snapshot.value).toBe('closed');
    expect(d.snapshot.context.referral?.status).toBe('declined');
    expect(responsibility(d.snapshot).statement).toContain('has written to you with the reasons');
  });
});

describe(rule('R-REF-ONWARD'), () => {
  it('refuses to pass a referral on to the same service', () => {
    const d = drive();
    d.ok(body.referral(agencies.cmht), gp);
    expect(rulesOf(d.send(bodies.redirect(agencies.cmht), cmht))).toEqual(['R-REF-ONWARD']);
  });

  it('refuses an onward involvement request before the referral is accepted', () => {
    const d = drive();
    d.ok(body.referral(agencies.cmht), gp);
    expect(rulesOf(d.send(bodies.involve(agencies.sms), cmht))).toEqual(['R-REF-ONWARD']);
    expect(d.snapshot.context.involvements).toEqual([]);
  });

  it('lets the receiving service pass the referral on itself, without returning it to the GP', () => {
    const d = drive();
    d.ok(body.referral(agencies.cmht), gp);
    d.time.advanceDays(3);
    d.ok(bodies.redirect(agencies.sms), cmht);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.awaitingAcceptance']);
    expect(d.snapshot.context.referral).toMatchObject({
      to: agencies.sms,
      redirects: 1,
      status: 'awaiting',
      followUpDue: plusDays(d.time.now(), deadlineDays.referralFollowUp),
    });
  });
});

describe(rule('R-REF-FOLLOWUP'), () => {
  it('records a follow-up date on every referral, handover and involvement request', () => {
    const d = play(drive(), journeys.referredToSms());
    const made = d.time.now();
    expect(d.snapshot.context.referral?.followUpDue).toBe(plusDays(made, 14));
    play(d, [
      [bodies.acceptReferral(), sms],
      [body.assessment('moderate', true), sms],
      [bodies.assignLead(), sms],
    ]);
    d.ok(bodies.involve(agencies.asc), sms);
    expect(d.snapshot.context.involvements[0]?.followUpDue).toBe(plusDays(made, deadlineDays.involvementFollowUp));
    d.ok(body.reassessment('severe', true), sms);
    d.ok(body.handover(agencies.cmht), sms);
    expect(d.snapshot.context.handover?.followUpDue).toBe(plusDays(made, deadlineDays.handoverFollowUp));
  });

  it('refuses a deadline before it is due', () => {
    const d = play(drive(), journeys.referredToSms());
    d.time.advanceDays(13);
    expect(rulesOf(d.send(bodies.deadline('referralFollowUp'), systemActor))).toEqual(['R-REF-FOLLOWUP']);
    expect(d.snapshot.context.deadlinesReached).toEqual([]);
  });

  it('refuses a deadline fired by a practitioner rather than the engine', () => {
    const d = play(drive(), journeys.referredToSms());
    d.time.advanceDays(15);
    expect(rulesOf(d.send(bodies.deadline('referralFollowUp'), gp))).toEqual(['R-REF-FOLLOWUP']);
  });

  it('refuses a deadline for a request that is no longer pending', () => {
    const d = play(drive(), journeys.smsAssessing());
    d.time.advanceDays(15);
    expect(rulesOf(d.send(bodies.deadline('referralFollowUp'), systemActor))).toEqual(['R-REF-FOLLOWUP']);
  });

  it('records an unanswered referral as overdue once the engine fires its deadline; the case stays where it was', () => {
    const d = play(drive(), journeys.referredToSms());
    d.time.advanceDays(14);
    d.ok(bodies.deadline('referralFollowUp'), systemActor);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.awaitingAcceptance']);
    expect(d.snapshot.context.deadlinesReached).toEqual([{ deadline: 'referralFollowUp', ref: undefined, at: d.time.now() }]);
  });

  it('records an unanswered involvement request by its id', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(bodies.involve(agencies.asc), sms);
    d.time.advanceDays(14);
    expect(rulesOf(d.send(bodies.deadline('involvementFollowUp', 'inv-404'), systemActor))).toEqual(['R-REF-FOLLOWUP']);
    d.ok(bodies.deadline('involvementFollowUp', 'inv-1'), systemActor);
    expect(d.snapshot.context.deadlinesReached).toMatchObject([{ deadline: 'involvementFollowUp', ref: 'inv-1' }]);
  });
});

describe(rule('R-ASSESS-FACTORS'), () => {
  it.each([
    ['PHQ-9 above 27', { phq9: 28 }],
    ['GAD-7 above 21', { gad7: 22 }],
    ['AUDIT above 40', { audit: 41 }],
    ['DAST-10 above 10', { dast10: 11 }],
    ['a negative PHQ-9', { phq9: -1 }],
  ])('refuses an assessment with %s', (_why, scores) => {
    const d = play(drive(), journeys.smsAssessing());
    expect(rulesOf(d.send(body.assessment('moderate', true, { scores }), sms))).toEqual(['R-ASSESS-FACTORS']);
    expect(statePaths(d.snapshot.value)).toEqual(['active.assessment']);
  });

  it('refuses an assessment body without housing and support network (schema)', () => {
    const { housing: _h, supportNetwork: _s, ...rest } = body.assessment('moderate', true) as Record<string, unknown>;
    const parsed = parseEventBody(rest);
    expect(parsed.success).toBe(false);
    expect(parsed.success ? [] : parsed.issues?.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['housing', 'supportNetwork']),
    );
  });

  it('records severity, substance use, risks and the quadrant, with scores at the top of their ranges', () => {
    const d = play(drive(), journeys.smsAssessing());
    d.ok(body.assessment('moderate', true, { scores: { phq9: 27, gad7: 21, audit: 40, dast10: 10 } }), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.leadAssignment.deciding']);
    expect(d.snapshot.context.assessment).toMatchObject({
      by: agencies.sms,
      mentalHealth: 'moderate',
      dependent: true,
      risks: { toSelf: 'moderate', toOthers: 'low', selfNeglect: false, safeguarding: false },
    });
    expect(d.snapshot.context.quadrant).toBe('Q3');
  });
});

describe(rule('R-ASSESS-ALONE'), () => {
  it('refuses an assessment that says the service cannot manage alone without saying what follows', () => {
    const d = play(drive(), journeys.smsAssessing());
    expect(rulesOf(d.send(body.assessment('severe', true, { canServiceAloneSupport: false }), sms))).toEqual(['R-ASSESS-ALONE']);
  });

  it('refuses an assessment recorded by a service that is not assessing', () => {
    const d = play(drive(), journeys.smsAssessing());
    expect(rulesOf(d.send(body.assessment('moderate', true), gp))).toEqual(['R-ASSESS-ALONE']);
  });

  it('records an assessment that names an MDT consultation as the next step', () => {
    const d = play(drive(), journeys.smsAssessing());
    d.ok(body.assessment('severe', true, { canServiceAloneSupport: false, nextStep: 'mdtConsultation' }), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.leadAssignment.deciding']);
    expect(d.snapshot.context.assessment?.canServiceAloneSupport).toBe(false);
    d.ok({ type: 'mdt.consult', agencies: [agencies.sms.id, agencies.cmht.id], outcome: 'CMHT to lead' }, sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.leadAssignment.deciding']);
    expect(d.snapshot.context.mdtConsultations).toEqual([
      { agencies: [agencies.sms.id, agencies.cmht.id], outcome: 'CMHT to lead', at: d.time.now() },
    ]);
  });

  it('refuses an MDT consultation recorded by a service not responsible for the case', () => {
    const d = play(drive(), journeys.smsAssessing());
    expect(rulesOf(d.send({ type: 'mdt.consult', agencies: [agencies.sms.id], outcome: 'x' }, gp))).toEqual(['R-LEAD-ONE']);
    expect(d.snapshot.context.mdtConsultations).toEqual([]);
  });
});

describe(rule('R-CONSENT'), () => {
  it('refuses a referral without consent or a need-to-know ground', () => {
    const d = drive();
    expect(rulesOf(d.send(body.referral(agencies.sms, { consent: { sharing: 'refused' } }), gp))).toEqual(['R-CONSENT']);
  });

  it('accepts a referral without consent on a recorded need-to-know ground', () => {
    const d = drive();
    d.ok(body.referral(agencies.sms, { consent: { sharing: 'refused', needToKnow: 'highRisk' } }), gp);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.awaitingAcceptance']);
    expect(d.snapshot.context.consent).toEqual({ sharing: 'refused', recordedAt: d.time.now() });
  });

  it('refuses to share with a new service after consent is withdrawn, unless a need-to-know ground is recorded', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(bodies.consent('refused'), sms);
    expect(rulesOf(d.send(bodies.involve(agencies.asc), sms))).toEqual(['R-CONSENT']);
    d.ok(bodies.involve(agencies.asc, { needToKnow: 'safeguarding' }), sms);
    expect(d.snapshot.context.involvements).toMatchObject([{ agency: agencies.asc, status: 'requested' }]);
  });
});

describe(rule('R-SAFEGUARDING'), () => {
  it('refuses a safeguarding concern before any case exists', () => {
    const d = drive();
    expect(notNowRulesOf(d.send(bodies.safeguarding(), gp))).toEqual(['R-SAFEGUARDING']);
  });

  it.each([
    ['referral', journeys.referredToSms],
    ['assessment', journeys.smsAssessing],
    ['joint care', journeys.smsLedQ3],
    ['step change', journeys.stepUpRequired],
    ['handover', journeys.handoverPending],
  ])('records a concern raised during %s, without moving the case', (_state, journey) => {
    const d = play(drive(), journey());
    const before = statePaths(d.snapshot.value);
    d.ok(bodies.safeguarding('child'), sms);
    expect(statePaths(d.snapshot.value)).toEqual(before);
    expect(d.snapshot.context.safeguarding).toEqual([{ concern: 'child', referredTo: 'KCC Adult Safeguarding', at: d.time.now() }]);
  });

  it('records a concern raised during a dispute', () => {
    const d = play(drive(), journeys.stepUpRequired());
    d.ok(bodies.raiseDispute(undefined, agencies.cmht), sms);
    d.ok(bodies.safeguarding(), gp);
    expect(statePaths(d.snapshot.value)).toEqual(['active.dispute.serviceManagers']);
    expect(d.snapshot.context.safeguarding).toHaveLength(1);
  });
});

describe(rule('R-CARER'), () => {
  // Pathway version 1 refused the offer without the person's consent; the Care Act duty is the carer's own (second reading).
  it('offers the carer’s own assessment when the person refused consent to share, and records a decline', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(bodies.consent('refused'), sms);
    d.ok({ type: 'carer.offerAssessment', carerName: 'Pat', accepted: false }, sms);
    expect(d.snapshot.context.carerAssessment).toEqual({ offeredAt: d.time.now(), accepted: false });
  });

  it('refuses the offer from a service not involved in the case', () => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(refusedBy(d.send({ type: 'carer.offerAssessment', carerName: 'Pat', accepted: true }, cmht))).toEqual([
      'isInvolvedAgency (R-DISPUTE)',
    ]);
  });

  it('records the offer with the person’s consent', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok({ type: 'carer.offerAssessment', carerName: 'Pat', accepted: true }, sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.unplanned', 'active.jointCare.detox.none']);
    expect(d.snapshot.context.carerAssessmentOfferedAt).toBe(d.time.now());
  });
});

describe(rule('R-LEAD-QUADRANT'), () => {
  const q2AtSms = () => play(drive(), [...journeys.smsAssessing(), [body.assessment('severe', false), sms]]);

  it('refuses SMS taking the lead of a Q2 case without a written rationale', () => {
    const d = q2AtSms();
    const blockers = d.send(bodies.assignLead(), sms);
    expect(rulesOf(blockers)).toEqual(['R-LEAD-QUADRANT']);
    expect(blockers[0]?.message).toBe('In Q2 the lead is MHS; another lead needs a written rationale');
    expect(d.snapshot.context.lead).toBeNull();
  });

  it('allows SMS to lead a Q2 case with a written rationale, and records it', () => {
    const d = q2AtSms();
    d.ok(bodies.assignLead({ rationale: 'Long-standing key worker relationship; CMHT agrees' }), sms);
    expect(statePaths(d.snapshot.value)).toContain('active.jointCare.carePlan.unplanned');
    expect(d.snapshot.context.lead).toMatchObject({
      agency: agencies.sms,
      rationale: 'Long-standing key worker relationship; CMHT agrees',
    });
  });

  it('asks the CMHT to lead a Q2 case without a rationale, as the quadrant says', () => {
    const d = q2AtSms();
    d.ok(bodies.proposeLead(agencies.cmht), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.leadAssignment.awaitingAcceptance']);
    expect(d.snapshot.context.leadProposal?.to).toEqual(agencies.cmht);
    d.ok(bodies.acceptLead('Jo Reed'), cmht);
    expect(d.snapshot.context.lead).toMatchObject({ agency: agencies.cmht, coordinator: coordinator('Jo Reed') });
  });

  it('refuses to keep a lead the new quadrant does not name without a rationale', () => {
    const d = play(drive(), journeys.stepUpRequired());
    expect(rulesOf(d.send(bodies.retainLead(), sms))).toEqual(['R-LEAD-QUADRANT']);
    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.required']);
  });
});

describe(rule('R-LEAD-ONE'), () => {
  it('refuses a lead assignment by a service not responsible for the case', () => {
    const d = play(drive(), [...journeys.smsAssessing(), [body.assessment('moderate', true), sms]]);
    expect(rulesOf(d.send(bodies.assignLead(), actorOf('sms2')))).toEqual(['R-LEAD-ONE']);
  });

  it('refuses a second lead once one is assigned', () => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(notNowRulesOf(d.send(bodies.assignLead({ coordinator: coordinator('Someone Else') }), sms))).toEqual(['R-LEAD-ONE']);
    expect(d.snapshot.context.lead?.coordinator).toEqual(coordinator());
  });

  it('refuses a care plan agreed by a service that is not the lead', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(bodies.involve(agencies.asc), sms);
    d.ok(bodies.acceptInvolvement('inv-1'), actorOf('asc'));
    expect(rulesOf(d.send(body.carePlan(), actorOf('asc')))).toEqual(['R-LEAD-ONE']);
  });

  it('assigns exactly one lead agency with a named care coordinator', () => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.unplanned', 'active.jointCare.detox.none']);
    expect(d.snapshot.context.lead).toEqual({
      agency: agencies.sms,
      coordinator: coordinator(),
      since: d.time.now(),
      rationale: undefined,
    });
    expect(responsibility(d.snapshot).lead?.agency).toEqual(agencies.sms);
  });
});

describe(rule('R-CLARITY'), () => {
  // Pathway version 1 named the receiving service responsible while its statement said the referrer was (issue 13).
  it('names the referrer responsible while the referral awaits acceptance, as the statement says', () => {
    const d = play(drive(), journeys.referredToSms());
    const r = responsibility(d.snapshot);
    expect(r.responsible).toEqual({ id: agencies.gp.id, kind: 'PRIMARY' });
    expect(r.referrer).toEqual({ name: 'Dr Patel', agency: { id: agencies.gp.id, kind: 'PRIMARY' } });
    expect(r.statement).toContain('You have been referred to CGL West Kent');
    expect(r.statement).toContain('until they accept, your GP practice, who referred you, stays responsible');
    d.ok(bodies.acceptReferral(), sms);
    expect(responsibility(d.snapshot).responsible).toEqual(agencies.sms);
  });

  it('names no service responsible for a self-referral before acceptance, and says so', () => {
    const d = drive();
    d.ok(body.referral(agencies.sms, { source: 'self', referrer: { name: 'Alex', qualification: 'other' } }), sms);
    const r = responsibility(d.snapshot);
    expect(r.responsible).toBeNull();
    expect(r.referrer).toEqual({ name: 'Alex', agency: null });
    expect(r.statement).toContain('You referred yourself to CGL West Kent');
  });

  it('names the lead, the coordinator and the supporting services in plain language', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(bodies.involve(agencies.asc), sms);
    d.ok(bodies.acceptInvolvement('inv-1'), actorOf('asc'));
    const r = responsibility(d.snapshot);
    expect(r.statement).toBe('CGL West Kent leads your care. Your care coordinator is Sam Okafor. KCC Adult Social Care also support you.');
    expect(r.supporting).toEqual([{ agency: agencies.asc, status: 'accepted' }]);
  });

  it('says the sender stays responsible while a handover awaits acceptance', () => {
    const d = play(drive(), journeys.handoverPending());
    expect(responsibility(d.snapshot).statement).toContain(
      'We have asked Maidstone CMHT to take over your care. Until they accept, CGL West Kent remains responsible.',
    );
  });
});

describe(rule('R-PARALLEL'), () => {
  it('refuses to ask a service that is already involved', () => {
    const d = play(drive(), journeys.cmhtLedQ1());
    d.ok(bodies.involve(agencies.sms), cmht);
    expect(rulesOf(d.send(bodies.involve(agencies.sms), cmht))).toEqual(['R-PARALLEL']);
    expect(d.snapshot.context.involvements).toHaveLength(1);
  });

  it('refuses to start an involvement that has not been accepted', () => {
    const d = play(drive(), journeys.cmhtLedQ1());
    d.ok(bodies.involve(agencies.sms), cmht);
    expect(rulesOf(d.send(bodies.startInvolvement('inv-1'), sms))).toEqual(['R-PARALLEL']);
  });

  it('keeps several involvements at once, each with its own status', () => {
    const d = play(drive(), journeys.cmhtLedQ1());
    d.ok(bodies.involve(agencies.sms), cmht);
    d.ok(bodies.involve(agencies.asc), cmht);
    d.ok(bodies.involve(agencies.iapt), cmht);
    d.ok(bodies.acceptInvolvement('inv-1'), sms);
    d.ok(bodies.startInvolvement('inv-1'), sms);
    d.ok(bodies.declineInvolvement('inv-2'), actorOf('asc'));
    expect(d.snapshot.context.involvements.map((i) => [i.id, i.agency.id, i.status])).toEqual([
      ['inv-1', agencies.sms.id, 'active'],
      ['inv-2', agencies.asc.id, 'declined'],
      ['inv-3', agencies.iapt.id, 'requested'],
    ]);
    d.ok(bodies.endInvolvement('inv-1'), cmht);
    expect(d.snapshot.context.involvements[0]?.status).toBe('ended');
    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.unplanned', 'active.jointCare.detox.none']);
  });

  it('keeps a declined involvement declined when that service later takes the lead by handover', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(bodies.involve(agencies.cmht, { content: smsContent }), sms);
    d.ok(bodies.declineInvolvement('inv-1'), cmht);
    play(d, [
      [body.reassessment('severe', true), sms],
      [body.handover(agencies.cmht, { senderContinuesAsSupport: false }), sms],
      [bodies.acceptHandover(), cmht],
    ]);
    expect(d.snapshot.context.lead?.agency).toEqual(agencies.cmht);
    expect(d.snapshot.context.involvements.map((i) => [i.id, i.agency.id, i.status])).toEqual([['inv-1', agencies.cmht.id, 'declined']]);
  });
});

describe(rule('R-CAREPLAN'), () => {
  it.each([
    ['without a safety plan', { safetyPlan: undefined }],
    ['not agreed with the person', { agreedWithPerson: false }],
    ['without relapse indicators', { relapseIndicators: [] }],
  ])('refuses a joint care plan %s', (_why, over) => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(rulesOf(d.send(body.carePlan(over), sms))).toEqual(['R-CAREPLAN']);
    expect(statePaths(d.snapshot.value)).toContain('active.jointCare.carePlan.unplanned');
  });

  it('agrees a complete plan and sets its first review date', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(body.carePlan(), sms);
    expect(statePaths(d.snapshot.value)).toContain('active.jointCare.carePlan.agreed');
    expect(d.snapshot.context.carePlan).toMatchObject({
      agreedAt: d.time.now(),
      reviewDue: plusDays(d.time.now(), 90).slice(0, 10),
      reviews: 0,
    });
  });

  it('refuses a CPA review of an MHS-led case that does not invite the involved SMS; allows it once invited', () => {
    const d = play(drive(), journeys.cmhtLedQ1());
    d.ok(bodies.involve(agencies.sms), cmht);
    d.ok(bodies.acceptInvolvement('inv-1'), sms);
    d.ok(body.carePlan({ cpa: true }), cmht);
    const attendees = [{ name: 'Jo Reed', agencyId: agencies.cmht.id }];
    expect(rulesOf(d.send(bodies.review({ attendees }), cmht))).toEqual(['R-CAREPLAN']);
    d.ok(bodies.review({ attendees, invitedAgencies: [agencies.sms.id] }), cmht);
    expect(d.snapshot.context.carePlan?.reviews).toBe(1);
  });
});

describe(rule('R-REVIEW'), () => {
  it('refuses a review before any plan is agreed', () => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(rulesOf(d.send(bodies.review(), sms))).toEqual(['R-REVIEW']);
  });

  it('refuses a review that records no attendees', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [body.carePlan(), sms]]);
    expect(rulesOf(d.send(bodies.review({ attendees: [] }), sms))).toEqual(['R-REVIEW']);
    expect(d.snapshot.context.carePlan?.reviews).toBe(0);
  });

  it('records the review, renews consent and sets the next review date', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [body.carePlan(), sms]]);
    d.time.advanceDays(60);
    d.ok(bodies.review({ consent: { sharing: 'refused' } }), sms);
    expect(statePaths(d.snapshot.value)).toContain('active.jointCare.carePlan.agreed');
    expect(d.snapshot.context.carePlan).toMatchObject({ reviews: 1, reviewDue: plusDays(d.time.now(), 90).slice(0, 10) });
    expect(d.snapshot.context.consent).toEqual({ sharing: 'refused', recordedAt: d.time.now() });
  });

  it('makes a review overdue only once its due date has passed', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [body.carePlan(), sms]]);
    d.time.advanceDays(89);
    expect(rulesOf(d.send(bodies.deadline('carePlanReview'), systemActor))).toEqual(['R-REF-FOLLOWUP']);
    d.time.advanceDays(1);
    d.ok(bodies.deadline('carePlanReview'), systemActor);
    expect(d.snapshot.context.deadlinesReached.map((x) => x.deadline)).toEqual(['carePlanReview']);
  });
});

describe(rule('R-DETOX'), () => {
  it('refuses to start an alcohol detox without a post-detox plan', () => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(rulesOf(d.send({ type: 'detox.start', substance: 'alcohol' }, sms))).toEqual(['R-DETOX']);
    expect(statePaths(d.snapshot.value)).toContain('active.jointCare.detox.none');
  });

  it('refuses a post-detox plan the multi-agency team has not agreed', () => {
    const d = play(drive(), journeys.smsLedQ3());
    const blockers = d.send(
      { type: 'detox.plan', substance: 'alcohol', postDetoxPlan: 'Daily contact for 2 weeks', mdtAgreed: false },
      sms,
    );
    expect(rulesOf(blockers)).toEqual(['R-DETOX']);
  });

  it('starts an alcohol detox once the MDT has agreed the post-detox plan', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok({ type: 'detox.plan', substance: 'alcohol', postDetoxPlan: 'Daily contact for 2 weeks', mdtAgreed: true }, sms);
    expect(statePaths(d.snapshot.value)).toContain('active.jointCare.detox.planned');
    d.ok({ type: 'detox.start', substance: 'alcohol' }, sms);
    expect(statePaths(d.snapshot.value)).toContain('active.jointCare.detox.underway');
    expect(d.snapshot.context.detox).toEqual({ substance: 'alcohol', planAgreedAt: d.time.now() });
  });
});

describe(rule('R-INPATIENT'), () => {
  const inpatientLed = () =>
    play(drive(), [
      [
        body.referral(agencies.inpatient, { source: 'MHS', referrer: { name: 'Dr Mensah', qualification: 'consultantPsychiatrist' } }),
        actorOf('inpatient'),
      ],
      [body.assessment('severe', true), actorOf('inpatient')],
      [bodies.assignLead({ coordinator: coordinator('Ward nurse Lee') }), actorOf('inpatient')],
    ]);
  const inpatient = {
    leadProfessional: 'Dr Mensah',
    smsRecoveryCoordinatorInvited: true,
    coversBothConditions: true,
    overdoseRiskDiscussed: true,
    detainedUnderSection3: false,
  };

  it.each([
    ['without a transfer plan', { ...inpatient, leadProfessional: undefined }],
    ['without the overdose-risk conversation', { ...inpatient, overdoseRiskDiscussed: false }],
    ['without inviting the SMS recovery coordinator', { ...inpatient, smsRecoveryCoordinatorInvited: false }],
  ])('refuses a discharge to the community %s', (_why, plan) => {
    const d = inpatientLed();
    const blockers = d.send(body.handover(agencies.cmht, { reason: 'inpatientDischarge', inpatient: plan }), actorOf('inpatient'));
    expect(rulesOf(blockers)).toEqual(['R-INPATIENT']);
    expect(d.snapshot.context.handover).toBeNull();
  });

  it('hands over to the CMHT once the transfer is planned with SMS and covers overdose risk', () => {
    const d = inpatientLed();
    d.ok(body.handover(agencies.cmht, { reason: 'inpatientDischarge', inpatient, senderContinuesAsSupport: false }), actorOf('inpatient'));
    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.awaitingAcceptance']);
    expect(d.snapshot.context.handover).toMatchObject({ from: agencies.inpatient, to: agencies.cmht, reason: 'inpatientDischarge' });
  });
});

describe(rule('R-DISENGAGE'), () => {
  const atRisk = () =>
    play(drive(), [
      ...journeys.smsAssessing(),
      [body.assessment('moderate', true, { risks: { toSelf: 'low', toOthers: 'low', selfNeglect: true, safeguarding: false } }), sms],
      [bodies.assignLead(), sms],
    ]);

  it('refuses to close as "declined with capacity" when the person at serious risk has had no assertive approach', () => {
    const d = atRisk();
    d.ok(bodies.declineServices(), sms);
    expect(rulesOf(d.send(body.close({ reason: 'declinedWithCapacity' }), sms))).toEqual(['R-DISENGAGE']);
    expect(d.snapshot.status).toBe('active');
  });

  it('refuses to close as "declined with capacity" when the person has not declined', () => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(rulesOf(d.send(body.close({ reason: 'declinedWithCapacity' }), sms))).toEqual(['R-DISENGAGE']);
  });

  it('refuses to close a declining person at serious risk under another reason either', () => {
    const d = atRisk();
    d.ok(bodies.declineServices(), sms);
    expect(rulesOf(d.send(body.close({ reason: 'dischargedToGp' }), sms))).toEqual(['R-DISENGAGE']);
  });

  it('closes once an assertive approach is recorded', () => {
    const d = atRisk();
    d.ok(bodies.declineServices(), sms);
    d.time.advanceDays(2);
    d.ok(bodies.assertiveOutreach(), sms);
    d.ok(body.close({ reason: 'declinedWithCapacity' }), sms);
    expect(d.snapshot.value).toBe('closed');
    expect(d.snapshot.context.closure?.reason).toBe('declinedWithCapacity');
  });

  it('closes a person who declines with capacity and no serious risk', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(bodies.declineServices(), sms);
    d.ok(body.close({ reason: 'declinedWithCapacity' }), sms);
    expect(d.snapshot.context.closure?.reason).toBe('declinedWithCapacity');
  });
});

describe(rule('R-STEP'), () => {
  // Pathway version 2 takes reassessments in every open state (R-REVIEW): before a lead, only the lead guard refuses.
  it('refuses a reassessment before any lead', () => {
    const d = play(drive(), journeys.smsAssessing());
    expect(refusedBy(d.send(body.reassessment('severe', true), sms))).toEqual(['isLeadAgency (R-LEAD-ONE)']);
  });

  it('requires a handover when the new quadrant names another lead, and refuses closure until it is settled', () => {
    const d = play(drive(), journeys.stepUpRequired());
    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.required']);
    expect(d.snapshot.context).toMatchObject({ quadrant: 'Q1', stepChange: { from: 'Q3', to: 'Q1' }, lead: { agency: agencies.sms } });
    expect(rulesOf(d.send(body.close(), sms))).toEqual(['R-STEP']);
  });

  it('adjusts the plan in place when the lead stays the same', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [body.carePlan(), sms]]);
    d.ok(body.reassessment('mild', true), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.agreed', 'active.jointCare.detox.none']);
    expect(d.snapshot.context).toMatchObject({ quadrant: 'Q3', stepChange: null, assessment: { mentalHealth: 'mild' } });
  });

  it('returns to joint care where it was when the lead is kept with a rationale', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [body.carePlan(), sms], [body.reassessment('severe', true), sms]]);
    d.ok(bodies.retainLead('Person refuses CMHT contact; CMHT consultant reviews monthly'), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.agreed', 'active.jointCare.detox.none']);
    expect(d.snapshot.context.stepChange).toBeNull();
    expect(d.snapshot.context.lead?.rationale).toBe('Person refuses CMHT contact; CMHT consultant reviews monthly');
  });
});

describe(rule('R-HANDOVER-ACCEPT'), () => {
  it('refuses to accept a handover when none is pending', () => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(notNowRulesOf(d.send(bodies.acceptHandover(), cmht))).toEqual(['R-HANDOVER-ACCEPT']);
    expect(notNowRulesOf(d.send(bodies.acceptLead(), cmht))).toEqual(['R-HANDOVER-ACCEPT']);
  });

  it('keeps the sender as lead while the handover waits, and moves the lead at the moment of acceptance', () => {
    const d = play(drive(), journeys.handoverPending());
    const leadBefore = d.snapshot.context.lead;
    d.time.advanceDays(5);
    expect(d.snapshot.context.lead).toEqual(leadBefore);
    expect(responsibility(d.snapshot).responsible).toEqual(agencies.sms);
    d.ok(bodies.acceptHandover('Jo Reed'), cmht);
    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.agreed', 'active.jointCare.detox.none']);
    expect(d.snapshot.context).toMatchObject({
      lead: { agency: agencies.cmht, coordinator: coordinator('Jo Reed'), since: d.time.now() },
      handover: null,
      stepChange: null,
    });
  });
});

describe(rule('R-HANDOVER-CONTENT'), () => {
  it.each([
    ['the safety plan', { carePlan: { ...bodies.carePlanInput(), safetyPlan: undefined } }],
    ['the risk summary', { riskSummary: undefined }],
    ['confirmation that the person has been told', { personInformed: false }],
    ['the adjusted care plan (roles and relapse indicators)', { carePlan: { ...bodies.carePlanInput(), roles: [] } }],
  ])('refuses a handover without %s, naming it', (missing, over) => {
    const d = play(drive(), journeys.stepUpRequired());
    const blockers = d.send(body.handover(agencies.cmht, over), sms);
    expect(rulesOf(blockers)).toEqual(['R-HANDOVER-CONTENT']);
    expect(blockers[0]?.message).toBe(`A handover must carry ${missing}`);
    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.required']);
  });

  it('sends a complete handover and keeps its plan for the receiver', () => {
    const d = play(drive(), journeys.stepUpRequired());
    d.ok(body.handover(agencies.cmht), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.awaitingAcceptance']);
    expect(d.snapshot.context.handover).toMatchObject({ from: agencies.sms, to: agencies.cmht, trigger: 'stepChange' });
    expect(d.snapshot.context.handover?.carePlan.safetyPlan).toBe(bodies.carePlanInput().safetyPlan);
  });
});

describe(rule('R-HANDOVER-DECLINE'), () => {
  it('refuses a decline that gives no reasons', () => {
    const d = play(drive(), journeys.handoverPending());
    expect(rulesOf(d.send(bodies.declineHandover({ explanation: undefined }), cmht))).toEqual(['R-HANDOVER-DECLINE']);
    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.awaitingAcceptance']);
  });

  it('leaves the case with the sender after a reasoned decline', () => {
    const d = play(drive(), journeys.handoverPending());
    d.ok(bodies.declineHandover(), cmht);
    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.required']);
    expect(d.snapshot.context).toMatchObject({ lead: { agency: agencies.sms }, handover: null });
  });

  it('returns a declined voluntary handover to joint care as it was', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [body.carePlan(), sms]]);
    d.ok(body.handover(agencies.sms2, { reason: 'transfer' }), sms);
    d.ok(bodies.declineHandover(), actorOf('sms2'));
    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.agreed', 'active.jointCare.detox.none']);
    expect(d.snapshot.context.lead?.agency).toEqual(agencies.sms);
  });
});

describe(rule('R-HANDOVER-ONLYRECEIVER'), () => {
  it.each([
    ['the GP', actorOf('gp')],
    ['the sending service', actorOf('sms')],
    ['another mental health team', actorOf('eip')],
  ])('refuses a handover accepted by %s', (_who, actor) => {
    const d = play(drive(), journeys.handoverPending());
    expect(rulesOf(d.send(bodies.acceptHandover(), actor))).toEqual(['R-HANDOVER-ONLYRECEIVER']);
    expect(rulesOf(d.send(bodies.declineHandover(), actor))).toEqual(['R-HANDOVER-ONLYRECEIVER']);
    expect(d.snapshot.context.lead?.agency).toEqual(agencies.sms);
  });

  it('refuses a referral accepted by another service, or an involvement accepted by another service', () => {
    const d = play(drive(), journeys.referredToSms());
    expect(rulesOf(d.send(bodies.acceptReferral(), actorOf('sms2')))).toEqual(['R-HANDOVER-ONLYRECEIVER']);
    const e = play(drive(), journeys.cmhtLedQ1());
    e.ok(bodies.involve(agencies.sms), cmht);
    expect(rulesOf(e.send(bodies.acceptInvolvement('inv-1'), actorOf('sms2')))).toEqual(['R-HANDOVER-ONLYRECEIVER']);
  });

  it('lets the receiving service accept', () => {
    const d = play(drive(), journeys.handoverPending());
    d.ok(bodies.acceptHandover(), cmht);
    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.agreed', 'active.jointCare.detox.none']);
    expect(d.snapshot.context.lead?.agency).toEqual(agencies.cmht);
  });
});

describe(rule('R-DISPUTE'), () => {
  const disputed = () => play(drive(), [...journeys.stepUpRequired(), [bodies.raiseDispute(undefined, agencies.cmht), sms]]);
  const smsManager = actorOf('sms', 'serviceManager');
  const cmhtManager = actorOf('cmht', 'serviceManager');

  it('refuses a dispute raised by a service not involved in the case', () => {
    const d = play(drive(), journeys.stepUpRequired());
    expect(refusedBy(d.send(bodies.raiseDispute(), cmht))).toEqual(['isDisputeParty (R-DISPUTE)']);
  });

  it('refuses a dispute with no second service to disagree with', () => {
    const d = play(drive(), journeys.stepUpRequired());
    expect(refusedBy(d.send(bodies.raiseDispute(), sms))).toEqual(['disputeBetweenTwoServices (R-DISPUTE)']);
    expect(refusedBy(d.send(bodies.raiseDispute(undefined, agencies.cmht), sms))).toEqual([]);
  });

  it.each([
    ['a referral in triage', () => play(drive(), [[body.referral(agencies.cmht), gp]]), 'cmht', 'sms'],
    ['a referral awaiting acceptance', () => play(drive(), journeys.referredToSms()), 'sms', 'cmht'],
    ['lead assignment', () => play(drive(), [...journeys.smsAssessing(), [body.assessment('moderate', true), sms]]), 'sms', 'cmht'],
  ] as const)('can be raised about %s, and returns there when no lead is named', (_where, journey, side, other) => {
    const d = journey();
    const before = statePaths(d.snapshot.value);
    d.ok(bodies.raiseDispute('Who should act on this referral', agencies[other]), actorOf(side));
    expect(statePaths(d.snapshot.value)).toEqual(['active.dispute.serviceManagers']);
    const proposer = actorOf(side, 'serviceManager');
    const confirmer = actorOf(other, 'serviceManager');
    d.ok(bodies.proposeResolution(undefined, { outcome: 'The receiving service keeps the referral and decides on it' }), proposer);
    expect(refusedBy(d.send(bodies.confirmResolution(), proposer))).toEqual(['confirmedByOtherSide (R-DISPUTE)']);
    d.ok(bodies.confirmResolution(), confirmer);
    expect(statePaths(d.snapshot.value)).toEqual(before);
    expect(d.snapshot.context.dispute).toBeNull();
  });

  it('refuses a proposal by a practitioner, and closure while the dispute is open', () => {
    const d = disputed();
    expect(refusedBy(d.send(bodies.proposeResolution(agencies.sms, { rationale: 'Keeps engagement' }), sms))).toEqual([
      'canResolveDispute (R-DISPUTE)',
    ]);
    expect(refusedBy(d.send(body.close(), sms))).toEqual(expect.arrayContaining(['noOpenDispute (R-DISPUTE)']));
  });

  it('refuses a service manager’s proposal once escalated to clinical directors', () => {
    const d = disputed();
    d.ok(bodies.escalateDispute(), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.dispute.clinicalDirectors']);
    expect(refusedBy(d.send(bodies.proposeResolution(agencies.sms, { rationale: 'x' }), smsManager))).toEqual([
      'canResolveDispute (R-DISPUTE)',
    ]);
  });

  it('records the commissioner’s input when it was sought', () => {
    const d = disputed();
    d.ok(bodies.escalateDispute(), sms);
    const director = actorOf('sms', 'clinicalDirector');
    expect(refusedBy(d.send(bodies.proposeResolution(agencies.cmht, { commissionerConsulted: true }), director))).toEqual([
      'commissionerInputRecorded (R-DISPUTE)',
    ]);
    d.ok(bodies.proposeResolution(agencies.cmht, { commissionerConsulted: true, commissionerInput: 'Q1: MHS leads' }), director);
    expect(d.snapshot.context.dispute?.proposal).toMatchObject({ commissionerInput: 'Q1: MHS leads', awaiting: [agencies.cmht] });
  });

  it('keeps the lead when both sides’ managers agree it stays, one proposing and the other confirming', () => {
    const d = disputed();
    d.ok(bodies.proposeResolution(agencies.sms, { rationale: 'Person engages only with CGL' }), smsManager);
    expect(d.snapshot.context.lead?.agency).toEqual(agencies.sms);
    expect(d.snapshot.context.dispute).not.toBeNull();
    d.ok(bodies.confirmResolution(), cmhtManager);
    expect(statePaths(d.snapshot.value)).toEqual(['active.jointCare.carePlan.unplanned', 'active.jointCare.detox.none']);
    expect(d.snapshot.context).toMatchObject({
      dispute: null,
      stepChange: null,
      lead: { agency: agencies.sms, coordinator: coordinator(), rationale: 'Person engages only with CGL' },
    });
  });
});

describe(rule('R-CLOSE-ACCEPTED'), () => {
  it('refuses closure while a handover awaits acceptance', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [body.handover(agencies.sms2, { reason: 'transfer' }), sms]]);
    const blockers = d.send(body.close(), sms);
    expect(rulesOf(blockers)).toEqual(['R-CLOSE-ACCEPTED']);
    expect(blockers[0]?.message).toContain('the handover to Forward Trust East Kent');
  });

  it('refuses closure while an involvement request awaits acceptance', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [bodies.involve(agencies.asc), sms]]);
    expect(rulesOf(d.send(body.close(), sms))).toEqual(['R-CLOSE-ACCEPTED']);
  });

  it('refuses closing "to" a service that has not accepted, then closes once it has', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [bodies.involve(agencies.outOfArea), sms]]);
    const close = body.close({ reason: 'movedOutOfArea', to: agencies.outOfArea });
    expect(rulesOf(d.send(close, sms))).toContain('R-CLOSE-ACCEPTED');
    d.ok(bodies.acceptInvolvement('inv-1'), actorOf('outOfArea'));
    d.ok(close, sms);
    expect(d.snapshot.value).toBe('closed');
    expect(d.snapshot.context.closure).toEqual({ reason: 'movedOutOfArea', at: d.time.now(), to: agencies.outOfArea });
  });
});

describe(rule('R-CLOSE-REASON'), () => {
  it.each([
    ['the GP was not informed', { gpInformed: false }],
    ['the person was not informed', { personInformed: false }],
  ])('refuses closure when %s', (_why, over) => {
    const d = play(drive(), journeys.smsLedQ3());
    expect(rulesOf(d.send(body.close(over), sms))).toEqual(['R-CLOSE-REASON']);
    expect(d.snapshot.status).toBe('active');
  });

  it('refuses a closure reason the engine records itself (schema)', () => {
    expect(parseEventBody({ ...body.close(), reason: 'redirectedUnder18' }).success).toBe(false);
  });

  it('closes with a reason, after telling the person and the GP', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(body.close({ reason: 'dischargedToGp' }), sms);
    expect(d.snapshot.value).toBe('closed');
    expect(d.snapshot.status).toBe('done');
    expect(d.snapshot.context.closure).toEqual({ reason: 'dischargedToGp', at: d.time.now(), to: undefined });
  });

  it('closes on death with the GP informed', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok(body.close({ reason: 'died', personInformed: false }), sms);
    expect(d.snapshot.context.closure?.reason).toBe('died');
  });
});

describe(rule('R-CLOSE-FINAL'), () => {
  const closed = () => play(drive(), [...journeys.smsLedQ3(), [body.close(), sms]]);

  it('refuses any event on a closed case, a new referral included', () => {
    const d = closed();
    expect(notNowRulesOf(d.send(bodies.safeguarding(), sms))).toEqual(['R-CLOSE-FINAL']);
    expect(notNowRulesOf(d.send(body.referral(agencies.sms), gp))).toEqual(['R-CLOSE-FINAL']);
    expect(nextEvents(d.snapshot, sms).every((e) => !e.allowed && e.blockedBy.every((b) => b.rule === 'R-CLOSE-FINAL'))).toBe(true);
    expect(nextEvents(d.snapshot, sms)).toHaveLength(eventTypes.length);
  });

  it('lets a new referral for the same person open a new episode as a new case', () => {
    const d = closed();
    const episode = drive();
    episode.ok(body.referral(agencies.sms), gp);
    expect(d.snapshot.value).toBe('closed');
    expect(statePaths(episode.snapshot.value)).toEqual(['active.referral.awaitingAcceptance']);
  });
});

// The second reading (2026-11-30): each reproduction of issue 13 and each new rule, refused by its guard.
const crht = { id: 'kmpt-crht-west-kent', kind: 'MHS', service: 'CRHT', name: 'West Kent CRHT' } as const;
const liaison = { id: 'kmpt-liaison-maidstone', kind: 'MHS', service: 'LIAISON', name: 'Maidstone liaison psychiatry' } as const;
const smsManager = actorOf('sms', 'serviceManager');
const cmhtManager = actorOf('cmht', 'serviceManager');
/** A Q1 case led by the CMHT with CGL's involvement active. */
const q1WithSms = () =>
  play(drive(), [
    ...journeys.cmhtLedQ1(),
    [bodies.involve(agencies.sms), cmht],
    [bodies.acceptInvolvement('inv-1'), sms],
    [bodies.startInvolvement('inv-1'), sms],
  ]);
/** SMS-led Q3 with adult social care involved (accepted). */
const q3WithAsc = () =>
  play(drive(), [...journeys.smsLedQ3(), [bodies.involve(agencies.asc), sms], [bodies.acceptInvolvement('inv-1'), actorOf('asc')]]);

describe(`${rule('R-LEAD-ACCEPTED')}`, () => {
  /** The CMHT declined the step-up handover; CGL disputes who should lead. */
  const declinedThenDisputed = () => {
    const d = play(drive(), journeys.handoverPending());
    d.ok(bodies.declineHandover(), cmht);
    d.ok(bodies.raiseDispute('The CMHT should lead a Q1 case', agencies.cmht), sms);
    return d;
  };

  it('no longer lets one side’s manager name the other service as lead (dispute.resolve is not taken)', () => {
    const d = declinedThenDisputed();
    const blockers = d.send(bodies.resolveDispute(agencies.cmht), smsManager);
    expect(notNowRulesOf(blockers)).toEqual(['R-DISPUTE']);
    expect(d.snapshot.context.lead?.agency).toEqual(agencies.sms);
  });

  it('moves the lead only when the service that becomes lead confirms the resolution', () => {
    const d = declinedThenDisputed();
    d.ok(bodies.proposeResolution(agencies.cmht, { outcome: 'Q1: the CMHT leads' }), smsManager);
    expect(d.snapshot.context.lead?.agency).toEqual(agencies.sms);
    expect(refusedBy(d.send(bodies.confirmResolution('Sam Okafor'), smsManager))).toEqual([
      'confirmedByOtherSide (R-DISPUTE)',
      'newLeadConfirms (R-LEAD-ACCEPTED)',
    ]);
    expect(refusedBy(d.send(bodies.confirmResolution(), cmhtManager))).toEqual(['newLeadNamesCoordinator (R-LEAD-ONE)']);
    expect(responsibility(d.snapshot).awaiting).toEqual([expect.objectContaining({ what: 'disputeResolution', agency: agencies.cmht })]);
    d.ok(bodies.confirmResolution('Jo Reed'), cmhtManager);
    expect(d.snapshot.context.lead).toMatchObject({ agency: agencies.cmht, coordinator: coordinator('Jo Reed'), since: d.time.now() });
    expect(d.snapshot.context.dispute).toBeNull();
  });

  it('refuses a proposal by the service it would make lead', () => {
    const d = declinedThenDisputed();
    expect(refusedBy(d.send(bodies.proposeResolution(agencies.cmht), cmhtManager))).toEqual(['newLeadDoesNotPropose (R-LEAD-ACCEPTED)']);
  });
});

describe(`${rule('R-CLOSE-GAPLESS')}`, () => {
  it('(a) refuses closing in assessment before any lead, even a high-risk case with a safeguarding concern', () => {
    const d = drive();
    d.ok(body.referral(agencies.cmht, { source: 'MHS', referrer: { name: 'Dr Mensah', qualification: 'consultantPsychiatrist' } }), cmht);
    d.ok(bodies.safeguarding(), cmht);
    expect(refusedBy(d.send(body.close(), cmht))).toEqual([
      'leadExistsToClose (R-CLOSE-GAPLESS)',
      'closedByLead (R-CLOSE-GAPLESS)',
      'noSafeguardingDecisionPending (R-SAFEGUARDING)',
    ]);
    expect(d.snapshot.status).toBe('active');
  });

  it('(a) refuses closing right after the proposed lead declined', () => {
    const d = play(drive(), [...journeys.smsAssessing(), [body.assessment('severe', true), sms]]);
    d.ok(bodies.proposeLead(agencies.cmht), sms);
    d.ok({ type: 'lead.decline', reason: 'other', explanation: 'No capacity this month' }, cmht);
    expect(refusedBy(d.send(body.close(), sms))).toEqual(['leadExistsToClose (R-CLOSE-GAPLESS)', 'closedByLead (R-CLOSE-GAPLESS)']);
  });

  it('(b) refuses closing by a supporting service', () => {
    const d = q3WithAsc();
    expect(refusedBy(d.send(body.close(), actorOf('asc')))).toEqual([
      'closedByLead (R-CLOSE-GAPLESS)',
      'dischargeToGpWhenCareDone (R-CLOSE-GAPLESS)',
    ]);
  });

  it('(c) refuses “transferred and accepted” through an accepted support involvement, allows it after an accepted handover', () => {
    const d = q3WithAsc();
    d.ok(bodies.endInvolvement('inv-1'), sms);
    d.ok(bodies.involve(agencies.sms2), sms);
    d.ok(bodies.acceptInvolvement('inv-2'), actorOf('sms2'));
    const close = body.close({ reason: 'transferredAccepted', to: agencies.sms2 });
    expect(refusedBy(d.send(close, sms))).toEqual(['transferredThroughAcceptedHandover (R-CLOSE-GAPLESS)']);
    const h = play(drive(), [
      ...journeys.smsLedQ3(),
      [body.handover(agencies.sms2, { reason: 'transfer', senderContinuesAsSupport: false }), sms],
    ]);
    h.ok(bodies.acceptHandover(), actorOf('sms2'));
    expect(refusedBy(h.send(close, sms))).toEqual(['closedByLead (R-CLOSE-GAPLESS)']);
    h.ok(close, actorOf('sms2'));
    expect(h.snapshot.context.closure).toMatchObject({ reason: 'transferredAccepted', to: agencies.sms2 });
  });

  it('(d) refuses discharge to the GP of a Q1 case while SMS is still active, and outside Q4 unless care is complete', () => {
    const d = q1WithSms();
    expect(refusedBy(d.send(body.close(), cmht))).toEqual(['dischargeToGpWhenCareDone (R-CLOSE-GAPLESS)']);
    d.ok(bodies.endInvolvement('inv-1'), sms);
    expect(refusedBy(d.send(body.close({ careComplete: false }), cmht))).toEqual(['dischargeToGpWhenCareDone (R-CLOSE-GAPLESS)']);
    d.ok(body.close(), cmht);
    expect(d.snapshot.value).toBe('closed');
  });
});

describe(`${rule('R-HANDOVER-DECLINE')} (second reading)`, () => {
  it('refuses a handover decline whose explanation key is absent', () => {
    const d = play(drive(), journeys.handoverPending());
    expect(refusedBy(d.send({ type: 'handover.decline', reason: 'other' }, cmht))).toEqual(['declineGivesReasons (R-HANDOVER-DECLINE)']);
    expect(d.snapshot.context.handover).not.toBeNull();
  });

  it('refuses a lead decline whose explanation key is absent', () => {
    const d = play(drive(), [...journeys.smsAssessing(), [body.assessment('severe', true), sms], [bodies.proposeLead(agencies.cmht), sms]]);
    expect(refusedBy(d.send({ type: 'lead.decline', reason: 'other' }, cmht))).toEqual(['declineGivesReasons (R-HANDOVER-DECLINE)']);
    expect(d.snapshot.context.leadProposal).not.toBeNull();
  });
});

describe(`${rule('R-REF-ONWARD')} (second reading)`, () => {
  const atSms = () => play(drive(), journeys.referredToSms());

  it('refuses passing the referral back to the GP who made it', () => {
    const d = atSms();
    expect(refusedBy(d.send(bodies.redirect(agencies.gp), sms))).toEqual(['redirectNotToReferrer (R-REF-ONWARD)']);
  });

  it('meets R-REF-CONTENT, R-REF-WRAPAROUND and R-REF-EIP for the new receiver', () => {
    const d = atSms();
    expect(refusedBy(d.send(bodies.redirect(agencies.cmht), sms))).toEqual(['referralContentComplete (R-REF-CONTENT)']);
    expect(refusedBy(d.send(bodies.redirect(agencies.liveWell), sms))).toEqual(['wraparoundPrerequisites (R-REF-WRAPAROUND)']);
    expect(refusedBy(d.send(bodies.redirect(agencies.eip, { content: smsContent }), sms))).toEqual(['validEipReferral (R-REF-EIP)']);
  });

  it('sends a redirect from a non-qualified practitioner to MHS through triage, the referrer staying responsible', () => {
    const d = atSms();
    d.ok(bodies.redirect(agencies.cmht, { content: smsContent }), sms);
    expect(statePaths(d.snapshot.value)).toEqual(['active.referral.triage']);
    expect(responsibility(d.snapshot).responsible).toEqual({ id: agencies.gp.id, kind: 'PRIMARY' });
  });

  it('passes an under-18 on to CAMHS only with letters to the person and the referrer, and never an adult', () => {
    const camhs = { id: 'nelft-camhs-kent', kind: 'CAMHS', name: 'Kent CAMHS' } as const;
    const adult = play(drive(), journeys.referredToSms());
    expect(refusedBy(adult.send(bodies.redirect(camhs, { letterToPerson: true, letterToReferrer: true }), sms))).toEqual([
      'adultOrTransition (R-ELIG-AGE)',
    ]);
    const d = drive();
    d.ok(body.referral(agencies.sms, { source: 'CAMHS', person: { ageYears: 17, residency: 'permanent', area: 'WEST_KENT' } }), gp);
    expect(refusedBy(d.send(bodies.redirect(camhs), sms))).toEqual(['camhsRedirectWritten (R-ELIG-AGE)']);
    d.ok(bodies.redirect(camhs, { letterToPerson: true, letterToReferrer: true }), sms);
    expect(d.snapshot.value).toBe('closed');
    expect(d.snapshot.context.closure).toMatchObject({ reason: 'redirectedUnder18', to: camhs });
  });
});

describe(`${rule('R-REF-CONTENT')} (second reading)`, () => {
  it('takes the sender’s kind from its agency: an SMS practitioner writing source GP still owes the content', () => {
    const d = drive();
    const blockers = d.send(body.referral(agencies.cmht, { source: 'GP', referrer: smsReferrer }), sms);
    expect(refusedBy(blockers)).toEqual(['referralContentComplete (R-REF-CONTENT)']);
    expect(d.snapshot.value).toBe('new');
  });
});

describe(`${rule('R-SAFEGUARDING')} (second reading)`, () => {
  const safeguardingFound = { toSelf: 'moderate', toOthers: 'low', selfNeglect: false, safeguarding: true } as const;

  it('refuses to leave assessment on a safeguarding concern without the decision, and with no household recorded', () => {
    const d = play(drive(), journeys.smsAssessing());
    expect(refusedBy(d.send(body.assessment('moderate', true, { risks: safeguardingFound }), sms))).toEqual([
      'assessmentSafeguardingDecided (R-SAFEGUARDING)',
    ]);
    expect(refusedBy(d.send(body.assessment('moderate', true, { household: undefined }), sms))).toEqual([
      'householdRecorded (R-SAFEGUARDING)',
    ]);
    d.ok(
      body.assessment('moderate', true, {
        risks: safeguardingFound,
        household: { dependentChildren: true, caringResponsibilities: false },
        safeguardingDecision: { decision: 'alertRaised', localAuthority: 'KCC Children’s Services' },
      }),
      sms,
    );
    expect(d.snapshot.context.household).toEqual({ dependentChildren: true, caringResponsibilities: false });
  });

  it('blocks changing lead and closing until a concern raised later is decided', () => {
    const d = play(drive(), [...journeys.smsLedQ3(), [body.handover(agencies.sms2, { reason: 'transfer' }), sms]]);
    d.ok(bodies.safeguarding('child'), sms);
    expect(refusedBy(d.send(bodies.acceptHandover(), actorOf('sms2')))).toEqual(['noSafeguardingDecisionPending (R-SAFEGUARDING)']);
    expect(refusedBy(d.send(bodies.safeguardingDecision({ decision: 'noAlertReasonDocumented' }), sms))).toEqual([
      'safeguardingDecisionDocumented (R-SAFEGUARDING)',
      'safeguardingDecisionShared (R-SAFEGUARDING)',
    ]);
    d.ok(bodies.safeguardingDecision({ sharedWith: [agencies.sms2.id] }), sms);
    d.ok(bodies.acceptHandover(), actorOf('sms2'));
    expect(d.snapshot.context.lead?.agency).toEqual(agencies.sms2);
  });

  it('refuses closing with an undecided concern, and a domestic abuse decision without a safety plan', () => {
    const d = play(drive(), journeys.smsLedQ3());
    d.ok({ ...bodies.safeguarding('adult'), domesticAbuse: true } as EventBody, sms);
    expect(refusedBy(d.send(body.close(), sms))).toEqual(['noSafeguardingDecisionPending (R-SAFEGUARDING)']);
    expect(refusedBy(d.send(bodies.safeguardingDecision(), sms))).toEqual(['domesticAbuseSafetyPlan (R-SAFEGUARDING)']);
    d.ok(bodies.safeguardingDecision({ domesticAbuse: true, safetyPlan: 'Refuge number; MARAC referral' }), sms);
    d.ok(body.close(), sms);
    expect(d.snapshot.value).toBe('closed');
  });
});

describe(`${rule('R-REVIEW')} (second reading)`, () => {
  const planned = () => play(drive(), [...journeys.smsLedQ3(), [body.carePlan(), sms], [body.reassessment('severe', true), sms]]);

  it.each([
    ['a step change', (_d: ReturnType<typeof drive>) => undefined],
    ['a handover', (d: ReturnType<typeof drive>) => d.ok(body.handover(agencies.cmht), sms)],
    ['a dispute', (d: ReturnType<typeof drive>) => d.ok(bodies.raiseDispute(undefined, agencies.cmht), sms)],
  ])('lets the lead review the plan and reassess during %s, where the review deadline stays pending', (_what, then) => {
    const d = planned();
    then(d);
    const before = statePaths(d.snapshot.value);
    d.time.advanceDays(30);
    d.ok(bodies.review({ nextReviewDue: '2026-06-01' }), sms);
    d.ok(body.reassessment('severe', true), sms);
    expect(statePaths(d.snapshot.value)).toEqual(before);
    expect(d.snapshot.context.carePlan).toMatchObject({ reviews: 1, reviewDue: '2026-06-01' });
  });
});

describe(`${rule('R-REF-NOINTOX')} (second reading)`, () => {
  it('holds a decline whose free text gives intoxication as the reason for a service manager’s confirmation', () => {
    const d = play(drive(), journeys.referredToSms());
    const decline = bodies.declineReferral({ reason: 'other', explanation: 'Arrived intoxicated, cannot be assessed' });
    expect(refusedBy(d.send(decline, sms))).toEqual(['declineTextNotSubstanceUse (R-REF-NOINTOX)']);
    expect(refusedBy(d.send({ ...decline, managerConfirmsNotForSubstanceUse: true } as EventBody, sms))).toEqual([
      'declineTextNotSubstanceUse (R-REF-NOINTOX)',
    ]);
    d.ok({ ...decline, managerConfirmsNotForSubstanceUse: true } as EventBody, smsManager);
    expect(d.snapshot.value).toBe('closed');
  });
});

describe(rule('R-CNA'), () => {
  it('refuses a Q1 plan that does not record the right to a Care Needs Assessment', () => {
    const d = play(drive(), journeys.cmhtLedQ1());
    expect(refusedBy(d.send(body.carePlan({ careNeedsAssessment: undefined }), cmht))).toEqual(['carePlanRecordsCna (R-CNA)']);
    d.ok(body.carePlan({ careNeedsAssessment: 'requested' }), cmht);
    expect(d.snapshot.context.careNeedsAssessment).toBe('requested');
  });
});

describe(rule('R-CAPACITY'), () => {
  it('refuses recording a decline at serious risk without the Mental Capacity Act and collateral information', () => {
    const d = play(drive(), [
      ...journeys.smsAssessing(),
      [body.assessment('moderate', true, { risks: { toSelf: 'high', toOthers: 'low', selfNeglect: false, safeguarding: false } }), sms],
      [bodies.assignLead(), sms],
    ]);
    expect(refusedBy(d.send({ type: 'engagement.decline', hasCapacity: true }, sms))).toEqual(['capacityConsidered (R-CAPACITY)']);
    d.ok(bodies.declineServices(), sms);
    expect(d.snapshot.context.capacity).toMatchObject({ mentalCapacityActConsidered: true, collateralFrom: ['GP', 'sister'] });
  });
});

describe(rule('R-STOP-DRINKING'), () => {
  it('refuses an alcohol detox plan with no substance misuse service involved', () => {
    const d = play(drive(), journeys.cmhtLedQ1());
    const plan: EventBody = { type: 'detox.plan', substance: 'alcohol', postDetoxPlan: 'Community follow-up', mdtAgreed: true };
    expect(refusedBy(d.send(plan, cmht))).toEqual(['smsInvolvedInAlcoholPlan (R-STOP-DRINKING)']);
    const withSms = q1WithSms();
    withSms.ok(plan, cmht);
    expect(withSms.snapshot.context.detox?.substance).toBe('alcohol');
  });
});

describe(rule('R-ED'), () => {
  const presentation: EventBody = {
    type: 'acute.presentation',
    setting: 'emergencyDepartment',
    summary: 'Overdose, seen by liaison psychiatry',
    smsNotified: true,
    mhsToldOfSms: true,
    gpLetterNamesReferral: true,
    jointWorkingIdentified: false,
  };

  it('refuses a presentation that leaves the involved SMS uninformed, or joint working without SMS in discharge planning', () => {
    const d = q1WithSms();
    expect(refusedBy(d.send({ ...presentation, smsNotified: false } as EventBody, cmht))).toEqual(['acuteServicesInformed (R-ED)']);
    expect(refusedBy(d.send({ ...presentation, jointWorkingIdentified: true } as EventBody, cmht))).toEqual([
      'acuteDischargePlannedWithSms (R-ED)',
    ]);
    expect(refusedBy(d.send(presentation, sms))).toEqual(['acuteSeenByMentalHealth (R-ED)']);
    d.ok(
      {
        ...presentation,
        jointWorkingIdentified: true,
        dischargePlanning: { smsInvited: true, coversBothConditions: true, overdoseRiskDiscussed: true },
      } as EventBody,
      cmht,
    );
    expect(d.snapshot.context.acutePresentations).toHaveLength(1);
  });
});

describe(rule('R-RISK-CHANGE'), () => {
  it('refuses a change of risk status not notified to every other service involved', () => {
    const d = q3WithAsc();
    const change = (notified: string[]): EventBody => ({
      type: 'risk.change',
      risks: { toSelf: 'high', toOthers: 'low', selfNeglect: false, safeguarding: false },
      summary: 'Relapse after bereavement',
      notified,
    });
    expect(refusedBy(d.send(change([]), sms))).toEqual(['riskChangeNotified (R-RISK-CHANGE)']);
    d.ok(change([agencies.asc.id]), sms);
    expect(d.snapshot.context.assessment?.risks.toSelf).toBe('high');
  });
});

describe(rule('R-CHALLENGE'), () => {
  it('refuses a decline letter that does not give the right to challenge', () => {
    const d = play(drive(), journeys.referredToSms());
    expect(refusedBy(d.send(bodies.declineReferral({ rightToChallengeGiven: false }), sms))).toEqual([
      'declineLetterGivesRightToChallenge (R-CHALLENGE)',
    ]);
  });
});

describe(rule('R-CRISIS-SOURCE'), () => {
  it('refuses a daytime GP referral to the crisis team, takes an out-of-hours GP’s', () => {
    const d = drive();
    expect(refusedBy(d.send(body.referral(crht), gp))).toEqual(['crisisTeamSource (R-CRISIS-SOURCE)']);
    d.ok(body.referral(crht, { referrer: { name: 'Dr On-call', qualification: 'other', outOfHours: true } }), gp);
  });

  it('refuses a request to liaison psychiatry not made by pager', () => {
    const d = play(drive(), journeys.cmhtLedQ1());
    expect(refusedBy(d.send(bodies.involve(liaison), cmht))).toEqual(['liaisonByPager (R-CRISIS-SOURCE)']);
    d.ok(bodies.involve(liaison, { viaPager: true }), cmht);
  });
});

describe(rule('R-S117'), () => {
  it('refuses a transfer after detention under section 3 without the section 117 aftercare', () => {
    const d = play(drive(), [
      [
        body.referral(agencies.inpatient, { source: 'MHS', referrer: { name: 'Dr Mensah', qualification: 'consultantPsychiatrist' } }),
        actorOf('inpatient'),
      ],
      [body.assessment('severe', true), actorOf('inpatient')],
      [bodies.assignLead({ coordinator: coordinator('Ward nurse Lee') }), actorOf('inpatient')],
    ]);
    const inpatient = {
      leadProfessional: 'Dr Mensah',
      smsRecoveryCoordinatorInvited: true,
      coversBothConditions: true,
      overdoseRiskDiscussed: true,
      detainedUnderSection3: true,
    };
    const request = (over: object) => body.handover(agencies.cmht, { reason: 'inpatientDischarge', inpatient: { ...inpatient, ...over } });
    expect(refusedBy(d.send(request({}), actorOf('inpatient')))).toEqual(['s117AftercareRecorded (R-S117)']);
    d.ok(request({ s117Aftercare: 'CMHT and KCC fund supported housing under s117' }), actorOf('inpatient'));
  });
});

describe(rule('R-SI'), () => {
  it('investigates a death in a shared case jointly, with learning actions, before the case closes', () => {
    const d = q3WithAsc();
    const report: EventBody = { type: 'incident.report', kind: 'death', summary: 'Died of an overdose at home' };
    expect(refusedBy(d.send(report, sms))).toEqual(['incidentInvestigatedJointly (R-SI)']);
    expect(refusedBy(d.send(body.close({ reason: 'died', personInformed: false }), sms))).toEqual(['deathInvestigatedJointly (R-SI)']);
    d.ok({ ...report, investigatedWith: [agencies.asc.id] } as EventBody, sms);
    expect(refusedBy(d.send({ type: 'incident.learning', incidentId: 'si-2', learningActions: [] }, sms))).toEqual([
      'learningActionsGiven (R-SI)',
    ]);
    d.ok({ type: 'incident.learning', incidentId: 'si-2', learningActions: ['Naloxone offered at every contact'] }, sms);
    d.ok(body.close({ reason: 'died', personInformed: false }), sms);
    expect(d.snapshot.value).toBe('closed');
  });
});

describe('event bodies (zod)', () => {
  it('rejects a body that tries to set the state, the actor or the time', () => {
    const parsed = parseEventBody({
      type: 'handover.accept',
      coordinator: coordinator(),
      state: 'active.jointCare',
      actor: { id: 'x', agencyId: agencies.cmht.id, agencyKind: 'MHS', role: 'clinicalDirector' },
      at: '2026-01-01T00:00:00Z',
    });
    expect(parsed.success).toBe(false);
    const keys = parsed.success ? [] : (parsed.issues ?? []).flatMap((i) => ('keys' in i ? i.keys : []));
    expect(keys).toEqual(expect.arrayContaining(['state', 'actor', 'at']));
  });

  it('rejects unknown keys nested in a body and unknown event types', () => {
    expect(parseEventBody({ ...body.referral(agencies.sms), to: { ...agencies.sms, lead: true } }).success).toBe(false);
    expect(parseEventBody({ type: 'case.reopen' }).success).toBe(false);
  });

  it('accepts a valid body and applies its defaults', () => {
    const parsed = parseEventBody(body.handover(agencies.cmht, { senderContinuesAsSupport: undefined }));
    expect(parsed.success).toBe(true);
    expect(parsed.success && parsed.data).toMatchObject({ type: 'handover.request', senderContinuesAsSupport: false });
  });
});

describe('rules.ts coverage', () => {
  it('has a describe above for every rule id of rules.ts', () => {
    // Describes are collected before any test runs, so `covered` is complete here.
    expect([...covered].sort()).toEqual([...ruleIds].sort());
    expect(ruleIds).toHaveLength(45);
  });
});

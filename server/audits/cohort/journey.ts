/**
 * One synthetic person's episode, lived through the real machine: a referral, its answer, assessment, a lead, joint
 * care with reviews, missed appointments, step-ups and step-downs, handovers, disputes, disengagement and closure —
 * each with the waits and the slips real services have. Same seed and slot, same journey.
 */
import { createHash } from 'node:crypto';
import type { Actor, AgencyRef, EventBody } from '../../../machines/events.ts';
import { leadAgencyFor } from '../../../machines/quadrant.ts';
import { type PathwaySnapshot, versionOf } from '../../../machines/snapshot.ts';
import type { Area, Quadrant, Role } from '../../../machines/vocab.ts';
import { ageOn } from '../../engine/openCase.ts';
import { type AreaServices, coordinatorOf, servicesByArea } from './agencies.ts';
import { jointCare } from './jointCare.ts';
import { DAY_MS, Journey, type JourneyObserver, type Random, type Refused, random } from './sim.ts';

/** When the cohort's referrals are made, and the pathway version it lives under (the current one by default). */
export type CohortWindow = { start: number; end: number; pathwayVersion?: number };
export type Person = { id: string; dateOfBirth: string; area: Area; givenName: string; familyName: string };
export type GeneratedCase = {
  slot: number;
  person: Person;
  episode: number;
  reference: string;
  events: Journey['events'];
  refused: Refused[];
  fired: Map<string, string>;
  snapshot: PathwaySnapshot;
};

const hash = (...parts: (string | number)[]) => createHash('sha256').update(parts.join(':')).digest();
const seedOf = (seed: number, slot: number, purpose: string) => hash(seed, slot, purpose).readUInt32LE(0);

/** A deterministic UUID (version 4 layout) for a slot's person or case. */
export function slotUuid(what: 'person' | 'case', seed: number, slot: number): string {
  const b = hash(what, seed, slot);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** `SY-XXXX-XXXX`: unique per seed and slot, and marked synthetic so nobody takes it for a real case. */
export function syntheticReference(seed: number, slot: number): string {
  let n = (seed % 100_000) * 10_000_000 + slot;
  let s = '';
  for (let i = 0; i < 8; i++) {
    s = (alphabet[n % 32] as string) + s;
    n = Math.floor(n / 32);
  }
  return `SY-${s.slice(0, 4)}-${s.slice(4)}`;
}

/** A slot whose first referral is declined and whose person the next slot re-refers (~4 in 100). */
const wantsReReferral = (seed: number, slot: number) => random(seedOf(seed, slot, 'rr')).chance(0.04);
/** Whether a slot may be the re-referral of the one before (the loader keeps such pairs in one batch). */
export const mayBeReReferral = (seed: number, slot: number): boolean =>
  slot > 0 && wantsReReferral(seed, slot - 1) && !mayBeReReferral(seed, slot - 1);

/** R-CONSENT: without consent, sharing with another agency records a need-to-know ground. */
export const needToKnow = (j: Journey) => (j.ctx.consent.sharing === 'refused' ? { needToKnow: 'highRisk' as const } : {});

/** Pathway version 2 (the second reading) takes events and facts version 1 did not: sent only to cases under it. */
export const secondReading = (j: Journey): boolean => versionOf(j.snapshot) >= 2;

export const actorOf = (a: AgencyRef, role: Role = 'practitioner'): Actor => ({
  id: `${a.id}:${role}`,
  agencyId: a.id,
  agencyKind: a.kind,
  role,
});

type Route = 'sms' | 'cmhtTriage' | 'cmhtDirect' | 'eip' | 'iapt' | 'primary' | 'asc';
const quadrantInputs: Record<Quadrant, { mentalHealth: 'mild' | 'moderate' | 'severe'; dependent: boolean }> = {
  Q1: { mentalHealth: 'severe', dependent: true },
  Q2: { mentalHealth: 'severe', dependent: false },
  Q3: { mentalHealth: 'moderate', dependent: true },
  Q4: { mentalHealth: 'mild', dependent: false },
};
const quadrantMix: Record<Route, readonly (readonly [Quadrant, number])[]> = {
  sms: [
    ['Q3', 50],
    ['Q1', 20],
    ['Q4', 20],
    ['Q2', 10],
  ],
  cmhtTriage: [
    ['Q1', 30],
    ['Q2', 35],
    ['Q3', 15],
    ['Q4', 20],
  ],
  cmhtDirect: [
    ['Q1', 40],
    ['Q2', 40],
    ['Q3', 10],
    ['Q4', 10],
  ],
  eip: [
    ['Q1', 40],
    ['Q2', 60],
  ],
  iapt: [
    ['Q4', 60],
    ['Q3', 30],
    ['Q2', 10],
  ],
  primary: [
    ['Q4', 60],
    ['Q3', 25],
    ['Q2', 15],
  ],
  asc: [
    ['Q1', 30],
    ['Q3', 30],
    ['Q2', 20],
    ['Q4', 20],
  ],
};

/** The agency that leads a quadrant in an area. */
export const leadFor = (s: AreaServices, q: Quadrant, r: Random): AgencyRef => {
  const kind = leadAgencyFor(q);
  return kind === 'MHS' ? r.pick(s.cmht) : kind === 'SMS' ? r.pick(s.sms) : r.pick(s.primary);
};

export const assessmentBody = (q: Quadrant, r: Random, review = false): EventBody => {
  const { mentalHealth, dependent } = quadrantInputs[q];
  const high = r.chance(q === 'Q1' ? 0.35 : 0.1);
  const substanceUse = {
    substances: r.pick([['alcohol'], ['heroin', 'crack cocaine'], ['cannabis'], ['alcohol', 'cocaine'], ['benzodiazepines']]),
    currentUse: dependent ? 'daily use' : 'occasional use',
    dependent,
    readiness: r.pick(['precontemplation', 'contemplation', 'preparation', 'action'] as const),
  };
  const risks = {
    toSelf: high ? ('high' as const) : ('moderate' as const),
    toOthers: 'low' as const,
    selfNeglect: high && r.chance(0.3),
    safeguarding: false,
  };
  const scores = { phq9: mentalHealth === 'severe' ? r.int(18, 27) : r.int(5, 17), audit: dependent ? r.int(20, 40) : r.int(0, 12) };
  if (review) return { type: 'assessment.review', mentalHealth, substanceUse, risks, scores };
  return {
    type: 'assessment.record',
    mentalHealth,
    substanceUse,
    housing: r.pick(['Private rented', 'Social housing', 'Sofa surfing', 'Owner occupier', 'Supported housing']),
    supportNetwork: r.pick(['Family nearby', 'Limited', 'Partner and friends', 'None']),
    risks,
    scores,
    canServiceAloneSupport: q === 'Q4',
    ...(q === 'Q4' ? {} : { nextStep: 'jointCare' as const }),
    consent: { sharing: 'given' },
    // No draw here, so cohorts of a seed stay what they were.
    household: { dependentChildren: false, caringResponsibilities: false },
  };
};

function referralFor(route: Route, s: AreaServices, r: Random) {
  const qualified = { name: 'Liaison psychiatry', qualification: 'qualifiedMentalHealthPractitioner' as const };
  const gp = { name: 'Referring GP', qualification: 'other' as const };
  switch (route) {
    case 'sms':
      return {
        to: r.pick(s.sms),
        source: r.weighted([
          ['self', 40],
          ['GP', 35],
          ['criminalJustice', 15],
          ['acuteHospital', 10],
        ] as const),
        referrer: gp,
      };
    case 'cmhtTriage':
      return { to: r.pick(s.cmht), source: 'GP' as const, referrer: gp };
    case 'cmhtDirect':
      return { to: r.pick(s.cmht), source: r.pick(['acuteHospital', 'MHS'] as const), referrer: qualified };
    case 'eip':
      return { to: s.eip, source: r.pick(['GP', 'acuteHospital'] as const), referrer: gp, suspectedFirstEpisodePsychosis: true };
    case 'iapt':
      return { to: s.iapt, source: 'self' as const, referrer: { name: 'Self-referral', qualification: 'other' as const } };
    case 'primary':
      return { to: r.pick(s.primary), source: 'GP' as const, referrer: gp };
    case 'asc':
      return { to: s.asc, source: r.pick(['GP', 'carerFamily'] as const), referrer: gp };
  }
}

/** Generates the case of one slot (a first referral, or the re-referral of the previous slot's person). */
export function generateCase(seed: number, slot: number, w: CohortWindow, observer?: JourneyObserver): GeneratedCase {
  const r = random(seedOf(seed, slot, 'journey'));
  let person: Person;
  let episode = 1;
  let start = w.start + r.next() * (w.end - w.start);
  const previous = mayBeReReferral(seed, slot) ? generateCase(seed, slot - 1, w) : null;
  const declinedAt =
    previous?.snapshot.context.closure?.reason === 'referralDeclined' ? Date.parse(previous.snapshot.context.closure.at) : null;
  const reStart = declinedAt === null ? null : declinedAt + r.days(20, 0.7) * DAY_MS;
  if (previous && reStart !== null && reStart < w.end) {
    person = previous.person;
    episode = 2;
    start = reStart;
  } else {
    const area = r.weighted([
      ['EAST_KENT', 40],
      ['WEST_KENT', 35],
      ['MEDWAY', 25],
    ] as const);
    const under18 = r.chance(0.01);
    const year = new Date(start).getUTCFullYear() - (under18 ? r.int(15, 17) : r.int(18, 70));
    const dob = `${year}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
    person = { id: slotUuid('person', seed, slot), dateOfBirth: dob, area, givenName: 'Synthetic', familyName: `Person ${slot + 1}` };
  }
  const j = new Journey(start, w.end, observer, w.pathwayVersion);
  const s = servicesByArea[person.area];
  const route = r.weighted([
    ['sms', 45],
    ['cmhtTriage', 18],
    ['cmhtDirect', 12],
    ['eip', 5],
    ['iapt', 7],
    ['primary', 8],
    ['asc', 5],
  ] as const);
  const ref = referralFor(route, s, r);
  const ageYears = ageOn(person.dateOfBirth, new Date(start));
  const eipAge = route === 'eip' && (ageYears < 14 || ageYears > 65);
  const to = eipAge ? r.pick(s.cmht) : ref.to;
  j.send(
    0,
    {
      type: 'referral.make',
      source: ref.source,
      referrer: ref.referrer,
      to,
      person: { ageYears, residency: r.chance(0.95) ? 'permanent' : 'temporary', area: person.area },
      reasonForReferral: 'Co-occurring mental health and substance use needs (synthetic)',
      suspectedFirstEpisodePsychosis: !eipAge && 'suspectedFirstEpisodePsychosis' in ref,
      consent: r.chance(0.96) ? { sharing: 'given' } : { sharing: 'refused', needToKnow: 'highRisk' },
    } as EventBody,
    actorOf(to),
  );
  if (j.open) referralAnswer(j, r, s, wantsReReferral(seed, slot) && episode === 1);
  if (j.open) assessAndLead(j, r, s, route);
  if (j.open && j.in('active.jointCare')) jointCare(j, r, s);
  j.finish();
  return {
    slot,
    person,
    episode,
    reference: syntheticReference(seed, slot),
    events: j.events,
    refused: j.refused,
    fired: j.fired,
    snapshot: j.snapshot,
  };
}

/** The receiving service answers: mostly accepts, sometimes passes on or declines; now and then tries a forbidden ground. */
function referralAnswer(j: Journey, r: Random, s: AreaServices, forceDecline: boolean): void {
  for (let hop = 0; hop < 3 && j.open && (j.in('active.referral') || false); hop++) {
    const to = j.ctx.referral?.to as AgencyRef;
    const receiver = actorOf(to);
    if (r.chance(0.02)) {
      j.attempt(
        r.days(3),
        {
          type: 'referral.decline',
          reason: r.pick(['substanceUse', 'intoxication'] as const),
          writtenToPerson: true,
          explanation: 'Using heavily at present',
          recommendationToReferrer: 'Re-refer when abstinent',
        },
        receiver,
      );
    }
    const wait = r.days(5, 1);
    const answer = forceDecline
      ? 'decline'
      : r.weighted([
          ['accept', 82],
          ['redirect', hop === 0 ? 10 : 3],
          ['decline', 8],
        ] as const);
    if (answer === 'accept') j.send(wait, { type: 'referral.accept' }, receiver);
    else if (answer === 'decline') {
      j.send(
        wait,
        {
          type: 'referral.decline',
          reason: r.pick(['needsBetterMetElsewhere', 'notEligible', 'personDeclined'] as const),
          explanation: 'Needs better met by another service',
          writtenToPerson: true,
          recommendationToReferrer: 'Refer to the local talking therapies service',
          rightToChallengeGiven: true,
        },
        receiver,
      );
    } else {
      const onward = to.kind === 'SMS' ? r.pick(s.cmht) : r.pick(s.sms);
      const redirect: EventBody = {
        type: 'referral.redirect',
        to: onward,
        note: 'Better placed to lead on the main need',
        // R-REF-ONWARD (version 2): an onward referral carries what a referral to its receiver must.
        content: {
          suspectedDisorder: 'Depression with anxiety',
          substanceObstruction: 'Daily use disrupts engagement',
          hopedOutcome: 'Feel more in control',
        },
        ...needToKnow(j),
      };
      j.send(wait, redirect, receiver);
    }
  }
}

function assessAndLead(j: Journey, r: Random, s: AreaServices, route: Route): void {
  if (!j.in('active.assessment')) return;
  const assessor = j.ctx.referral?.to as AgencyRef;
  if (r.chance(0.12))
    j.send(
      r.days(5),
      { type: 'mdt.consult', agencies: [assessor.id, (s.sms[0] as AgencyRef).id], outcome: 'Joint assessment agreed' },
      actorOf(assessor),
    );
  const q = r.weighted(quadrantMix[route]);
  if (!j.send(r.days(12, 0.7), assessmentBody(q, r), actorOf(assessor))) return;
  let declined = 0;
  while (j.open && j.in('active.leadAssignment.deciding')) {
    const quadrantLead = leadFor(s, q, r);
    const follows = leadAgencyFor(q) === assessor.kind;
    const choice = follows
      ? 'assign'
      : declined > 0
        ? r.weighted([
            ['assign', 55],
            ['dispute', 30],
            ['propose', 15],
          ] as const)
        : r.weighted([
            ['propose', 75],
            ['assign', 22],
            ['dispute', 3],
          ] as const);
    if (choice === 'assign') {
      j.send(
        r.days(2),
        {
          type: 'lead.assign',
          coordinator: coordinatorOf(assessor.id, r.int(0, 11)),
          ...(follows ? {} : { rationale: 'Already engaged with this service and the person prefers it' }),
        },
        actorOf(assessor),
      );
    } else if (choice === 'propose') {
      if (!j.send(r.days(3), { type: 'lead.propose', to: quadrantLead, ...needToKnow(j) }, actorOf(assessor))) return;
      if (r.chance(0.85))
        j.send(r.days(6, 0.9), { type: 'lead.accept', coordinator: coordinatorOf(quadrantLead.id, r.int(0, 11)) }, actorOf(quadrantLead));
      else {
        declined++;
        j.send(
          r.days(8, 0.9),
          {
            type: 'lead.decline',
            reason: 'needsBetterMetElsewhere',
            explanation: 'No capacity in the team; the assessing service is best placed',
          },
          actorOf(quadrantLead),
        );
      }
    } else dispute(j, r, assessor, quadrantLead);
  }
}

/** R-DISPUTE: raised with a proposed lead, perhaps escalated, resolved by managers or directors naming that lead. */
export function dispute(j: Journey, r: Random, raiser: AgencyRef, proposed: AgencyRef): void {
  if (!j.send(r.days(2), { type: 'dispute.raise', about: 'Which service should lead', proposedLead: proposed }, actorOf(raiser))) return;
  const escalate = r.chance(0.35);
  if (
    escalate &&
    !j.send(r.days(10), { type: 'dispute.escalate', note: 'Service managers could not agree' }, actorOf(raiser, 'serviceManager'))
  )
    return;
  const q = j.ctx.quadrant as Quadrant;
  const lead = leadAgencyFor(q) === proposed.kind ? proposed : (j.ctx.lead?.agency ?? proposed);
  if (secondReading(j)) {
    // R-DISPUTE, R-LEAD-ACCEPTED (version 2): the raiser's side proposes; the other side confirms, the new lead itself
    // when the lead moves.
    const role = escalate ? 'clinicalDirector' : 'serviceManager';
    const proposal: EventBody = {
      type: 'dispute.propose',
      lead,
      outcome: 'Agreed at the responsibility meeting',
      ...(leadAgencyFor(q) === lead.kind ? {} : { rationale: 'Continuity of care with the current service' }),
      commissionerConsulted: escalate,
      ...(escalate ? { commissionerInput: 'The commissioner supports the quadrant lead' } : {}),
    };
    if (!j.send(r.days(escalate ? 12 : 8, 0.7), proposal, actorOf(raiser, role))) return;
    j.send(r.days(3), { type: 'dispute.confirm', coordinator: coordinatorOf(lead.id, r.int(0, 11)) }, actorOf(proposed, role));
    return;
  }
  j.send(
    r.days(escalate ? 14 : 9, 0.7),
    {
      type: 'dispute.resolve',
      lead,
      coordinator: coordinatorOf(lead.id, r.int(0, 11)),
      outcome: 'Agreed at the responsibility meeting',
      ...(leadAgencyFor(q) === lead.kind ? {} : { rationale: 'Continuity of care with the current service' }),
      commissionerConsulted: escalate,
    },
    actorOf(raiser, escalate ? 'clinicalDirector' : 'serviceManager'),
  );
}

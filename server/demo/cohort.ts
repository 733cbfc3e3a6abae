/** A small synthetic demo cohort: journeys driven through the real engine, clearly marked synthetic. */
import type { Db } from '../../db/client.ts';
import { agencies, cases as casesTable } from '../../db/schema/index.ts';
import type { EventBody } from '../../machines/events.ts';
import type { AgencyKind, Role } from '../../machines/vocab.ts';
import { random } from '../audits/cohort/sim.ts';
import type { Principal } from '../auth.ts';
import { applyEvent } from '../engine/applyEvent.ts';
import { type OpenCaseBody, openCase } from '../engine/openCase.ts';

type Step = { as: string; body: EventBody; days: number; role?: Role };
type Journey = { to: string; referral: Partial<OpenCaseBody['referral']>; ageYears: number; steps: Step[] };

const ref = (id: string, kind: AgencyKind, name: string) => ({ id, kind, name });
const plan = (agencyId: string) => ({
  roles: [{ agencyId, responsibility: 'care coordination and recovery work' }],
  relapseIndicators: ['missed appointments', 'return to daily use'],
  risks: ['risk to self when intoxicated'],
  safetyPlan: 'Crisis line and named contacts agreed; naloxone supplied',
  agreedWithPerson: true,
  cpa: false,
  careNeedsAssessment: 'offered' as const,
  addressesSelfNeglectAndSafeguarding: true,
});
const assessment = (mentalHealth: 'mild' | 'moderate' | 'severe', dependent: boolean, riskHigh = false): EventBody => ({
  type: 'assessment.record',
  mentalHealth,
  substanceUse: { substances: ['alcohol'], currentUse: 'daily drinking', dependent, readiness: 'contemplation' },
  housing: 'Private rented',
  supportNetwork: 'Limited; a sister nearby',
  risks: { toSelf: riskHigh ? 'high' : 'moderate', toOthers: 'low', selfNeglect: false, safeguarding: false },
  scores: { phq9: mentalHealth === 'severe' ? 22 : 12, audit: dependent ? 24 : 9 },
  canServiceAloneSupport: !dependent || mentalHealth !== 'severe',
  ...(dependent && mentalHealth === 'severe' ? { nextStep: 'jointCare' as const } : {}),
  consent: { sharing: 'given' },
  household: { dependentChildren: false, caringResponsibilities: false },
});

function journeys(sms: ReturnType<typeof ref>, cmht: ReturnType<typeof ref>, pcmhs: ReturnType<typeof ref>): Journey[] {
  const coordinator = (name: string) => ({ id: name.toLowerCase().replace(/\W+/g, '-'), name });
  return [
    // Q3 led by SMS, steps up to Q1 and is handed over to the CMHT.
    {
      to: sms.id,
      referral: { source: 'GP' },
      ageYears: 38,
      steps: [
        { as: sms.id, body: { type: 'referral.accept' }, days: 3 },
        { as: sms.id, body: assessment('moderate', true), days: 10 },
        { as: sms.id, body: { type: 'lead.assign', coordinator: coordinator('Sam Okafor') }, days: 2 },
        { as: sms.id, body: { type: 'careplan.agree', ...plan(sms.id) }, days: 7 },
        {
          as: sms.id,
          body: {
            type: 'assessment.review',
            mentalHealth: 'severe',
            substanceUse: { substances: ['alcohol'], currentUse: 'daily', dependent: true, readiness: 'preparation' },
            risks: { toSelf: 'high', toOthers: 'low', selfNeglect: true, safeguarding: false },
          },
          days: 40,
        },
        {
          as: sms.id,
          body: {
            type: 'handover.request',
            to: cmht,
            reason: 'stepUp',
            carePlan: plan(cmht.id),
            riskSummary: 'Rising risk to self and self-neglect since relapse',
            personInformed: true,
            senderContinuesAsSupport: true,
          },
          days: 1,
        },
        { as: cmht.id, body: { type: 'handover.accept', coordinator: coordinator('Alex Green') }, days: 12 },
      ],
    },
    // Q1 through MHS triage, joint care with SMS involved in parallel.
    {
      to: cmht.id,
      referral: { source: 'GP', referrer: { name: 'Dr Synthetic', qualification: 'other' } },
      ageYears: 45,
      steps: [
        { as: cmht.id, body: { type: 'referral.accept' }, days: 5 },
        { as: cmht.id, body: assessment('severe', true, true), days: 14 },
        { as: cmht.id, body: { type: 'lead.assign', coordinator: coordinator('Priya Shah') }, days: 1 },
        { as: cmht.id, body: { type: 'involvement.request', to: sms, purpose: 'joint work on alcohol dependence' }, days: 1 },
        { as: sms.id, body: { type: 'involvement.accept', involvementId: 'inv-1' }, days: 6 },
        { as: cmht.id, body: { type: 'careplan.agree', ...plan(cmht.id), cpa: true }, days: 10 },
      ],
    },
    // Declined referral: written reasons and a recommendation; the case closes.
    {
      to: sms.id,
      referral: { source: 'self', referrer: { name: 'Self-referral', qualification: 'other' } },
      ageYears: 29,
      steps: [
        {
          as: sms.id,
          body: {
            type: 'referral.decline',
            reason: 'needsBetterMetElsewhere',
            explanation: 'Gambling support is the main need',
            writtenToPerson: true,
            recommendationToReferrer: 'Refer to the regional gambling service',
            rightToChallengeGiven: true,
          },
          days: 9,
        },
      ],
    },
    // Q4 proposed to primary care mental health; waits for acceptance.
    {
      to: sms.id,
      referral: { source: 'GP' },
      ageYears: 52,
      steps: [
        { as: sms.id, body: { type: 'referral.accept' }, days: 4 },
        { as: sms.id, body: assessment('moderate', false), days: 12 },
        { as: sms.id, body: { type: 'lead.propose', to: pcmhs }, days: 2 },
        { as: pcmhs.id, body: { type: 'lead.accept', coordinator: coordinator('Jo Miles') }, days: 16 },
        { as: pcmhs.id, body: { type: 'careplan.agree', ...plan(pcmhs.id) }, days: 10 },
        { as: pcmhs.id, body: { type: 'case.close', reason: 'dischargedToGp', personInformed: true, gpInformed: true }, days: 60 },
      ],
    },
    // Under 18: redirected to CAMHS at referral.
    { to: cmht.id, referral: { source: 'GP', referrer: { name: 'Dr Rahman', qualification: 'other' } }, ageYears: 17, steps: [] },
  ];
}

export type DemoOptions = { cases: number; seed: number; endsAt?: Date };

/** Opens `cases` synthetic cases, each a journey cut at a random step, spread over the last 200 days. */
export async function seedDemoCohort(db: Db, { cases, seed, endsAt = new Date() }: DemoOptions): Promise<number> {
  const rng = random(seed);
  const rows = await db.select().from(agencies);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const find = (id: string) => {
    const a = byId.get(id);
    if (!a) throw new Error(`demo cohort needs agency ${id} in the directory`);
    return ref(a.id, a.kind, a.name);
  };
  const areaSets = [
    { area: 'WEST_KENT' as const, sms: 'cgl-west-kent', cmht: 'kmpt-cmht-maidstone', pcmhs: 'kmpt-pcmhs-maidstone' },
    { area: 'EAST_KENT' as const, sms: 'forward-trust-canterbury', cmht: 'kmpt-cmht-canterbury', pcmhs: 'kmpt-pcmhs-sw-kent' },
    { area: 'MEDWAY' as const, sms: 'forward-trust-medway', cmht: 'kmpt-cmht-medway', pcmhs: 'kmpt-pcmhs-medway' },
  ];
  const principal = (agencyId: string, role: Role = 'practitioner'): Principal => {
    const a = byId.get(agencyId);
    return { id: `demo-${agencyId}`, name: 'Demo practitioner', agencyId, agencyKind: a?.kind ?? null, role };
  };
  let opened = 0;
  for (let n = 0; n < cases; n++) {
    const set = rng.pick(areaSets);
    const list = journeys(find(set.sms), find(set.cmht), find(set.pcmhs));
    const journey = rng.pick(list);
    let clock = endsAt.getTime() - rng.int(30, 200) * 86_400_000;
    const now = () => new Date(clock);
    const birthYear = new Date(clock).getUTCFullYear() - journey.ageYears - 1;
    const referrer = journey.referral.source === 'self' ? principal(journey.to) : principal(set.cmht);
    const to = find(journey.to);
    const created = await openCase(
      db,
      {
        person: {
          dateOfBirth: `${birthYear}-${String(rng.int(1, 12)).padStart(2, '0')}-15`,
          area: set.area,
          givenName: 'Synthetic',
          familyName: `Person ${n + 1}`,
        },
        residency: 'permanent',
        referral: {
          source: 'GP',
          referrer: { name: 'Dr Synthetic', qualification: 'qualifiedMentalHealthPractitioner' },
          to,
          reasonForReferral: 'Low mood with heavy drinking (synthetic demo case)',
          consent: { sharing: 'given' },
          ...journey.referral,
        },
      },
      referrer,
      { now, synthetic: true },
    );
    opened++;
    const caseId = (created.body as { id: string }).id;
    const stopAt = rng.int(0, journey.steps.length);
    for (const s of journey.steps.slice(0, stopAt)) {
      clock += s.days * 86_400_000;
      if (clock > endsAt.getTime()) break;
      await applyEvent(db, caseId, s.body, principal(s.as, s.role), { now });
    }
  }
  return opened;
}

/** True when the database has no cases yet (the demo cohort is loaded only then). */
export async function isEmpty(db: Db): Promise<boolean> {
  const rows = await db.select({ id: casesTable.id }).from(casesTable).limit(1);
  return rows.length === 0;
}

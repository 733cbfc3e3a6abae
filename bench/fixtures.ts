/** Bench fixtures: a fresh database with cases in joint care, built through the real engine. */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agencies } from '../db/schema/index.ts';
import type { EventBody } from '../machines/events.ts';
import type { Principal } from '../server/auth.ts';
import { applyEvent } from '../server/engine/applyEvent.ts';
import { openCase } from '../server/engine/openCase.ts';

export const sms = { id: 'cgl-west-kent', kind: 'SMS' as const, name: 'Change Grow Live (CGL)' };
export const principal: Principal = { id: 'bench-keyworker', name: 'Bench', agencyId: sms.id, agencyKind: 'SMS', role: 'practitioner' };

/** The event the benchmarks repeat: a care-plan review by the lead, a self-transition that keeps the snapshot size steady. */
export const reviewBody: EventBody = {
  type: 'careplan.review',
  attendees: [{ name: 'Key worker', agencyId: sms.id }],
  invitedAgencies: [],
  consent: { sharing: 'given' },
  changes: 'Plan unchanged; next review agreed',
};

const journey: EventBody[] = [
  { type: 'referral.accept' },
  {
    type: 'assessment.record',
    mentalHealth: 'moderate',
    substanceUse: { substances: ['alcohol'], currentUse: 'daily', dependent: true, readiness: 'contemplation' },
    housing: 'stable',
    supportNetwork: 'family',
    risks: { toSelf: 'moderate', toOthers: 'low', selfNeglect: false, safeguarding: false },
    // R-SAFEGUARDING (version 2): dependent children and caring responsibilities are recorded at assessment.
    household: { dependentChildren: false, caringResponsibilities: false },
    canServiceAloneSupport: true,
    consent: { sharing: 'given' },
  },
  { type: 'lead.assign', coordinator: { id: 'kw-1', name: 'Bench Key Worker' } },
  {
    type: 'careplan.agree',
    roles: [{ agencyId: sms.id, responsibility: 'key work' }],
    relapseIndicators: ['missed appointments'],
    risks: ['overdose'],
    safetyPlan: 'crisis numbers shared',
    agreedWithPerson: true,
    cpa: false,
  },
];

/** Opens `n` cases and brings each into joint care with an agreed plan; returns their ids. */
export async function casesInJointCare(db: Db, n: number): Promise<string[]> {
  const [known] = await db.select().from(agencies).where(eq(agencies.id, sms.id));
  if (!known) throw new Error('directory not loaded');
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await openCase(
      db,
      {
        person: { dateOfBirth: '1985-06-01', area: 'WEST_KENT' },
        residency: 'permanent',
        referral: {
          source: 'GP',
          referrer: { name: 'Dr Bench', qualification: 'other' },
          to: sms,
          reasonForReferral: 'benchmark',
          consent: { sharing: 'given' },
        },
      },
      principal,
      { synthetic: true },
    );
    const id = (r.body as { id: string }).id;
    for (const body of journey) await applyEvent(db, id, body, principal);
    ids.push(id);
  }
  return ids;
}

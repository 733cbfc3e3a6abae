/**
 * A small hand-built history whose audit answers are known by hand, sent through the real API (engine, guards,
 * projections). All times are 09:00 UTC in 2026; the audits are read as of Mon 20 April 09:00.
 *
 * - A stalls: referred to CGL on 2 March, never accepted (49 days in referral, follow-up due 16 March).
 * - B crosses Easter: accepted Thu 2 April, assessed Thu 9 April (7 days, 3 working days: Good Friday and Easter Monday
 *   are bank holidays); misses an appointment on 13 April, followed up on 15 April.
 * - C bounces: a decline on the ground of substance use is refused (4 March), then declined properly (5 March);
 *   C2 is the person's re-referral (10 March), accepted 11 March and still in assessment (40 days).
 * - D is disputed before any lead (4–20 March, escalated on 10 March), then its handover to the CMHT is declined
 *   (21–23 March) and asked again on 25 March, unanswered (due 8 April).
 * - E is a first-episode psychosis referral to EIP (2 March), Q1, led by EIP from 10 March; misses 1 April, no follow-up.
 * - F is an EIP referral on 20 March (straight to assessment) that nobody has acted on since.
 */
import type { Role } from '../../machines/vocab.ts';
import type { TestApi } from '../support/api.ts';
import { testApi } from '../support/api.ts';
import type { TestDatabase } from '../support/database.ts';
import { appointmentBodies, bodies, body, coordinator } from '../support/pathwayFactory.ts';

export const asOf = '2026-04-20T09:00:00.000Z';
export const cgl = { id: 'cgl-west-kent', kind: 'SMS', name: 'CGL West Kent' } as const;
const cmht = { id: 'kmpt-cmht-maidstone', kind: 'MHS', service: 'CMHT', name: 'Maidstone CMHT' } as const;
const eip = { id: 'kmpt-eip-west-kent', kind: 'MHS', service: 'EIP', name: 'West Kent EIP' } as const;

type Ok = { status: number; json: Record<string, unknown>; text: string };
const must = (r: Ok, what: string): Ok => {
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r;
};

/** A referral body for opening a case (`POST /api/cases`). */
export const referral = (to: typeof cgl | typeof cmht | typeof eip, extra: Record<string, unknown> = {}) => {
  const { type: _t, person: _p, ...rest } = body.referral(to) as Record<string, unknown>;
  return { ...rest, ...extra };
};

/** Opens a case through the API as `as`, failing loudly if the engine refuses. */
export async function open(api: TestApi, as: string, area: string, dob: string, ref: Record<string, unknown>, person?: { id: string }) {
  const r = must(
    await api.request('POST', '/api/cases', {
      as,
      body: { person: person ?? { dateOfBirth: dob, area }, residency: 'permanent', referral: ref },
    }),
    'open',
  );
  return r.json as { id: string; reference: string; person?: { id: string } };
}

/** Starts a clock at a date (09:00 UTC) on the shared database. */
const at = (database: TestDatabase, day: string) => testApi(database, `2026-${day}T09:00:00.000Z`);

export async function buildHistory(database: TestDatabase): Promise<Record<'A' | 'B' | 'C' | 'C2' | 'D' | 'E' | 'F', string>> {
  /** One event on a day, with If-Match of the version the case is at. */
  const sendAt = async (day: string, id: string, as: string, b: unknown, role: Role = 'practitioner') => {
    const api = at(database, day);
    return api.request('POST', `/api/cases/${id}/events`, { as, role, body: b, headers: { 'If-Match': `"${await api.versionOf(id)}"` } });
  };
  const send = async (
    day: string,
    id: string,
    as: string,
    b: unknown,
    role: 'practitioner' | 'serviceManager' | 'clinicalDirector' = 'practitioner',
  ) => must(await sendAt(day, id, as, b, role), `${(b as { type: string }).type} on ${day}`);

  const A = await open(at(database, '03-02'), cgl.id, 'MEDWAY', '1980-05-01', referral(cgl));

  const B = await open(at(database, '03-30'), cgl.id, 'WEST_KENT', '1985-01-01', referral(cgl));
  await send('04-02', B.id, cgl.id, bodies.acceptReferral());
  await send('04-09', B.id, cgl.id, body.assessment('moderate', true));
  await send('04-10', B.id, cgl.id, bodies.assignLead());
  await send('04-10', B.id, cgl.id, body.carePlan());
  await send('04-13', B.id, cgl.id, appointmentBodies.missed('b-1', '2026-04-13T10:00:00.000Z'));
  await send('04-15', B.id, cgl.id, appointmentBodies.followUp('b-1'));

  const C = await open(at(database, '03-02'), cgl.id, 'WEST_KENT', '1990-02-02', referral(cgl));
  const refused = await sendAt('03-04', C.id, cgl.id, bodies.declineReferral({ reason: 'substanceUse' }));
  if (refused.status !== 422) throw new Error(`expected the forbidden decline to be refused, got ${refused.status}`);
  await send('03-05', C.id, cgl.id, bodies.declineReferral());
  const C2 = await open(at(database, '03-10'), cgl.id, 'WEST_KENT', '', referral(cgl), { id: C.person?.id as string });
  await send('03-11', C2.id, cgl.id, bodies.acceptReferral());

  const D = await open(
    at(database, '03-02'),
    cmht.id,
    'WEST_KENT',
    '1975-03-03',
    referral(cmht, { source: 'MHS', referrer: { name: 'Dr Mensah', qualification: 'consultantPsychiatrist' } }),
  );
  await send('03-03', D.id, cmht.id, body.assessment('moderate', true));
  await send('03-04', D.id, cmht.id, { type: 'dispute.raise', about: 'Drinking is the main need: CGL should lead', proposedLead: cgl });
  await send('03-10', D.id, cmht.id, bodies.escalateDispute(), 'serviceManager');
  // R-DISPUTE, R-LEAD-ACCEPTED: one side proposes, the service that becomes lead confirms, and the lead moves then.
  await send(
    '03-20',
    D.id,
    cmht.id,
    { type: 'dispute.propose', outcome: 'CGL leads: drinking is the main need', lead: cgl },
    'clinicalDirector',
  );
  await send('03-20', D.id, cgl.id, { type: 'dispute.confirm', coordinator: coordinator('Sam Okafor') }, 'clinicalDirector');
  const handover = body.handover(cmht, { reason: 'transfer', rationale: 'Psychosis suspected; the CMHT should assess and lead' });
  await send('03-21', D.id, cgl.id, handover);
  await send('03-23', D.id, cmht.id, bodies.declineHandover());
  await send('03-25', D.id, cgl.id, handover);

  const fep = { source: 'GP', suspectedFirstEpisodePsychosis: true };
  const E = await open(at(database, '03-02'), eip.id, 'WEST_KENT', '2006-06-06', referral(eip, fep));
  await send('03-09', E.id, eip.id, body.assessment('severe', true, { canServiceAloneSupport: false, nextStep: 'jointCare' }));
  await send('03-10', E.id, eip.id, bodies.assignLead({ coordinator: coordinator('Priya Shah') }));
  await send('04-01', E.id, eip.id, appointmentBodies.missed('e-1', '2026-04-01T10:00:00.000Z'));

  const F = await open(at(database, '03-20'), eip.id, 'EAST_KENT', '2001-07-07', referral(eip, fep));

  return { A: A.reference, B: B.reference, C: C.reference, C2: C2.reference, D: D.reference, E: E.reference, F: F.reference };
}

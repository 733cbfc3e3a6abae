/** The services a synthetic journey moves between, per area, taken from the service directory (P21 Appendix 3). */
import { directory } from '../../../db/seed/directory.ts';
import type { AgencyRef } from '../../../machines/events.ts';
import type { Area, MhsService } from '../../../machines/vocab.ts';

const byId = new Map(directory.map((a) => [a.id, a]));

/** An agency of the directory as events name it. */
export function agency(id: string, service?: MhsService): AgencyRef {
  const a = byId.get(id);
  if (!a) throw new Error(`cohort: agency ${id} is not in the service directory`);
  return { id: a.id, kind: a.kind, ...(service ? { service } : {}), name: a.name };
}

export type AreaServices = {
  sms: AgencyRef[];
  cmht: AgencyRef[];
  eip: AgencyRef;
  primary: AgencyRef[];
  asc: AgencyRef;
  iapt: AgencyRef;
  wraparound: AgencyRef;
};

const ids = (list: string[], service?: MhsService) => list.map((id) => agency(id, service));

export const servicesByArea: Record<Area, AreaServices> = {
  WEST_KENT: {
    sms: ids(['cgl-west-kent']),
    cmht: ids(['kmpt-cmht-maidstone', 'kmpt-cmht-dgs', 'kmpt-cmht-swk'], 'CMHT'),
    eip: agency('kmpt-eip-west-kent', 'EIP'),
    primary: ids(['kmpt-pcmhs-maidstone', 'kmpt-pcmhs-sw-kent']),
    asc: agency('kcc-adult-social-care'),
    iapt: agency('primary-care-psychological-services'),
    wraparound: agency('live-well-kent-medway'),
  },
  EAST_KENT: {
    sms: ids([
      'forward-trust-canterbury',
      'forward-trust-ashford',
      'forward-trust-dover',
      'forward-trust-margate',
      'forward-trust-sittingbourne',
    ]),
    cmht: ids(
      ['kmpt-cmht-canterbury', 'kmpt-cmht-ashford', 'kmpt-cmht-dover-deal', 'kmpt-cmht-shepway', 'kmpt-cmht-swale', 'kmpt-cmht-thanet'],
      'CMHT',
    ),
    eip: agency('kmpt-eip-east-kent', 'EIP'),
    // The directory lists no East Kent primary care mental health team; the county-wide administration takes referrals.
    primary: ids(['kmpt-pcmhs-primary-care-admin']),
    asc: agency('kcc-adult-social-care'),
    iapt: agency('primary-care-psychological-services'),
    wraparound: agency('live-well-kent-medway'),
  },
  MEDWAY: {
    sms: ids(['forward-trust-medway']),
    cmht: ids(['kmpt-cmht-medway'], 'CMHT'),
    eip: agency('kmpt-eip-west-kent', 'EIP'),
    primary: ids(['kmpt-pcmhs-medway']),
    asc: agency('medway-mental-health-social-work-team'),
    iapt: agency('primary-care-psychological-services'),
    wraparound: agency('live-well-kent-medway'),
  },
};

const given = [
  'Sam',
  'Alex',
  'Priya',
  'Jo',
  'Chris',
  'Aisha',
  'Tom',
  'Grace',
  'Femi',
  'Kate',
  'Ravi',
  'Leah',
  'Dan',
  'Maya',
  'Owen',
  'Zoe',
];
const family = ['Okafor', 'Green', 'Shah', 'Reed', 'Miles', 'Khan', 'Evans', 'Clarke', 'Patel', 'Wood', 'Hughes', 'Adeyemi'];

/** A care coordinator of an agency, one of a few per team so audits show realistic caseloads. */
export function coordinatorOf(agencyId: string, n: number): { id: string; name: string } {
  const g = given[n % given.length] as string;
  const f = family[(n * 7 + agencyId.length) % family.length] as string;
  return { id: `${agencyId}:${g.toLowerCase()}-${f.toLowerCase()}`, name: `${g} ${f}` };
}

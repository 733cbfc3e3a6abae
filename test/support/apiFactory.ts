/** Factories for API tests: directory services, NHS numbers, open-case bodies, and journeys sent over HTTP. */
import { randomInt } from 'node:crypto';
import { directory } from '../../db/seed/directory.ts';
import type { AgencyKind, AgencyRef, Area, EventBody, MhsService, ReferralSource, Role } from '../../machines/index.ts';
import type { OpenCaseBody } from '../../server/engine/openCase.ts';
import type { TestApi } from './api.ts';
import { bodies, body } from './pathwayFactory.ts';

/** A service of the seeded directory as an agency reference: the API knows agencies by their directory id. */
export function service(id: string, mhsService?: MhsService): AgencyRef & { name: string } {
  const row = directory.find((r) => r.id === id);
  if (!row) throw new Error(`no agency ${id} in db/seed/directory.json`);
  return { id: row.id, kind: row.kind, name: row.name, ...(mhsService ? { service: mhsService } : {}) };
}

/** The services the API suites act as, one or two of each kind. */
export const services = {
  sms: service('cgl-west-kent'),
  smsEast: service('forward-trust-canterbury'),
  cmht: service('kmpt-cmht-maidstone', 'CMHT'),
  cmhtMedway: service('kmpt-cmht-medway', 'CMHT'),
  eip: service('kmpt-eip-west-kent', 'EIP'),
  primary: service('kmpt-pcmhs-maidstone'),
  iapt: service('primary-care-psychological-services'),
  asc: service('kcc-adult-social-care'),
  wraparound: service('live-well-kent-medway'),
};
export type ServiceKey = keyof typeof services;

/** An agency id that is not in the directory (commissioners and auditors sit outside it). */
export const commissioningBody = 'kent-medway-icb';

/** A random NHS number with a valid Modulus 11 check digit. */
export function nhsNumber(): string {
  for (;;) {
    const digits = Array.from({ length: 9 }, () => randomInt(10));
    const check = 11 - (digits.reduce((sum, d, i) => sum + d * (10 - i), 0) % 11);
    if (check === 10) continue; // No valid number has this prefix.
    return [...digits, check === 11 ? 0 : check].join('');
  }
}

/** A ten-digit number whose check digit is wrong. */
export function invalidNhsNumber(): string {
  const valid = nhsNumber();
  return `${valid.slice(0, 9)}${(Number(valid[9]) + 1) % 10}`;
}

/** A date of birth giving exactly `ageYears` on the given day (40 days past the birthday). */
export function dateOfBirthFor(ageYears: number, on: Date): string {
  const birthday = Date.UTC(on.getUTCFullYear() - ageYears, on.getUTCMonth(), on.getUTCDate());
  return new Date(birthday - 40 * 86_400_000).toISOString().slice(0, 10);
}

const sourceByKind: Partial<Record<AgencyKind, ReferralSource>> = { PRIMARY: 'GP', SMS: 'SMS', MHS: 'MHS', ASC: 'ASC' };

export type ReferralOptions = {
  /** The receiving service. */
  to?: AgencyRef;
  /** The referring service: the token the request is sent with. */
  from?: AgencyRef;
  ageYears?: number;
  /** The day the age is computed for (the API's clock). */
  on?: Date;
  area?: Area | null;
  residency?: OpenCaseBody['residency'];
  person?: Partial<Extract<OpenCaseBody['person'], { dateOfBirth: string }>> | { id: string };
  referral?: Partial<OpenCaseBody['referral']>;
};

let people = 0;

/** A valid POST /api/cases body: a new, named person with an NHS number, referred by a GP practice to CGL West Kent. */
export function openCaseBody(o: ReferralOptions = {}): OpenCaseBody {
  const from = o.from ?? services.primary;
  const n = ++people;
  const person =
    o.person && 'id' in o.person
      ? o.person
      : {
          nhsNumber: nhsNumber(),
          givenName: `Robin${n}`,
          familyName: `Testperson${n}`,
          dateOfBirth: dateOfBirthFor(o.ageYears ?? 34, o.on ?? new Date()),
          area: o.area === undefined ? 'WEST_KENT' : o.area,
          ...o.person,
        };
  return {
    person,
    residency: o.residency ?? 'permanent',
    referral: {
      source: sourceByKind[from.kind] ?? 'other',
      referrer: { name: 'Dr Amara Patel', agencyId: from.id, qualification: 'other' },
      to: o.to ?? services.sms,
      reasonForReferral: 'Low mood and daily heavy drinking',
      consent: { sharing: 'given' },
      ...o.referral,
    },
  };
}

/** One event of a journey and the service that sends it. */
export type HttpStep = readonly [EventBody, AgencyRef];

/** Journeys (after the referral to CGL West Kent) that bring a case to a well-known point. */
export const httpJourneys = {
  /** CGL has accepted the referral and is assessing. */
  smsAssessing: (): HttpStep[] => [[bodies.acceptReferral(), services.sms]],
  /** CGL assessed a Q3 person (moderate mental health, dependent) and leads with a named coordinator. */
  smsLedQ3: (): HttpStep[] => [
    ...httpJourneys.smsAssessing(),
    [body.assessment('moderate', true), services.sms],
    [bodies.assignLead(), services.sms],
  ],
  /** …with a joint care plan agreed. */
  smsCarePlanned: (): HttpStep[] => [...httpJourneys.smsLedQ3(), [body.carePlan(), services.sms]],
  /** …reassessed as Q1: a handover to mental health services is required (R-STEP). */
  stepUpRequired: (): HttpStep[] => [...httpJourneys.smsCarePlanned(), [body.reassessment('severe', true), services.sms]],
  /** …handed over to the Maidstone CMHT, awaiting its acceptance. */
  handoverPending: (): HttpStep[] => [...httpJourneys.stepUpRequired(), [body.handover(services.cmht), services.sms]],
  /** …accepted: the CMHT leads. */
  handedOver: (): HttpStep[] => [...httpJourneys.handoverPending(), [bodies.acceptHandover(), services.cmht]],
};

/** The identifiers of a person the factory made up. */
export type NewPerson = { nhsNumber: string; givenName: string; familyName: string; dateOfBirth: string; area: Area | null };

/** POST /api/cases as the referring service; throws unless the case opened. */
export async function referCase(api: TestApi, o: ReferralOptions = {}) {
  const sent = openCaseBody({ on: api.now(), ...o });
  const res = await api.request('POST', '/api/cases', { as: (o.from ?? services.primary).id, body: sent });
  if (res.status !== 201) throw new Error(`POST /api/cases answered ${res.status}: ${res.text}`);
  return { id: res.json.id as string, body: sent, person: sent.person as NewPerson, res };
}

export type SendOptions = { role?: Role; headers?: Record<string, string> };

/**
 * POST /api/cases/:id/events as the step's service, with If-Match: the one given, or else the case's current version
 * (as a client that has just read it). A retry with an Idempotency-Key must pass the If-Match of its first attempt.
 */
export const sendEvent = async (api: TestApi, caseId: string, [event, as]: HttpStep, { role, headers = {} }: SendOptions = {}) => {
  const given = Object.keys(headers).some((h) => h.toLowerCase() === 'if-match');
  const version = given ? undefined : await api.versionOf(caseId);
  const ifMatch: Record<string, string> = version === undefined ? {} : { 'If-Match': `"${version}"` };
  return api.request('POST', `/api/cases/${caseId}/events`, { as: as.id, role, body: event, headers: { ...ifMatch, ...headers } });
};

/** Sends every step; throws on the first that is not applied. */
export async function playSteps(api: TestApi, caseId: string, steps: readonly HttpStep[]) {
  let last: Awaited<ReturnType<typeof sendEvent>> | undefined;
  for (const step of steps) {
    last = await sendEvent(api, caseId, step);
    if (last.status !== 200) throw new Error(`${step[0].type} answered ${last.status}: ${last.text}`);
  }
  return last;
}

/** Opens a case and plays a journey on it. */
export async function caseAt(api: TestApi, steps: readonly HttpStep[], o: ReferralOptions = {}) {
  const opened = await referCase(api, o);
  await playSteps(api, opened.id, steps);
  return opened;
}

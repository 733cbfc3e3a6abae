/**
 * Bad input never reaches the database: NUL characters, unpaired UTF-16 surrogates and dates outside 1900–2200 in
 * query strings, cursors and bodies are 400 problem+json at the edge — each input here once answered 500.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../machines/vocab.ts';
import type { TestApi } from '../support/api.ts';
import { databaseState, expectProblem } from '../support/apiChecks.ts';
import { caseAt, openCaseBody, services } from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { bodies } from '../support/pathwayFactory.ts';
import { useApi } from '../support/suite.ts';

const cursor = (at: string) => Buffer.from(`${at}|00000000-0000-4000-8000-000000000000`).toString('base64url');

/** Queries that once answered 500, and the role that may otherwise read them. */
const badQueries: [string, Role][] = [
  ['/api/cases?state=%00', 'practitioner'],
  ['/api/cases?state=active%00', 'practitioner'],
  ['/api/cases?phase=%00', 'practitioner'],
  ['/api/cases?lead=cgl-west-kent%00', 'practitioner'],
  [`/api/cases?cursor=${cursor('+275760-09-13T00:00:00.000Z')}`, 'practitioner'],
  [`/api/cases?cursor=${cursor('-271821-04-20T00:00:00.000Z')}`, 'practitioner'],
  [`/api/cases?cursor=${cursor('0000-01-01T00:00:00.000Z')}`, 'practitioner'],
  [`/api/cases?cursor=${cursor('20000-01-01')}`, 'practitioner'],
  ['/api/audits/stalled?lead=%00', 'auditor'],
  ['/api/audits/stalled?from=0000-01-01', 'auditor'],
  ['/api/audits/stalled?to=9999-12-31', 'auditor'],
  ['/api/audits/dwell?from=0000-01-01', 'auditor'],
  ['/api/audits/flow?from=0000-01-01', 'auditor'],
  ['/api/audits/quality?to=9999-12-31', 'auditor'],
  ['/api/audits/priority?to=9999-12-31T00:00:00Z', 'auditor'],
  ['/api/stats/states?lead=%00', 'auditor'],
  ['/api/stats/cases?state=%00', 'auditor'],
];

describe.each(backends)('bad input on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ database, api } = opened);
  });
  let caseId: string;
  beforeAll(async () => {
    caseId = (await caseAt(api, [])).id;
  });

  it.each(badQueries)('should answer GET %s with 400 problem+json', async (path, role) => {
    const res = await api.request('GET', path, { as: services.sms.id, role });
    const p = expectProblem(res, 400);
    expect(p.detail).toMatch(/NUL|surrogate|outside 1900|cursor/);
  });

  const person = (over: Record<string, unknown>) => {
    const b = openCaseBody({ on: api.now() }) as unknown as { person: object; referral: object };
    return { ...b, person: { ...b.person, ...over } };
  };
  const referral = (over: Record<string, unknown>) => {
    const b = openCaseBody({ on: api.now() }) as unknown as { person: object; referral: object };
    return { ...b, referral: { ...b.referral, ...over } };
  };
  const badOpenings: [string, () => unknown][] = [
    ['a NUL in givenName', () => person({ givenName: 'Ro\u0000bin' })],
    ['a NUL in familyName', () => person({ familyName: '\u0000' })],
    ['a lone high surrogate in givenName', () => person({ givenName: 'Ro\ud800bin' })],
    ['a lone low surrogate in familyName', () => person({ familyName: 'Smith\udc00' })],
    ['a NUL in the reason for referral', () => referral({ reasonForReferral: 'x\u0000' })],
    ['a lone surrogate in the reason for referral', () => referral({ reasonForReferral: 'x\ud800' })],
    ['a date of birth in year 0', () => person({ dateOfBirth: '0000-01-01' })],
    ['a date of birth in 9999', () => person({ dateOfBirth: '9999-12-31' })],
  ];
  it.each(badOpenings)('should answer POST /api/cases with %s by 400, writing nothing', async (_name, make) => {
    const before = await databaseState(database.db);
    const res = await api.request('POST', '/api/cases', { as: services.primary.id, body: make() });
    expectProblem(res, 400);
    expect(await databaseState(database.db)).toEqual(before);
  });

  it.each([
    ['a NUL', 'Your needs\u0000'],
    ['a lone surrogate', 'Your needs \udbff'],
  ])('should answer an event with %s in its free text by 400, writing nothing', async (_name, explanation) => {
    const before = await databaseState(database.db, caseId);
    const res = await api.request('POST', `/api/cases/${caseId}/events`, {
      as: services.sms.id,
      body: bodies.declineReferral({ explanation }),
      headers: { 'If-Match': '"1"' },
    });
    expectProblem(res, 400);
    expect(await databaseState(database.db, caseId)).toEqual(before);
  });

  it('should refuse a NUL or lone surrogate in a JSON key', async () => {
    for (const raw of ['{"type":"referral.accept","\\u0000":1}', '{"type":"referral.accept","\\ud800":1}']) {
      const res = await api.request('POST', `/api/cases/${caseId}/events`, {
        as: services.sms.id,
        body: raw,
        headers: { 'If-Match': '"1"' },
      });
      expectProblem(res, 400);
    }
  });

  it('should still accept text with paired surrogates (emoji) and dates inside 1900–2200', async () => {
    const res = await api.request('POST', '/api/cases', {
      as: services.primary.id,
      body: {
        ...referral({ reasonForReferral: 'Says he feels 😞 most days' }),
        person: { ...person({}).person, dateOfBirth: '1900-01-01' },
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(
      (await api.request('GET', '/api/audits/stalled?from=1900-01-01&to=2200-12-31', { as: services.sms.id, role: 'auditor' })).status,
    ).toBe(200);
  });
});

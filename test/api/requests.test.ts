/** Requests the API must turn away: bad credentials and malformed or hostile bodies — on every backend. */
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../server/auth.ts';
import type { TestApi } from '../support/api.ts';
import { testAuth } from '../support/api.ts';
import { databaseState, expectProblem } from '../support/apiChecks.ts';
import { caseAt, httpJourneys, openCaseBody, services } from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { bodies, body } from '../support/pathwayFactory.ts';
import { useApi } from '../support/suite.ts';

const claims = { sub: 'sam-okafor', name: 'Sam Okafor', agency: services.sms.id, role: 'practitioner' as const };
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const seconds = () => Math.floor(Date.now() / 1000);

/** Authorization headers that must not get anyone in. */
const badCredentials: [string, () => Promise<string | undefined>][] = [
  ['no token', async () => undefined],
  ['a Basic credential', async () => `Basic ${Buffer.from('sam:secret').toString('base64')}`],
  ['a token that is not a JWT', async () => 'Bearer not-a-token'],
  ['a token from another issuer', async () => `Bearer ${await mintToken({ ...testAuth, issuer: 'someone-else' }, claims)}`],
  ['a token for another audience', async () => `Bearer ${await mintToken({ ...testAuth, audience: 'another-api' }, claims)}`],
  [
    'a token signed with another secret',
    async () => `Bearer ${await mintToken({ ...testAuth, secret: 'another-secret-of-enough-length-0123456789' }, claims)}`,
  ],
  [
    'an unsigned token (alg none)',
    async () =>
      `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
        sub: claims.sub,
        agency: claims.agency,
        role: claims.role,
        iss: testAuth.issuer,
        aud: testAuth.audience,
        exp: seconds() + 3600,
      })}.`,
  ],
  [
    'a token signed with HS512 (algorithm not allowed)',
    async () =>
      `Bearer ${await new SignJWT({ agency: claims.agency, role: claims.role })
        .setProtectedHeader({ alg: 'HS512' })
        .setSubject(claims.sub)
        .setIssuer(testAuth.issuer)
        .setAudience(testAuth.audience)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(testAuth.secret))}`,
  ],
  [
    'an expired token',
    async () =>
      `Bearer ${await new SignJWT({ agency: claims.agency, role: claims.role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuer(testAuth.issuer)
        .setAudience(testAuth.audience)
        .setIssuedAt(seconds() - 7200)
        .setExpirationTime(seconds() - 3600)
        .sign(new TextEncoder().encode(testAuth.secret))}`,
  ],
  [
    'a token that names no agency',
    async () =>
      `Bearer ${await new SignJWT({ role: 'practitioner' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuer(testAuth.issuer)
        .setAudience(testAuth.audience)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(testAuth.secret))}`,
  ],
  [
    'a token with a role the pathway does not know',
    async () =>
      `Bearer ${await new SignJWT({ agency: claims.agency, role: 'superuser' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuer(testAuth.issuer)
        .setAudience(testAuth.audience)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(testAuth.secret))}`,
  ],
];

describe.each(backends)('request screening on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ database, api } = opened);
  });

  const eventsOf = (caseId: string) => `/api/cases/${caseId}/events`;

  describe('Authentication', () => {
    it.each(badCredentials)('should answer 401 problem+json to %s', async (_name, authorization) => {
      const opened = await caseAt(api, []);
      const before = await databaseState(database.db, opened.id);
      const header = await authorization();
      const headers: Record<string, string> = header ? { Authorization: header } : {};
      const attempts = [
        await api.request('GET', '/api/cases', { as: null, headers }),
        await api.request('GET', `/api/cases/${opened.id}`, { as: null, headers }),
        await api.request('POST', eventsOf(opened.id), { as: null, headers, body: bodies.acceptReferral() }),
        await api.request('POST', '/api/cases', { as: null, headers, body: openCaseBody() }),
      ];
      for (const res of attempts) {
        expectProblem(res, 401);
        expect(res.headers.get('WWW-Authenticate')).toBe('Bearer');
      }
      expect(await databaseState(database.db, opened.id)).toEqual(before);
    });
  });

  describe('Malformed and hostile bodies', () => {
    let caseId: string;
    beforeAll(async () => {
      caseId = (await caseAt(api, httpJourneys.smsLedQ3())).id;
    });
    const json = (value: unknown) => JSON.stringify(value);
    const plan = () => body.carePlan() as Record<string, unknown>;
    const hostileEvents: [string, { raw: string; contentType?: string }, number][] = [
      ['truncated JSON', { raw: json(plan()).slice(0, 40) }, 400],
      ['an empty body', { raw: '' }, 400],
      ['JSON sent as text/plain', { raw: json(plan()), contentType: 'text/plain' }, 415],
      ['a form instead of JSON', { raw: 'type=case.close', contentType: 'application/x-www-form-urlencoded' }, 415],
      ['a JSON array', { raw: json([plan()]) }, 400],
      ['JSON null', { raw: 'null' }, 400],
      ['a JSON string', { raw: json('careplan.agree') }, 400],
      ['no event type', { raw: json({ ...plan(), type: undefined }) }, 400],
      ['an unknown event type', { raw: json({ type: 'case.delete' }) }, 400],
      ['an inherited property as event type', { raw: json({ type: 'toString' }) }, 400],
      ['a number where an object belongs', { raw: json({ type: 'lead.assign', coordinator: 42 }) }, 400],
      ['a string where a boolean belongs', { raw: json({ ...plan(), agreedWithPerson: 'yes' }) }, 400],
      ['a text longer than allowed', { raw: json({ ...plan(), safetyPlan: 'x'.repeat(4001) }) }, 400],
      ['a body over 64 KiB', { raw: json({ ...plan(), safetyPlan: 'x'.repeat(70 * 1024) }) }, 413],
      ['a client-set state', { raw: json({ ...plan(), state: 'closed' }) }, 400],
      ['a client-set version', { raw: json({ ...plan(), version: 99 }) }, 400],
      [
        'a client-set actor',
        { raw: json({ ...plan(), actor: { id: 'x', agencyId: services.cmht.id, agencyKind: 'MHS', role: 'clinicalDirector' } }) },
        400,
      ],
      ['a client-set time', { raw: json({ ...plan(), at: '2020-01-01T00:00:00.000Z' }) }, 400],
      ['a __proto__ key', { raw: `{"__proto__":{"role":"system"},${json(plan()).slice(1)}` }, 400],
    ];

    it.each(hostileEvents)(
      'should answer an event with %s by problem+json, writing nothing',
      async (_name, { raw, contentType }, status) => {
        const before = await databaseState(database.db, caseId);
        const res = await api.request('POST', eventsOf(caseId), {
          as: services.sms.id,
          body: raw,
          headers: contentType ? { 'Content-Type': contentType } : {},
        });
        expectProblem(res, status);
        expect(await databaseState(database.db, caseId)).toEqual(before);
      },
    );

    const hostileOpenings: [string, (b: Record<string, unknown>) => string, number][] = [
      ['truncated JSON', (b) => json(b).slice(0, 60), 400],
      ['a client-set state', (b) => json({ ...b, state: ['closed'] }), 400],
      ['a client-set version', (b) => json({ ...b, version: 7 }), 400],
      ['a client-set episode', (b) => json({ ...b, episode: 3 }), 400],
      [
        'a client-set actor',
        (b) => json({ ...b, actor: { id: 'x', agencyId: services.sms.id, agencyKind: 'SMS', role: 'practitioner' } }),
        400,
      ],
      [
        'a client-set time in the referral',
        (b) => json({ ...b, referral: { ...(b.referral as object), at: '2020-01-01T00:00:00.000Z' } }),
        400,
      ],
      [
        'a client-set age',
        (b) => json({ ...b, referral: { ...(b.referral as object), person: { ageYears: 40, residency: 'permanent', area: 'MEDWAY' } } }),
        400,
      ],
      ['a date of birth that is not a date', (b) => json({ ...b, person: { ...(b.person as object), dateOfBirth: '1990-13-45' } }), 400],
      ['a body over 64 KiB', (b) => json({ ...b, referral: { ...(b.referral as object), reasonForReferral: 'x'.repeat(70 * 1024) } }), 413],
    ];

    it.each(hostileOpenings)('should answer a referral with %s by problem+json, writing nothing', async (_name, make, status) => {
      const before = await databaseState(database.db);
      const raw = make(openCaseBody({ on: api.now() }) as unknown as Record<string, unknown>);
      expectProblem(await api.request('POST', '/api/cases', { as: services.primary.id, body: raw }), status);
      expect(await databaseState(database.db)).toEqual(before);
    });

    it('should answer a referral sent as text/plain with 415', async () => {
      const res = await api.request('POST', '/api/cases', {
        as: services.primary.id,
        body: json(openCaseBody()),
        headers: { 'Content-Type': 'text/plain' },
      });
      expectProblem(res, 415);
    });
  });
});

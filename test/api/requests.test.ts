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
        .setIssuedAt()
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
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(testAuth.secret))}`,
  ],
  ['a token that never expires (no exp)', async () => `Bearer ${await signed({ iat: seconds() })}`],
  ['a token that does not say when it was issued (no iat)', async () => `Bearer ${await signed({ exp: seconds() + 3600 })}`],
  ['a token living longer than 12 hours', async () => `Bearer ${await signed({ iat: seconds(), exp: seconds() + 13 * 3600 })}`],
  ['a token issued more than 12 hours ago', async () => `Bearer ${await signed({ iat: seconds() - 13 * 3600, exp: seconds() + 60 })}`],
  ['a token issued in the future', async () => `Bearer ${await signed({ iat: seconds() + 3600, exp: seconds() + 7200 })}`],
];

/** A token of the test issuer with exactly the given times (none set unless given). */
function signed(times: { iat?: number; exp?: number }) {
  const jwt = new SignJWT({ agency: claims.agency, role: claims.role, ...times })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(testAuth.issuer)
    .setAudience(testAuth.audience);
  return jwt.sign(new TextEncoder().encode(testAuth.secret));
}

/** Authenticated callers the pathway does not know: each gets 403 on every route, reads included. */
const strangers: [string, { agency: string; role: string }][] = [
  ['an agency outside the directory', { agency: 'not-in-directory', role: 'practitioner' }],
  ['an auditor of an agency outside the directory', { agency: 'not-in-directory', role: 'auditor' }],
  ['a practitioner of an oversight body', { agency: 'kent-medway-icb', role: 'practitioner' }],
  ['a role the pathway does not know', { agency: claims.agency, role: 'superuser' }],
  ['the engine’s own role (system)', { agency: claims.agency, role: 'system' }],
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

  describe('Response headers', () => {
    it('should mark every API answer no-store, errors and streams included, under a CSP that forbids framing', async () => {
      const opened = await caseAt(api, []);
      const answers = [
        await api.request('GET', '/api/cases'),
        await api.request('GET', `/api/cases/${opened.id}`),
        await api.request('GET', '/api/exports/event-log?format=csv', { role: 'auditor' }),
        await api.request('GET', '/api/nope'),
        await api.request('GET', '/api/cases', { as: null }),
        await api.request('POST', eventsOf(opened.id), { body: bodies.acceptReferral() }),
        await api.request('GET', '/api/pathway', { as: null }),
        await api.request('GET', '/healthz', { as: null }),
      ];
      for (const res of answers) {
        expect(res.headers.get('Cache-Control'), String(res.status)).toBe('no-store');
        const csp = res.headers.get('Content-Security-Policy') ?? '';
        for (const directive of ["frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "default-src 'self'"]) {
          expect(csp).toContain(directive);
        }
      }
    });
  });

  describe('Principals the pathway does not know', () => {
    it.each(strangers)('should answer 403 on every route to %s', async (_name, who) => {
      const opened = await caseAt(api, []);
      const before = await databaseState(database.db, opened.id);
      const token = await new SignJWT({ agency: who.agency, role: who.role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('stranger')
        .setIssuer(testAuth.issuer)
        .setAudience(testAuth.audience)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(testAuth.secret));
      const headers = { Authorization: `Bearer ${token}` };
      const reads = [
        '/api/cases',
        `/api/cases/${opened.id}`,
        `/api/cases/${opened.id}/events`,
        `/api/cases/${opened.id}/inspect`,
        '/api/inspect',
        '/api/worklist',
        '/api/stats/states',
        '/api/stats/cases?state=referral',
        '/api/audits',
        '/api/audits/stalled',
        '/api/exports/event-log?format=csv',
      ];
      for (const path of reads) expectProblem(await api.request('GET', path, { as: null, headers }), 403);
      expectProblem(await api.request('POST', '/api/cases', { as: null, headers, body: openCaseBody() }), 403);
      expectProblem(
        await api.request('POST', eventsOf(opened.id), {
          as: null,
          headers: { ...headers, 'If-Match': '"1"' },
          body: bodies.acceptReferral(),
        }),
        403,
      );
      expect(await databaseState(database.db, opened.id)).toEqual(before);
    });

    it('should let commissioners and auditors of an oversight body read what their role reads', async () => {
      expect((await api.request('GET', '/api/audits', { as: 'kent-medway-icb', role: 'auditor' })).status).toBe(200);
      expect((await api.request('GET', '/api/cases', { as: 'kent-medway-icb', role: 'commissioner' })).status).toBe(200);
    });

    it('should take the Bearer scheme in any case', async () => {
      const token = await api.token(services.sms.id);
      for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
        const res = await api.request('GET', '/api/cases', { as: null, headers: { Authorization: `${scheme} ${token}` } });
        expect(res.status, scheme).toBe(200);
      }
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

import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../../db/schema/index.ts';
import { eventTypes } from '../../machines/events.ts';
import { roles } from '../../machines/vocab.ts';
import { mintToken } from '../../server/auth.ts';
import { testApi, testAuth } from '../support/api.ts';
import { anyBodyArb } from '../support/arbitraries.ts';
import { backends, type TestDatabase } from '../support/database.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 20_000);
/** Stands for the If-Match of the version the case is at when the request is sent. */
const CURRENT = 'current version';
/** Stands for an If-Match one version behind the case (a client that read it before the last change). */
const STALE = 'stale version';
const agencyIds = ['cgl-west-kent', 'kmpt-cmht-maidstone', 'kmpt-pcmhs-maidstone', 'forward-trust-canterbury', 'not-in-directory'];

/** What the database holds, in a few numbers: a refused request must leave all of them as they were. */
async function fingerprint(database: TestDatabase): Promise<string> {
  const rows = await database.db.execute(sql`select
      (select count(*) from cases) as cases,
      (select coalesce(sum(version), 0) from cases) as versions,
      (select count(*) from case_events) as events,
      (select count(*) from service_users) as people,
      (select count(*) from idempotency_keys) as keys,
      (select count(*) from case_deadlines) as deadlines`);
  const list = (rows as unknown as { rows?: unknown[] }).rows ?? (rows as unknown as unknown[]);
  return JSON.stringify(list[0]);
}

const referral = {
  person: { dateOfBirth: '1984-02-02', area: 'WEST_KENT' },
  residency: 'permanent',
  referral: {
    source: 'GP',
    referrer: { name: 'Dr Fuzz', qualification: 'other' },
    to: { id: 'cgl-west-kent', kind: 'SMS' },
    reasonForReferral: 'fuzzing',
    consent: { sharing: 'given' },
  },
};

const hostileValue = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.string({ minLength: 5000, maxLength: 20_000 }),
  fc.integer(),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }).map((n) => Number(n)),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308, Number.MIN_VALUE),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('referral.accept', 'case.close', 'active.jointCare', '__proto__', 'constructor'),
  unfitText(),
);
/** Text no column can hold and dates no record names: NUL, unpaired surrogates, years outside 1900–2200. */
function unfitText() {
  return fc.oneof(
    fc.constantFrom('\u0000', 'Ro\u0000bin', '\ud800', 'x\udbff', '\udc00y', '0000-01-01', '9999-12-31', '1899-12-31T23:59:59Z'),
    fc.constantFrom('+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '20000-01-01'),
    fc
      .tuple(fc.string({ maxLength: 10 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 10 }))
      .map(([a, unit, b]) => `${a}${String.fromCharCode(unit)}${b}`),
  );
}
/** A query value as a client would send it, percent-encoded (unpaired surrogates cannot be, so they go as bytes). */
const queryValue = (value: string) => {
  try {
    return encodeURIComponent(value);
  } catch {
    return value.replace(/[\ud800-\udfff]/g, '%ED%A0%80');
  }
};
const cursorOf = (at: string) => Buffer.from(`${at}|00000000-0000-4000-8000-000000000000`).toString('base64url');
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe.each(backends.slice(0, 1))('fuzzing the API with hostile requests on $name', (backend) => {
  let database: TestDatabase;
  const caseIds: string[] = [];
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    database = await backend.open();
    const api = testApi(database);
    for (let i = 0; i < 3; i++) {
      const r = await api.request('POST', '/api/cases', {
        as: 'kmpt-pcmhs-maidstone',
        body: { ...referral, person: { ...referral.person, dateOfBirth: `198${i}-02-02` } },
      });
      caseIds.push(r.json.id as string);
    }
    const accepted = await api.request('POST', `/api/cases/${caseIds[1]}/events`, {
      as: 'cgl-west-kent',
      body: { type: 'referral.accept' },
      headers: { 'If-Match': '"1"' },
    });
    expect(accepted.status, accepted.text).toBe(200);
    for (const agency of agencyIds)
      for (const role of roles) tokens[`${agency}|${role}`] = await mintToken(testAuth, { sub: `${agency}-${role}`, agency, role });
    tokens.wrongSecret = await mintToken(
      { ...testAuth, secret: 'another-secret-another-secret-another-secret' },
      { sub: 'x', agency: 'cgl-west-kent', role: 'practitioner' },
    );
    tokens.expired = await mintToken(testAuth, { sub: 'x', agency: 'cgl-west-kent', role: 'practitioner' }, '-1h');
    tokens.none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","agency":"cgl-west-kent","role":"practitioner"}').toString('base64url')}.`;
  });
  afterAll(async () => database.drop());

  it(`should answer ${RUNS} hostile requests with no 5xx, problem+json for every error, and no change from any refused one`, async () => {
    const api = testApi(database);
    const path = fc.oneof(
      fc.constantFrom(...caseIds).map((id) => `/api/cases/${id}/events`),
      fc.constantFrom(...caseIds).map((id) => `/api/cases/${id}`),
      fc.constant('/api/cases'),
      fc.constant('/api/cases/00000000-0000-4000-8000-000000000000/events'),
      fc.constantFrom(
        '/api/cases/not-a-uuid/events',
        '/api/cases/%00/events',
        '/api/../etc/passwd',
        '/api/cases?limit=1e9&cursor=%%%',
        '/api/nope',
      ),
      // Filters, periods and cursors carrying unfit text or dates, on every listing that reads them.
      fc
        .tuple(
          fc.constantFrom(
            '/api/cases?state=',
            '/api/cases?phase=',
            '/api/cases?lead=',
            '/api/audits/stalled?lead=',
            '/api/audits/stalled?from=',
            '/api/audits/dwell?to=',
            '/api/audits/flow?from=',
            '/api/stats/states?lead=',
            '/api/stats/cases?state=',
          ),
          fc.oneof(unfitText().map(queryValue), fc.constantFrom('%00', 'a%00', '%ED%A0%80', '%C0%80', '%')),
        )
        .map(([p, v]) => p + v),
      fc.oneof(unfitText(), fc.string({ maxLength: 40 })).map((at) => `/api/cases?cursor=${cursorOf(at)}`),
    );
    const body = fc.oneof(
      // Schema-valid events of every type: most are refused by the protocol in these states (422, 403).
      anyBodyArb.map((b) => JSON.stringify(b)),
      // A well-formed event of a random type with hostile field values: valid types in wrong states, wrong shapes.
      fc
        .record({ type: fc.constantFrom(...eventTypes), extra: fc.dictionary(fc.string({ maxLength: 12 }), hostileValue, { maxKeys: 4 }) })
        .map(({ type, extra }) => JSON.stringify({ type, ...extra })),
      fc.constantFrom(...eventTypes).map((type) => JSON.stringify({ type })),
      fc.record({ type: fc.string({ maxLength: 30 }) }).map((b) => JSON.stringify(b)),
      fc.constant('{"type":"referral.accept","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
      fc.constant(
        '{"type":"referral.accept","state":"closed","version":99,"actor":{"id":"x","agencyId":"cgl-west-kent","agencyKind":"SMS","role":"system"},"at":"2020-01-01T00:00:00Z"}',
      ),
      fc.integer({ min: 1, max: 60 }).map((n) => JSON.stringify({ type: 'referral.accept', note: 'x' }).slice(0, n)),
      fc.integer({ min: 100, max: 5000 }).map(nested),
      fc.constant(JSON.stringify({ ...referral, extra: 1 })),
      fc.constant(JSON.stringify(referral)).map((s) => s.replace('"1984-02-02"', '"1984-13-45"')),
      fc.string({ minLength: 70_000, maxLength: 70_001 }).map((s) => JSON.stringify({ type: 'referral.accept', note: s })),
      fc.json({ maxDepth: 4 }),
      // A referral whose identifiers or free text carry unfit text or dates.
      fc
        .tuple(fc.constantFrom('givenName', 'familyName', 'dateOfBirth'), unfitText())
        .map(([field, value]) => JSON.stringify({ ...referral, person: { ...referral.person, [field]: value } })),
      unfitText().map((value) => JSON.stringify({ ...referral, referral: { ...referral.referral, reasonForReferral: value } })),
      fc.constant(undefined),
    );
    const auth = fc.oneof(
      fc.constantFrom(...Object.keys(tokens)).map((k) => `Bearer ${tokens[k]}`),
      // The services with a part in the cases (the referrer and the receiver): others are not told a case exists (404).
      fc
        .constantFrom('kmpt-pcmhs-maidstone|practitioner', 'cgl-west-kent|practitioner', 'cgl-west-kent|serviceManager')
        .map((k) => `Bearer ${tokens[k]}`),
      fc.constantFrom(undefined, 'Bearer', 'Bearer garbage.garbage.garbage', 'Basic dXNlcjpwYXNz', `Bearer ${'a'.repeat(5000)}`),
    );
    const request = fc.record({
      method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH'),
      path,
      body,
      auth,
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        undefined,
        'application/json; charset=utf-8',
        'application/problem+json',
      ),
      // Mostly the version the case is at (as a client that has just read it), else stale or malformed preconditions.
      ifMatch: fc.option(
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(CURRENT) },
          fc.constant(STALE),
          fc.constantFrom('"1"', '"2"', 'W/"1"', '*', '"99999999999"', '"-1"'),
          fc.string({ maxLength: 20 }),
        ),
        { nil: undefined },
      ),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), fc.string({ maxLength: 300 })), { nil: undefined }),
    });

    let before = await fingerprint(database);
    let served = 0;
    let serverErrors = 0;
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.auth) headers.Authorization = r.auth;
        if (r.contentType) headers['Content-Type'] = r.contentType;
        if (r.ifMatch === CURRENT || r.ifMatch === STALE) {
          const id = /\/api\/cases\/([0-9a-f-]{36})\//.exec(r.path)?.[1];
          const [row] = id ? await database.db.select({ version: cases.version }).from(cases).where(eq(cases.id, id)) : [];
          headers['If-Match'] = `"${(row?.version ?? 1) + (r.ifMatch === STALE ? 1 : 0)}"`;
        } else if (r.ifMatch) headers['If-Match'] = r.ifMatch;
        if (r.idempotencyKey) headers['Idempotency-Key'] = r.idempotencyKey;
        let res: Response;
        try {
          res = await api.app.request(r.path, { method: r.method, headers, body: r.method === 'GET' ? undefined : r.body });
        } catch (error) {
          // Header values the Fetch API itself refuses never reach the server.
          if (error instanceof TypeError) return;
          throw error;
        }
        served++;
        statuses.add(res.status);
        if (res.status >= 500) serverErrors++;
        const text = await res.text();
        expect(res.status).toBeLessThan(500);
        const after = await fingerprint(database);
        if (res.status >= 400) {
          expect(res.headers.get('Content-Type')).toBe('application/problem+json');
          const p = JSON.parse(text) as Record<string, unknown>;
          expect(p).toMatchObject({ type: expect.any(String), title: expect.any(String), status: res.status, detail: expect.any(String) });
          expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
          expect(after).toBe(before);
        }
        before = after;
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261123) },
    );
    console.info(`fuzz: ${served} requests served, ${serverErrors} answered 5xx; statuses ${[...statuses].sort().join(' ')}`);
    expect(serverErrors).toBe(0);
    expect(served).toBeGreaterThan(RUNS * 0.9);
    // The generator must reach every kind of answer, or it is not testing much.
    for (const status of [200, 400, 401, 403, 404, 412, 413, 415, 422, 428]) expect([...statuses]).toContain(status);
  }, 600_000);
});

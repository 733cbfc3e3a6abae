/**
 * Nothing a person told a service reaches the log: every error path a request can take — the database failing a
 * person's insert or an event's write, a crash in a route after the write, refusals, validation, authentication,
 * preconditions, conflicts — is provoked with a sentinel in the identifiers and free text, and no log line holds it.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger, redactMessage, safeError } from '../../server/log.ts';
import { type TestApi, testApi } from '../support/api.ts';
import { caseAt, httpJourneys, nhsNumber, openCaseBody, services } from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { bodies, body } from '../support/pathwayFactory.ts';
import { useDatabase } from '../support/suite.ts';

/** Words no code or schema holds: any log line with one of them leaked a request's content. */
const SENTINEL = 'Zqxwvsentinel';
const sentinelName = `${SENTINEL}given`;
const sentinelFamily = `${SENTINEL}family`;
const sentinelText = `${SENTINEL} said she hears voices and drinks daily`;

describe.each(backends)('what reaches the log on $name', (backend) => {
  const db = useDatabase(backend);
  let database: TestDatabase;
  let api: TestApi;
  const lines: string[] = [];
  const statuses: Record<string, number> = {};
  const nhs = nhsNumber();
  let crashAfterWrite = false;

  beforeAll(async () => {
    database = db.database;
    const log = createLogger('trace', { write: (line: string) => void lines.push(line) });
    api = testApi(database, undefined, {
      log,
      onApplied: (applied) => {
        // A listener failing after commit: its error quotes the event, free text and all.
        if (crashAfterWrite) {
          throw Object.assign(new Error(`listener failed for ${JSON.stringify(applied.event)}`), { body: applied.event, nhs });
        }
      },
    });
    // The database refuses the sentinel name (a check constraint) and any event carrying the sentinel (a trigger):
    // each failure's query carries the person's identifiers or the case's snapshot as parameters.
    await database.db.execute(
      sql.raw(`alter table service_users add constraint test_refuses_sentinel check (given_name is distinct from '${sentinelName}x')`),
    );
    await database.db.execute(
      sql.raw(`create function test_refuse_event() returns trigger language plpgsql as $$
        begin
          if new.payload::text like '%${SENTINEL}%failwrite%' then raise exception 'event write refused by the test'; end if;
          return new;
        end $$`),
    );
    await database.db.execute(
      sql.raw('create trigger test_refuse_event before insert on case_events for each row execute function test_refuse_event()'),
    );
  });

  const person = (over: Record<string, unknown> = {}) => ({
    nhsNumber: nhs,
    givenName: sentinelName,
    familyName: sentinelFamily,
    dateOfBirth: '1984-02-02',
    area: 'WEST_KENT' as const,
    ...over,
  });

  it('should provoke every error path with the sentinel', async () => {
    const opened = await caseAt(api, httpJourneys.smsAssessing(), { person: person() });
    const eventsOf = `/api/cases/${opened.id}/events`;
    const version = async () => `"${(await api.request('GET', `/api/cases/${opened.id}`, { as: services.sms.id })).json.version}"`;
    const attempt = async (name: string, run: () => Promise<{ status: number }>) => {
      statuses[name] = (await run()).status;
    };

    await attempt('database fails the person insert (500)', () =>
      api.request('POST', '/api/cases', {
        as: services.primary.id,
        body: { ...openCaseBody({ on: api.now() }), person: person({ nhsNumber: nhsNumber(), givenName: `${sentinelName}x` }) },
      }),
    );
    await attempt('database fails the event write (500)', async () =>
      api.request('POST', eventsOf, {
        as: services.sms.id,
        body: body.assessment('moderate', true, { housing: `${sentinelText} failwrite` }),
        headers: { 'If-Match': await version() },
      }),
    );
    await attempt('a crash in the route after the write (500)', async () => {
      crashAfterWrite = true;
      try {
        return await api.request('POST', eventsOf, {
          as: services.sms.id,
          body: bodies.consent('given'),
          headers: { 'If-Match': await version() },
        });
      } finally {
        crashAfterWrite = false;
      }
    });
    await attempt('refused by the protocol (422)', async () =>
      api.request('POST', eventsOf, {
        as: services.sms.id,
        body: bodies.declineReferral({ explanation: sentinelText }),
        headers: { 'If-Match': await version() },
      }),
    );
    await attempt('validation (400)', async () =>
      api.request('POST', eventsOf, {
        as: services.sms.id,
        body: { type: 'careplan.agree', safetyPlan: 42, note: sentinelText },
        headers: { 'If-Match': await version() },
      }),
    );
    await attempt('unfit text at the edge (400)', () =>
      api.request('POST', '/api/cases', {
        as: services.primary.id,
        body: { ...openCaseBody(), person: person({ givenName: `${sentinelName}\u0000` }) },
      }),
    );
    await attempt('a person already in an open case (409)', () =>
      api.request('POST', '/api/cases', { as: services.primary.id, body: { ...openCaseBody({ on: api.now() }), person: person() } }),
    );
    await attempt('a stale If-Match (412)', () =>
      api.request('POST', eventsOf, {
        as: services.sms.id,
        body: { ...bodies.consent('given'), note: sentinelText },
        headers: { 'If-Match': '"1"' },
      }),
    );
    await attempt('no If-Match (428)', () => api.request('POST', eventsOf, { as: services.sms.id, body: { ...bodies.consent('given') } }));
    await attempt('a body too large (413)', () =>
      api.request('POST', eventsOf, { as: services.sms.id, body: { type: 'careplan.agree', note: sentinelText.repeat(2000) } }),
    );
    await attempt('not JSON (415)', () =>
      api.request('POST', '/api/cases', { as: services.primary.id, body: sentinelText, headers: { 'Content-Type': 'text/plain' } }),
    );
    await attempt('a bad token (401)', () =>
      api.request('GET', `/api/cases?lead=${SENTINEL}`, {
        as: null,
        headers: { Authorization: `Bearer ${SENTINEL}.${SENTINEL}.${SENTINEL}` },
      }),
    );
    await attempt('a read-only role writing (403)', () =>
      api.request('POST', '/api/cases', { as: services.sms.id, role: 'auditor', body: { ...openCaseBody(), person: person() } }),
    );
    await attempt('no such route (404)', () => api.request('GET', `/api/${SENTINEL}/${nhs}`, { as: services.sms.id }));
    const key = randomUUID();
    await attempt('an Idempotency-Key reused with another body (422)', async () => {
      const headers = { 'If-Match': await version(), 'Idempotency-Key': key };
      await api.request('POST', eventsOf, { as: services.sms.id, body: bodies.consent('given'), headers });
      return api.request('POST', eventsOf, { as: services.sms.id, body: { ...bodies.consent('refused'), note: sentinelText }, headers });
    });

    expect(statuses).toEqual({
      'database fails the person insert (500)': 500,
      'database fails the event write (500)': 500,
      'a crash in the route after the write (500)': 500,
      'refused by the protocol (422)': 422,
      'validation (400)': 400,
      'unfit text at the edge (400)': 400,
      'a person already in an open case (409)': 409,
      'a stale If-Match (412)': 412,
      'no If-Match (428)': 428,
      'a body too large (413)': 413,
      'not JSON (415)': 415,
      'a bad token (401)': 401,
      'a read-only role writing (403)': 403,
      'no such route (404)': 404,
      'an Idempotency-Key reused with another body (422)': 422,
    });
  });

  it('should log each failure usefully and no line with the sentinel, the NHS number or a snapshot', () => {
    const errors = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'unhandled error');
    expect(errors).toHaveLength(3);
    for (const e of errors) expect(e.err).toMatchObject({ type: expect.any(String), stack: expect.stringMatching(/^\s+at /) });
    // The database failures keep their SQLSTATE (check violation, raised exception) for whoever reads the log.
    const codes = errors.map((e) => JSON.stringify(e.err)).join('\n');
    expect(codes).toContain('23514');
    expect(codes).toContain('P0001');
    expect(lines.filter((l) => l.includes('"msg":"request"')).length).toBeGreaterThanOrEqual(15);
    const all = lines.join('');
    for (const secret of [SENTINEL, SENTINEL.toLowerCase(), nhs, 'hears voices', 'failwrite', '"snapshot"', '"payload"', 'Failed query:']) {
      expect(all).not.toContain(secret);
    }
  });
});

describe('the error serializer', () => {
  it('should keep type, SQLSTATE and frames and drop query, parameters, details and quoted values', () => {
    const cause = Object.assign(new Error(`invalid input syntax for type uuid: "${SENTINEL}"`), {
      code: '22P02',
      detail: `Key (nhs_number)=(9434765919) ${SENTINEL}`,
      table_name: 'service_users',
    });
    const error = Object.assign(new Error(`Failed query: insert into service_users values ($1)\nparams: ${SENTINEL},9434765919`), {
      query: 'insert into service_users values ($1)',
      params: [SENTINEL, '9434765919'],
      cause,
    });
    const safe = safeError(error);
    expect(safe).toMatchObject({
      type: 'Error',
      message: 'Failed query (statement and parameters not logged)',
      cause: { type: 'Error', message: 'invalid input syntax for type uuid: "…"', code: '22P02', table_name: 'service_users' },
    });
    expect(JSON.stringify(safe)).not.toMatch(new RegExp(`${SENTINEL}|9434765919|params|detail`));
    expect(redactMessage(`duplicate key value violates unique constraint "x"; Key (nhs_number)=(9434765919) exists`)).toBe(
      'duplicate key value violates unique constraint "…"; Key (nhs_number)=(…) exists',
    );
    expect(safeError('thrown text with a name')).toEqual({ type: 'string', message: 'a non-error value was thrown' });
  });
});

/**
 * Opening a case for a person already known by NHS number tells the caller nothing it did not send: not the stored
 * name or date of birth, not the reference of a case it has no part in. A mismatch is a 409 naming the field.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { idempotencyKeys } from '../../db/schema/index.ts';
import { purgeExpiredAnswers } from '../../server/engine/idempotency.ts';
import type { TestApi } from '../support/api.ts';
import { caseOf, databaseState, expectProblem } from '../support/apiChecks.ts';
import { type NewPerson, openCaseBody, referCase, sendEvent, services } from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { bodies } from '../support/pathwayFactory.ts';
import { useApi } from '../support/suite.ts';

describe.each(backends)('person matching on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ database, api } = opened);
  });

  /** A person known from a case CGL declined (so a new episode may open), referred by a GP practice. */
  let known: NewPerson;
  let firstCase: { id: string; reference: string };
  beforeEach(async () => {
    const first = await referCase(api);
    known = first.person;
    firstCase = { id: first.id, reference: first.res.json.reference as string };
  });
  const close = async () => expect((await sendEvent(api, firstCase.id, [bodies.declineReferral(), services.sms])).status).toBe(200);

  /** A referral by the Maidstone CMHT, which has no part in the first case, to CGL. */
  const referByStranger = (person: Record<string, unknown>, headers: Record<string, string> = {}) =>
    api.request('POST', '/api/cases', {
      as: services.cmht.id,
      body: openCaseBody({ on: api.now(), from: services.cmht, person: person as NewPerson }),
      headers,
    });
  const stored = (p: NewPerson) => [p.givenName, p.familyName, p.dateOfBirth];

  it('should open a new episode by NHS number and date of birth, answering with those and the person’s id only', async () => {
    await close();
    const res = await referByStranger({
      nhsNumber: known.nhsNumber,
      dateOfBirth: known.dateOfBirth,
      givenName: undefined,
      familyName: undefined,
    });
    expect(res.status, res.text).toBe(201);
    expect(caseOf(res).episode).toBe(2);
    expect(caseOf(res).person).toEqual({
      id: expect.any(String),
      nhsNumber: known.nhsNumber,
      dateOfBirth: known.dateOfBirth,
      synthetic: false,
    });
    expect(res.text).not.toContain(known.givenName);
    expect(res.text).not.toContain(known.familyName);
  });

  it('should not answer with the stored given name when the caller sent another one', async () => {
    await close();
    const res = await referByStranger({
      nhsNumber: known.nhsNumber,
      dateOfBirth: known.dateOfBirth,
      givenName: 'Made-up',
      familyName: known.familyName,
    });
    expect(res.status, res.text).toBe(201);
    expect(caseOf(res).person).toEqual({
      id: expect.any(String),
      nhsNumber: known.nhsNumber,
      dateOfBirth: known.dateOfBirth,
      familyName: known.familyName,
      synthetic: false,
    });
    expect(res.text).not.toContain(known.givenName);
  });

  it.each([
    ['date of birth', { dateOfBirth: '1950-01-01' }, /date of birth \(dateOfBirth\)/],
    ['family name', { familyName: 'Made-up' }, /family name \(familyName\)/],
    ['date of birth and family name', { dateOfBirth: '1950-01-01', familyName: 'Made-up' }, /date of birth .* and family name/],
  ])('should answer 409 naming the mismatched %s, never the stored value, writing nothing', async (_name, over, names) => {
    await close();
    const before = await databaseState(database.db);
    const res = await referByStranger({ nhsNumber: known.nhsNumber, dateOfBirth: known.dateOfBirth, familyName: undefined, ...over });
    const problem = expectProblem(res, 409);
    expect(problem.detail).toMatch(names);
    for (const value of stored(known)) expect(res.text).not.toContain(value);
    expect(await databaseState(database.db)).toEqual(before);
  });

  it('should not name the open case to an agency with no part in it, and name it to the referrer', async () => {
    const asStranger = await referByStranger({ nhsNumber: known.nhsNumber, dateOfBirth: known.dateOfBirth, familyName: undefined });
    expect(expectProblem(asStranger, 409).detail).toMatch(/already has an open case/);
    expect(asStranger.text).not.toContain(firstCase.reference);
    for (const value of stored(known)) expect(asStranger.text).not.toContain(value);

    const asReferrer = await api.request('POST', '/api/cases', {
      as: services.primary.id,
      body: openCaseBody({ on: api.now(), person: { ...known } }),
    });
    expect(expectProblem(asReferrer, 409).detail).toContain(firstCase.reference);
  });

  it('should keep no identifiers with an Idempotency-Key and give a retry the same answer until the answer expires', async () => {
    await close();
    const key = randomUUID();
    const person = { nhsNumber: known.nhsNumber, dateOfBirth: known.dateOfBirth, givenName: undefined, familyName: undefined };
    const body = openCaseBody({ on: api.now(), from: services.cmht, person: person as unknown as NewPerson });
    const send = () => api.request('POST', '/api/cases', { as: services.cmht.id, body, headers: { 'Idempotency-Key': key } });
    const first = await send();
    expect(first.status).toBe(201);
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);

    const [row] = await database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    const kept = JSON.stringify(row?.body);
    expect((row?.body as { person?: unknown } | undefined)?.person).toEqual({ id: caseOf(first).person?.id });
    for (const value of [known.nhsNumber, ...stored(known)]) expect(kept).not.toContain(value);

    // A day on (the default window), the answer is purged; fresher ones stay.
    expect(await purgeExpiredAnswers(database.db, 24 * 3_600_000, new Date(Date.now() + 23 * 3_600_000))).toBe(0);
    expect(await purgeExpiredAnswers(database.db, 24 * 3_600_000, new Date(Date.now() + 25 * 3_600_000))).toBeGreaterThanOrEqual(1);
    expect(await database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key))).toEqual([]);
  });

  it('should give an event’s retry its first answer, identifiers included, from a record that keeps none', async () => {
    const key = randomUUID();
    const headers = { 'Idempotency-Key': key, 'If-Match': '"1"' };
    const first = await sendEvent(api, firstCase.id, [bodies.acceptReferral(), services.sms], { headers });
    const again = await sendEvent(api, firstCase.id, [bodies.acceptReferral(), services.sms], { headers });
    expect(first.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(caseOf(again).person).toMatchObject({ nhsNumber: known.nhsNumber, givenName: known.givenName });
    const [row] = await database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    expect(JSON.stringify(row?.body)).not.toContain(known.nhsNumber);
  });
});

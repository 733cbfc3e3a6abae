/** Assertions the API suites share: problem+json answers, and what the database holds before and after. */
import { asc, count, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Db } from '../../db/client.ts';
import { caseDeadlines, caseEvents, cases, idempotencyKeys, serviceUsers } from '../../db/schema/index.ts';
import type { PresentedCase, presentCaseSummary, presentEvent } from '../../server/presenters/case.ts';
import type { Problem } from '../../server/problem.ts';
import type { TestApi } from './api.ts';

export type ApiResponse = Awaited<ReturnType<TestApi['request']>>;

/** Signs of a leaked stack trace or source location in a response body. */
const leak = /\n\s+at\s|\bat\s+\S+\s+\([^)]*:\d+:\d+\)|node_modules|\.[cm]?[jt]s:\d+|Error:\s/;

/** An RFC 9457 problem with the given status, as problem+json, and no stack trace. */
export function expectProblem(res: ApiResponse, status: number): Problem {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.json).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  expect((res.json.detail as string).length).toBeGreaterThan(0);
  expect(res.text).not.toMatch(leak);
  return res.json as unknown as Problem;
}

/** Row counts of every table a request can write. */
export async function tableCounts(db: Db) {
  const n = async (table: typeof cases | typeof caseEvents | typeof serviceUsers | typeof idempotencyKeys | typeof caseDeadlines) =>
    (await db.select({ n: count() }).from(table))[0]?.n ?? 0;
  return {
    cases: await n(cases),
    caseEvents: await n(caseEvents),
    serviceUsers: await n(serviceUsers),
    idempotencyKeys: await n(idempotencyKeys),
    caseDeadlines: await n(caseDeadlines),
  };
}

/** A case's row and history as stored, to compare before and after a request. */
export async function storedCase(db: Db, caseId: string) {
  const [row] = await db.select().from(cases).where(eq(cases.id, caseId));
  const events = await db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
  return { row, events };
}

/** Every database change a request could make, in one comparable value. */
export async function databaseState(db: Db, caseId?: string) {
  return { counts: await tableCounts(db), ...(caseId ? await storedCase(db, caseId) : {}) };
}

/** The body of a 200/201 case answer, typed as the presenter shapes it. */
export const caseOf = (res: ApiResponse) => res.json as unknown as PresentedCase;
export type CaseSummary = ReturnType<typeof presentCaseSummary>;
export type CaseEventRow = ReturnType<typeof presentEvent>;

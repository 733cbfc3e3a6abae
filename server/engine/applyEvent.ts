/** applyEvent: read the case → pure transition → one statement writes snapshot, projections, event, deadlines and stays. */
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { cases, idempotencyKeys, serviceUsers } from '../../db/schema/index.ts';
import type { Ties } from '../../machines/access.ts';
import type { PathwayEvent } from '../../machines/events.ts';
import { parseEventBody } from '../../machines/events.ts';
import { explainRefusal } from '../../machines/explain.ts';
import { type PathwaySnapshot, restore, step } from '../../machines/snapshot.ts';
import { authorizeCase, authorizeRoute, caseAccess } from '../access.ts';
import { recordRefusal } from '../audits/projections.ts';
import { actorOf, type Principal } from '../auth.ts';
import { presentCase } from '../presenters/case.ts';
import { problems } from '../problem.ts';
import { resolveAgencyRefs } from './agencies.ts';
import { findStored, requestHash, type StoredResponse, storedAnswer } from './idempotency.ts';
import { type TransitionWrite, transitionWrite, writeTransition } from './transitionWrite.ts';

export type Applied = {
  caseId: string;
  seq: number;
  event: PathwayEvent;
  snapshot: PathwaySnapshot;
  fromState: string[];
  /** Each agency's part in the case after the event (machines/access.ts): who may follow it live. */
  ties?: Ties;
};
export type ApplyOptions = {
  ifMatch?: number | undefined;
  idempotencyKey?: string | undefined;
  now?: () => Date;
  /** Called after commit with what changed (the inspection stream listens here). */
  onApplied?: (applied: Applied) => void;
};

/** Validates a client body into an unstamped event, or a 400 naming what is wrong. */
export function parseBody(body: unknown): { type: PathwayEvent['type'] } & Record<string, unknown> {
  const parsed = parseEventBody(body);
  if (!parsed.success) {
    throw problems.malformed(
      parsed.error,
      parsed.issues?.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

type Body = { type: PathwayEvent['type'] } & Record<string, unknown>;
type Found = { row: typeof cases.$inferSelect; person: typeof serviceUsers.$inferSelect };
type Decided = { response: StoredResponse; write?: TransitionWrite; applied?: Applied };

/** Idempotency keys are scoped to the case they were sent to. */
export const scopeOf = (caseId: string) => `case:${caseId}`;

/** The caller is part of the request: another person reusing a key must not be handed the first caller's answer. */
const hashOf = (caseId: string, body: Body, principal: Principal, options: ApplyOptions) =>
  options.idempotencyKey
    ? requestHash({ caseId, body, ifMatch: options.ifMatch ?? null, caller: [principal.id, principal.agencyId, principal.role] })
    : '';

/**
 * From the case as read to the answer and the write that makes it true: a 412 for a stale If-Match, a 422/403 refusal
 * with its rules, or the transition's write with the presented case (stored with the key when there is one).
 */
async function decide(
  db: Db | Tx,
  { row, person }: Found,
  body: Body,
  principal: Principal,
  options: ApplyOptions,
  hash: string,
): Promise<Decided> {
  // Stamped once the case is read, and never before its last event: the history's times follow its sequence.
  const now = new Date(Math.max((options.now?.() ?? new Date()).getTime(), row.updatedAt.getTime()));
  // A case the caller's agency has no part in is not found (machines/access.ts), before any other answer about it.
  await authorizeCase(db, principal, row, 'event', now);
  if (options.ifMatch !== undefined && options.ifMatch !== row.version) throw problems.staleVersion(row.version);
  const actor = actorOf(principal);
  if (!actor) throw problems.forbidden(`Agency ${principal.agencyId} is not in the service directory`);
  const event = { ...(await resolveAgencyRefs(db, body)), at: now.toISOString(), actor } as PathwayEvent;
  const snapshot = restore(row.snapshot, row.pathwayVersion);
  const { next, changed } = step(snapshot, event);
  if (!changed) throw problems.refused(explainRefusal(snapshot, event));
  const write = transitionWrite(row, event, snapshot, next, options.idempotencyKey);
  // The answer in the view the caller has after the event (accepting a referral can widen it).
  const response: StoredResponse = {
    status: 200,
    body: presentCase(write.row, next, person, principal, now, await caseAccess(db, principal, write.row, 'read', now)),
    headers: { ETag: `"${write.row.version}"` },
  };
  if (options.idempotencyKey) write.idempotency = { scope: scopeOf(row.id), key: options.idempotencyKey, hash, response };
  return {
    response,
    write,
    applied: { caseId: row.id, seq: write.row.version, event, snapshot: next, fromState: row.statePaths, ties: write.row.ties as Ties },
  };
}

/** Applies one event inside a transaction the caller owns, holding the case's row lock (the sweeper shares its own). */
export async function applyInTx(tx: Tx, caseId: string, body: Body, principal: Principal, options: ApplyOptions): Promise<Decided> {
  const hash = hashOf(caseId, body, principal, options);
  const [found] = await tx
    .select({ row: cases, person: serviceUsers })
    .from(cases)
    .innerJoin(serviceUsers, eq(serviceUsers.id, cases.personId))
    .where(eq(cases.id, caseId))
    .for('update', { of: cases });
  if (!found) throw problems.notFound(`No case ${caseId}`);
  if (options.idempotencyKey) {
    const stored = await findStored(tx, scopeOf(caseId), options.idempotencyKey, hash);
    if (stored) {
      await authorizeCase(tx, principal, found.row, 'event', options.now?.() ?? new Date());
      return { response: stored };
    }
  }
  const decided = await decide(tx, found, body, principal, options, hash);
  // Under the row lock nobody else can move the case on.
  if (decided.write && !(await writeTransition(tx, decided.write))) throw problems.staleVersion(found.row.version);
  return decided;
}

/** The case, its person and any answer stored under the key: one statement (placeholders id, scope, key). */
export const readCaseStatement = (db: Db) =>
  db
    .select({ row: cases, person: serviceUsers, stored: idempotencyKeys })
    .from(cases)
    .innerJoin(serviceUsers, eq(serviceUsers.id, cases.personId))
    .leftJoin(idempotencyKeys, and(eq(idempotencyKeys.scope, sql.placeholder('scope')), eq(idempotencyKeys.key, sql.placeholder('key'))))
    .where(eq(cases.id, sql.placeholder('id')));

/** Prepared once per database: built by Drizzle once, parsed and planned by PostgreSQL once per connection. */
const readCaseQueries = new WeakMap<Db, ReturnType<typeof prepareReadCase>>();
const prepareReadCase = (db: Db) => readCaseStatement(db).prepare('read_case_for_event');

async function readCase(db: Db, caseId: string, key: string | undefined) {
  const query = readCaseQueries.get(db) ?? prepareReadCase(db);
  readCaseQueries.set(db, query);
  const [found] = await query.execute({ id: caseId, scope: scopeOf(caseId), key: key ?? null });
  return found;
}

/**
 * Applies one event a client sent to a case, answering as the API does. Two round trips when nobody else is writing
 * the case: read it (with any stored answer for the key), then one conditional statement writes everything. If the
 * case moved on in between, nothing was written and the event is applied again under the row lock.
 */
export async function applyEvent(
  db: Db,
  caseId: string,
  rawBody: unknown,
  principal: Principal,
  options: ApplyOptions = {},
): Promise<StoredResponse> {
  authorizeRoute(principal, 'cases.act');
  const body = parseBody(rawBody);
  const attempt = async (): Promise<Decided> => {
    const found = await readCase(db, caseId, options.idempotencyKey);
    if (!found) throw problems.notFound(`No case ${caseId}`);
    const hash = hashOf(caseId, body, principal, options);
    if (found.stored) {
      // A retry is answered only to a caller who may still act on the case (its part may have ended since).
      await authorizeCase(db, principal, found.row, 'event', options.now?.() ?? new Date());
      return { response: storedAnswer(found.stored, hash) };
    }
    const decided = await decide(db, found, body, principal, options, hash);
    if (!decided.write || (await writeTransition(db, decided.write))) return decided;
    return db.transaction((tx) => applyInTx(tx, caseId, body, principal, options));
  };
  const { response, applied } = await attempt().catch(recordRefusal(db, caseId, body, principal, options.now));
  if (applied) options.onApplied?.(applied);
  return response;
}

/** applyEvent: load the case under lock → pure transition → persist snapshot, projections and one event row. */
import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { caseDeadlines, caseEvents, cases, serviceUsers } from '../../db/schema/index.ts';
import { pendingDeadlines } from '../../machines/deadlines.ts';
import type { PathwayEvent } from '../../machines/events.ts';
import { parseEventBody } from '../../machines/events.ts';
import { explainRefusal } from '../../machines/explain.ts';
import { type PathwaySnapshot, persist, restore, step } from '../../machines/snapshot.ts';
import { recordRefusal, recordTransition } from '../audits/projections.ts';
import { actorOf, type Principal } from '../auth.ts';
import { authorizeActing } from '../policies.ts';
import { presentCase } from '../presenters/case.ts';
import { problems } from '../problem.ts';
import { resolveAgencyRefs } from './agencies.ts';
import { findStored, requestHash, type StoredResponse, store } from './idempotency.ts';
import { projectionsOf, sameStates } from './projections.ts';

export type Applied = { caseId: string; seq: number; event: PathwayEvent; snapshot: PathwaySnapshot; fromState: string[] };
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

/** Writes the next snapshot, its projections, one event row and the pending deadlines. */
export async function persistTransition(
  tx: Tx,
  row: { id: string; version: number; statePaths: string[]; stateEnteredAt: Date },
  event: PathwayEvent,
  next: PathwaySnapshot,
  idempotencyKey: string | undefined,
  previous?: PathwaySnapshot,
): Promise<typeof cases.$inferSelect> {
  const at = new Date(event.at);
  const p = projectionsOf(next);
  const version = row.version + 1;
  const [updated] = await tx
    .update(cases)
    .set({
      ...p,
      snapshot: persist(next),
      version,
      stateEnteredAt: sameStates(p.statePaths, row.statePaths) ? row.stateEnteredAt : at,
      updatedAt: at,
      closedAt: p.status === 'closed' ? at : null,
    })
    .where(and(eq(cases.id, row.id), eq(cases.version, row.version)))
    .returning();
  if (!updated) throw problems.staleVersion(row.version);
  await appendEvent(tx, row.id, version, event, row.statePaths, p.statePaths, idempotencyKey);
  // Most events leave the deadlines as they were: skip two statements then.
  if (!previous || !sameDeadlines(previous, next)) await syncDeadlines(tx, row.id, next);
  await recordTransition(tx, row.id, version, event, row.statePaths, next);
  return updated;
}

/** Appends one row to the history (the table refuses updates and deletes). */
export async function appendEvent(
  tx: Tx,
  caseId: string,
  seq: number,
  event: PathwayEvent,
  fromState: string[],
  toState: string[],
  idempotencyKey: string | undefined,
): Promise<void> {
  const { type, at, actor, ...payload } = event;
  await tx.insert(caseEvents).values({
    caseId,
    seq,
    type,
    payload,
    actorId: actor.id,
    actorAgencyId: actor.agencyId,
    actorAgencyKind: actor.agencyKind,
    actorRole: actor.role,
    fromState,
    toState,
    at: new Date(at),
    idempotencyKey: idempotencyKey ?? null,
  });
}

const deadlinesOf = (s: PathwaySnapshot) => pendingDeadlines(s.context, s.status === 'active');
const sameDeadlines = (a: PathwaySnapshot, b: PathwaySnapshot) => JSON.stringify(deadlinesOf(a)) === JSON.stringify(deadlinesOf(b));

/** Keeps the case's pending deadlines in step with its snapshot. */
export async function syncDeadlines(tx: Tx, caseId: string, snapshot: PathwaySnapshot): Promise<void> {
  const pending = pendingDeadlines(snapshot.context, snapshot.status === 'active');
  const keys = pending.map((d) => `${d.name}|${d.ref}`);
  await tx
    .delete(caseDeadlines)
    .where(
      and(
        eq(caseDeadlines.caseId, caseId),
        keys.length ? notInArray(sql`${caseDeadlines.name} || '|' || ${caseDeadlines.ref}`, keys) : undefined,
      ),
    );
  if (pending.length === 0) return;
  await tx
    .insert(caseDeadlines)
    .values(pending.map((d) => ({ caseId, name: d.name, ref: d.ref, dueAt: new Date(d.dueAt) })))
    .onConflictDoUpdate({
      target: [caseDeadlines.caseId, caseDeadlines.name, caseDeadlines.ref],
      set: {
        dueAt: sql`excluded.due_at`,
        // A deadline that moved is a new deadline: it may fire again.
        firedAt: sql`case when ${caseDeadlines.dueAt} = excluded.due_at then ${caseDeadlines.firedAt} else null end`,
      },
    });
}

/** Applies one event inside a transaction the caller owns (the sweeper shares its own). */
export async function applyInTx(
  tx: Tx,
  caseId: string,
  body: { type: PathwayEvent['type'] } & Record<string, unknown>,
  principal: Principal,
  options: ApplyOptions,
): Promise<{ response: StoredResponse; applied?: Applied }> {
  const scope = `case:${caseId}`;
  // The caller is part of the request: another person reusing a key must not be handed the first caller's answer.
  const hash = options.idempotencyKey
    ? requestHash({ caseId, body, ifMatch: options.ifMatch ?? null, caller: [principal.id, principal.agencyId, principal.role] })
    : '';
  // One round trip: lock the case and read its person (for the presenter) together.
  const [found] = await tx
    .select({ row: cases, person: serviceUsers })
    .from(cases)
    .innerJoin(serviceUsers, eq(serviceUsers.id, cases.personId))
    .where(eq(cases.id, caseId))
    .for('update', { of: cases });
  if (!found) throw problems.notFound(`No case ${caseId}`);
  const { row, person } = found;
  // Stamped once the case is held, and never before its last event: the history's times follow its sequence.
  const now = new Date(Math.max((options.now?.() ?? new Date()).getTime(), row.updatedAt.getTime()));
  if (options.idempotencyKey) {
    const stored = await findStored(tx, scope, options.idempotencyKey, hash);
    if (stored) return { response: stored };
  }
  if (options.ifMatch !== undefined && options.ifMatch !== row.version) throw problems.staleVersion(row.version);
  const actor = actorOf(principal);
  if (!actor) throw problems.forbidden(`Agency ${principal.agencyId} is not in the service directory`);
  const event = { ...(await resolveAgencyRefs(tx, body)), at: now.toISOString(), actor } as PathwayEvent;
  const snapshot = restore(row.snapshot);
  const { next, changed } = step(snapshot, event);
  if (!changed) throw problems.refused(explainRefusal(snapshot, event));
  const updated = await persistTransition(tx, row, event, next, options.idempotencyKey, snapshot);
  const response: StoredResponse = {
    status: 200,
    body: presentCase(updated, next, person, principal, now),
    headers: { ETag: `"${updated.version}"` },
  };
  if (options.idempotencyKey) await store(tx, scope, options.idempotencyKey, hash, response);
  return { response, applied: { caseId, seq: updated.version, event, snapshot: next, fromState: row.statePaths } };
}

/** Applies one event a client sent to a case, answering as the API does. */
export async function applyEvent(
  db: Db,
  caseId: string,
  rawBody: unknown,
  principal: Principal,
  options: ApplyOptions = {},
): Promise<StoredResponse> {
  authorizeActing(principal);
  const body = parseBody(rawBody);
  const { response, applied } = await db
    .transaction((tx) => applyInTx(tx, caseId, body, principal, options))
    .catch(recordRefusal(db, caseId, body, principal, options.now));
  if (applied) options.onApplied?.(applied);
  return response;
}

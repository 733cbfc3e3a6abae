/**
 * What one transition writes, decided once: the case row's new values, one event row, the pending deadlines and the
 * audit stays. Pure functions build the rows (the cohort loader COPYs the same rows); `writeTransition` sends them to
 * the database as a single statement — one round trip, atomic without a transaction, and conditional on the case
 * still being at the version the transition was computed from.
 */
import { makePgArray } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../db/client.ts';
import type { caseDeadlines, caseEvents, cases } from '../../db/schema/index.ts';
import { foldTies, type Ties, tiedAgencies } from '../../machines/access.ts';
import { type Notification, notificationsOf } from '../../machines/notifications.ts';
import { deadlinesOf, type HistoryEvent, type PathwaySnapshot, persist, versionOf } from '../../machines/snapshot.ts';
import { type StayChanges, stayChanges } from '../audits/projections.ts';
import { forStorage, type StoredResponse } from './idempotency.ts';
import { projectionsOf, sameStates } from './projections.ts';

type CaseRow = typeof cases.$inferSelect;
export type EventRow = typeof caseEvents.$inferInsert;
export type DeadlineRow = typeof caseDeadlines.$inferInsert;

/** The history row of one event (the table refuses updates and deletes). */
export function eventRow(
  caseId: string,
  seq: number,
  event: HistoryEvent,
  fromState: string[],
  toState: string[],
  idempotencyKey: string | undefined,
): EventRow {
  const { type, at, actor, ...payload } = event;
  return {
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
  };
}

/** The deadlines a case has pending in this snapshot, as rows of `case_deadlines`. */
export const deadlineRows = (caseId: string, snapshot: PathwaySnapshot): DeadlineRow[] =>
  deadlinesOf(snapshot).map((d) => ({ caseId, name: d.name, ref: d.ref, dueAt: new Date(d.dueAt) }));

/** Everything one transition writes. `deadlines` is null when the transition leaves them as they were. */
export type TransitionWrite = {
  caseId: string;
  /** The version the transition was computed from: the write happens only if the case is still there. */
  fromVersion: number;
  /** The case row as it will be after the write (what the presenter shows). */
  row: CaseRow;
  event: EventRow;
  deadlines: DeadlineRow[] | null;
  stays: StayChanges;
  /** Who must be told (machines/notifications.ts): written to the outbox in the same statement. */
  notifications: Notification[];
  idempotency?: { scope: string; key: string; hash: string; response: StoredResponse } | undefined;
};

/** Builds the write of one transition from the row it started at; nothing here touches the database. */
export function transitionWrite(
  row: CaseRow,
  event: HistoryEvent,
  previous: PathwaySnapshot,
  next: PathwaySnapshot,
  idempotencyKey: string | undefined,
): TransitionWrite {
  const at = new Date(event.at);
  const p = projectionsOf(next);
  const version = row.version + 1;
  const deadlinesChanged = JSON.stringify(deadlinesOf(previous)) !== JSON.stringify(deadlinesOf(next));
  const ties = foldTies((row.ties ?? {}) as Ties, next.context, event, row.version + 1);
  return {
    caseId: row.id,
    fromVersion: row.version,
    row: {
      ...row,
      ...p,
      snapshot: persist(next),
      // A migration moves the case to the next version; any other transition keeps it where it is.
      pathwayVersion: versionOf(next),
      version,
      stateEnteredAt: sameStates(p.statePaths, row.statePaths) ? row.stateEnteredAt : at,
      updatedAt: at,
      closedAt: p.status === 'closed' ? at : null,
      ties,
      agencies: tiedAgencies(ties),
    },
    event: eventRow(row.id, version, event, row.statePaths, p.statePaths, idempotencyKey),
    deadlines: deadlinesChanged ? deadlineRows(row.id, next) : null,
    stays: stayChanges(row.id, version, event, row.statePaths, next),
    notifications: notificationsOf(previous.context, next.context, event),
  };
}

/**
 * SQL text with named parameters (`:name`) compiled once to PostgreSQL's positional ones (`$1`), so a statement is
 * sent as the same text every time with only its values built per call. `::type` casts are left alone.
 */
export function namedStatement<K extends string>(text: string): { text: string; params: (values: Record<K, unknown>) => unknown[] } {
  const names: K[] = [];
  const compiled = text.replace(/(?<![:\w]):([a-zA-Z]\w*)/g, (_, name: K) => {
    const at = names.indexOf(name);
    if (at >= 0) return `$${at + 1}`;
    names.push(name);
    return `$${names.length}`;
  });
  return { text: compiled, params: (values) => names.map((n) => values[n]) };
}

/** Told at commit of every transition (case id and sequence): every server instance's live inspection wakes on it. */
export const TRANSITION_CHANNEL = 'pathway_transition';

/**
 * The one statement of a transition. Every part hangs on `u`, the conditional update of the case: when another
 * writer moved the case on, `u` is empty and nothing at all is written. Deadlines are deleted only where no longer
 * pending and upserted where pending — disjoint rows, as one statement requires.
 */
export const transitionStatement = namedStatement<
  | 'caseId'
  | 'fromVersion'
  | 'snapshot'
  | 'statePaths'
  | 'phase'
  | 'status'
  | 'leadAgencyId'
  | 'leadAgencyKind'
  | 'coordinatorId'
  | 'coordinatorName'
  | 'responsibleAgencyId'
  | 'quadrant'
  | 'area'
  | 'version'
  | 'stateEnteredAt'
  | 'updatedAt'
  | 'closedAt'
  | 'pathwayVersion'
  | 'ties'
  | 'agencies'
  | 'type'
  | 'payload'
  | 'actorId'
  | 'actorAgencyId'
  | 'actorAgencyKind'
  | 'actorRole'
  | 'fromState'
  | 'toState'
  | 'at'
  | 'eventKey'
  | 'syncDeadlines'
  | 'keepDeadlines'
  | 'deadlines'
  | 'exitSeq'
  | 'exitAt'
  | 'exitTo'
  | 'exitStates'
  | 'enter'
  | 'outbox'
  | 'scope'
  | 'key'
  | 'hash'
  | 'answerStatus'
  | 'answerBody'
  | 'answerHeaders'
>(`with u as (
  update cases set snapshot = :snapshot::jsonb, state_paths = :statePaths::text[], phase = :phase::text, status = :status::text,
    lead_agency_id = :leadAgencyId::text, lead_agency_kind = :leadAgencyKind::text, coordinator_id = :coordinatorId::text,
    coordinator_name = :coordinatorName::text, responsible_agency_id = :responsibleAgencyId::text, quadrant = :quadrant::text,
    area = :area::text, version = :version::int, state_entered_at = :stateEnteredAt::timestamptz, updated_at = :updatedAt::timestamptz,
    closed_at = :closedAt::timestamptz, pathway_version = :pathwayVersion::int, ties = :ties::jsonb, agencies = :agencies::text[]
  where id = :caseId::uuid and version = :fromVersion::int
  returning id
), e as (
  insert into case_events (case_id, seq, type, payload, actor_id, actor_agency_id, actor_agency_kind, actor_role, from_state, to_state, at, idempotency_key)
  select u.id, :version::int, :type::text, :payload::jsonb, :actorId::text, :actorAgencyId::text, :actorAgencyKind::text, :actorRole::text,
    :fromState::text[], :toState::text[], :at::timestamptz, :eventKey::text from u
), dd as (
  delete from case_deadlines d using u
  where :syncDeadlines::boolean and d.case_id = u.id and not (d.name || '|' || d.ref = any(:keepDeadlines::text[]))
), di as (
  insert into case_deadlines (case_id, name, ref, due_at)
  select u.id, x.name, x.ref, x.due_at from u cross join jsonb_to_recordset(:deadlines::jsonb) as x(name text, ref text, due_at timestamptz)
  on conflict (case_id, name, ref) do update set due_at = excluded.due_at,
    fired_at = case when case_deadlines.due_at = excluded.due_at then case_deadlines.fired_at else null end
), sx as (
  update state_stays s set left_seq = :exitSeq::int, left_at = :exitAt::timestamptz, left_to = :exitTo::text[]
  from u where s.case_id = u.id and s.state = any(:exitStates::text[]) and s.left_at is null
), si as (
  insert into state_stays (case_id, state, entered_seq, entered_at, left_seq, left_at, left_to, area, quadrant, agency_id, agency_kind,
    lead_agency_id, coordinator_id, lead_expected)
  select u.id, x.state, x.entered_seq, x.entered_at, x.left_seq, x.left_at, x.left_to, x.area, x.quadrant, x.agency_id, x.agency_kind,
    x.lead_agency_id, x.coordinator_id, x.lead_expected
  from u cross join jsonb_to_recordset(:enter::jsonb) as x(state text, entered_seq int, entered_at timestamptz, left_seq int,
    left_at timestamptz, left_to text[], area text, quadrant text, agency_id text, agency_kind text, lead_agency_id text,
    coordinator_id text, lead_expected boolean)
), ob as (
  insert into outbox (case_id, seq, type, agency_id, about, created_at)
  select u.id, :version::int, x.type, x.agency_id, x.about, :at::timestamptz
  from u cross join jsonb_to_recordset(:outbox::jsonb) as x(type text, agency_id text, about jsonb)
), ik as (
  insert into idempotency_keys (scope, key, request_hash, status, body, headers)
  select :scope::text, :key::text, :hash::text, :answerStatus::int, :answerBody::jsonb, :answerHeaders::jsonb from u where :key::text is not null
), nt as (
  select pg_notify('${TRANSITION_CHANNEL}', u.id::text || ':' || :version::int) from u
)
select count(*)::int as written, (select count(*) from nt)::int as notified from u`);

const textArray = (value: readonly string[] | null | undefined): string | null => (value ? makePgArray([...value]) : null);
const time = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);

/** The values of one transition's statement, in the order of its parameters. */
export function transitionParams(w: TransitionWrite): unknown[] {
  const r = w.row;
  const e = w.event;
  const exit = w.stays.exit;
  const idem = w.idempotency;
  return transitionStatement.params({
    caseId: w.caseId,
    fromVersion: w.fromVersion,
    snapshot: JSON.stringify(r.snapshot),
    statePaths: textArray(r.statePaths),
    phase: r.phase,
    status: r.status,
    leadAgencyId: r.leadAgencyId,
    leadAgencyKind: r.leadAgencyKind,
    coordinatorId: r.coordinatorId,
    coordinatorName: r.coordinatorName,
    responsibleAgencyId: r.responsibleAgencyId,
    quadrant: r.quadrant,
    area: r.area,
    version: r.version,
    stateEnteredAt: time(r.stateEnteredAt),
    updatedAt: time(r.updatedAt),
    closedAt: time(r.closedAt),
    pathwayVersion: r.pathwayVersion,
    ties: JSON.stringify(r.ties),
    agencies: textArray(r.agencies),
    type: e.type,
    payload: JSON.stringify(e.payload),
    actorId: e.actorId,
    actorAgencyId: e.actorAgencyId,
    actorAgencyKind: e.actorAgencyKind,
    actorRole: e.actorRole,
    fromState: textArray(e.fromState),
    toState: textArray(e.toState),
    at: time(e.at),
    eventKey: e.idempotencyKey ?? null,
    syncDeadlines: w.deadlines !== null,
    keepDeadlines: textArray((w.deadlines ?? []).map((d) => `${d.name}|${d.ref ?? ''}`)),
    deadlines: JSON.stringify((w.deadlines ?? []).map((d) => ({ name: d.name, ref: d.ref ?? '', due_at: d.dueAt }))),
    exitSeq: exit?.seq ?? null,
    exitAt: time(exit?.at),
    exitTo: textArray(exit?.to),
    exitStates: textArray(exit?.states ?? []),
    enter: JSON.stringify(
      w.stays.enter.map((s) => ({
        state: s.state,
        entered_seq: s.enteredSeq,
        entered_at: s.enteredAt,
        left_seq: s.leftSeq ?? null,
        left_at: s.leftAt ?? null,
        left_to: s.leftTo ?? null,
        area: s.area ?? null,
        quadrant: s.quadrant ?? null,
        agency_id: s.agencyId ?? null,
        agency_kind: s.agencyKind ?? null,
        lead_agency_id: s.leadAgencyId ?? null,
        coordinator_id: s.coordinatorId ?? null,
        lead_expected: s.leadExpected,
      })),
    ),
    outbox: JSON.stringify(w.notifications.map((n) => ({ type: n.type, agency_id: n.agencyId, about: n.about }))),
    scope: idem?.scope ?? null,
    key: idem?.key ?? null,
    hash: idem?.hash ?? null,
    answerStatus: idem?.response.status ?? null,
    answerBody: idem ? JSON.stringify(forStorage(idem.response.body)) : null,
    answerHeaders: idem ? JSON.stringify(idem.response.headers) : null,
  });
}

/** Sends one transition's write; false when the case had moved on (nothing was written). */
export async function writeTransition(db: Db | Tx, w: TransitionWrite): Promise<boolean> {
  // A named statement: its text never changes, so PostgreSQL parses and plans it once per connection.
  const query = db._.session.prepareQuery(
    { sql: transitionStatement.text, params: transitionParams(w) },
    undefined,
    'transition_write',
    false,
  );
  const result = (await query.execute()) as { written: number }[] | { rows: { written: number }[] };
  const rows = Array.isArray(result) ? result : result.rows;
  return rows[0]?.written === 1;
}

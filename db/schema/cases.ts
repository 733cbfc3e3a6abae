/** Cases (one episode of a person's journey) with their append-only event history. */
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { Ties } from '../../machines/access.ts';
import { agencyKinds, areas, type ClosureReason, deadlineNames, quadrants, roles } from '../../machines/vocab.ts';
import { serviceUsers } from './people.ts';

/**
 * Why a case was closed, read from its snapshot in SQL. The audit that asks it and the partial index that answers it
 * (cases_referral_declined_idx) must write the same expression, or the planner cannot prove the index's predicate; the
 * reason is a literal, not a parameter, for the same reason (a generic plan cannot prove a predicate on `$1`).
 */
export const closureReasonIs = (snapshot: SQLWrapper, reason: ClosureReason): SQL =>
  sql`(${snapshot} #>> '{context,closure,reason}') = ${sql.raw(`'${reason}'`)}`;

export const cases = pgTable(
  'cases',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Pseudonymous reference shown to commissioners and auditors instead of identifiers. */
    reference: text().notNull().unique(),
    personId: uuid()
      .notNull()
      .references(() => serviceUsers.id),
    episode: integer().notNull(),
    snapshot: jsonb().notNull(),
    /** Leaf state paths, e.g. {active.jointCare.carePlan.agreed, active.jointCare.detox.none}. */
    statePaths: text().array().notNull(),
    /** The top-level phase (referral, assessment, leadAssignment, jointCare, handover, dispute, closed). */
    phase: text().notNull(),
    status: text({ enum: ['open', 'closed'] }).notNull(),
    leadAgencyId: text(),
    leadAgencyKind: text({ enum: agencyKinds }),
    coordinatorId: text(),
    coordinatorName: text(),
    responsibleAgencyId: text(),
    quadrant: text({ enum: quadrants }),
    area: text({ enum: areas }),
    version: integer().notNull(),
    stateEnteredAt: timestamp({ withTimezone: true }).notNull(),
    openedAt: timestamp({ withTimezone: true }).notNull(),
    closedAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
    /** The pathway version (machines/versions.ts) the case runs on: set at opening, moved only by a migration. */
    pathwayVersion: integer().notNull(),
    /** Each agency's part in the case, current or ended (machines/access.ts `foldTies`): what the access policy reads. */
    ties: jsonb().$type<Ties>().notNull().default({}),
    /** The agencies of `ties`: a care role's case list is the cases whose list holds its agency. */
    agencies: text().array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [
    index('cases_agencies_idx').using('gin', t.agencies),
    // Cases written before the engine kept ties, filled in at start (server/engine/ties.ts): empty once done.
    index('cases_without_ties_idx').on(t.id).where(sql`${t.ties} = '{}'::jsonb`),
    unique('cases_person_episode_uq').on(t.personId, t.episode),
    // GET /api/cases filters and audits by phase, lead and quadrant over open cases.
    index('cases_status_phase_idx').on(t.status, t.phase, t.stateEnteredAt),
    index('cases_lead_idx').on(t.leadAgencyId, t.status),
    index('cases_responsible_idx').on(t.responsibleAgencyId, t.status),
    index('cases_quadrant_area_idx').on(t.quadrant, t.area),
    // Cursor pagination of the case list, newest first.
    index('cases_opened_idx').on(t.openedAt, t.id),
    // Nobody's priority: re-referrals (second and later episodes) opened in a period (INCLUDE (id, person_id, episode):
    // migration 0008)…
    index('cases_later_episode_opened_idx').on(t.openedAt).where(sql`${t.episode} > 1`),
    // …and whether the episode before was closed because its referral was declined: read from this index alone, not
    // from the previous episode's snapshot (the expression is the audit's own, so the planner proves the predicate).
    index('cases_referral_declined_idx').on(t.personId, t.episode).where(closureReasonIs(t.snapshot, 'referralDeclined')),
  ],
);

export const caseEvents = pgTable(
  'case_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id),
    seq: integer().notNull(),
    type: text().notNull(),
    payload: jsonb().notNull(),
    actorId: text().notNull(),
    actorAgencyId: text().notNull(),
    actorAgencyKind: text({ enum: agencyKinds }).notNull(),
    actorRole: text({ enum: roles }).notNull(),
    fromState: text().array().notNull(),
    toState: text().array().notNull(),
    at: timestamp({ withTimezone: true }).notNull(),
    idempotencyKey: text(),
    /**
     * Tamper evidence: sha256 of this row chained to the hash of the case's previous event, set by the database itself
     * on insert (trigger case_events_hash_chain, migration 0010) whoever writes; `npm run verify` checks every link.
     */
    // The trigger overwrites whatever a writer sends; inserts leave it out (this default only satisfies the type).
    hash: text()
      .notNull()
      .$defaultFn(() => ''),
  },
  (t) => [
    unique('case_events_case_seq_uq').on(t.caseId, t.seq),
    unique('case_events_case_idem_uq').on(t.caseId, t.idempotencyKey),
    // Audits scan events by type and time (flow, bounces, disputes).
    index('case_events_type_at_idx').on(t.type, t.at),
  ],
);

/** The first answer to each Idempotency-Key, returned again to a retry with the same body. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text().notNull(),
    key: text().notNull(),
    requestHash: text().notNull(),
    status: integer().notNull(),
    body: jsonb().notNull(),
    headers: jsonb().$type<Record<string, string>>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** Pending deadlines of open cases, kept in step with each transition; a sweeper fires the due ones once. */
export const caseDeadlines = pgTable(
  'case_deadlines',
  {
    caseId: uuid()
      .notNull()
      .references(() => cases.id),
    name: text({ enum: deadlineNames }).notNull(),
    ref: text().notNull().default(''),
    dueAt: timestamp({ withTimezone: true }).notNull(),
    firedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.name, t.ref] }),
    // The sweeper claims unfired rows in due order; the overdue audit reads the same index.
    index('case_deadlines_due_idx').on(t.dueAt).where(sql`${t.firedAt} is null`),
  ],
);

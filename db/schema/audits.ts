/** Projections the audits read, written by the engine in the same transaction as each event (docs/decisions/0008). */
import { sql } from 'drizzle-orm';
import { bigserial, boolean, date, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { agencyKinds, areas, quadrants, roles } from '../../machines/vocab.ts';
import { cases } from './cases.ts';

/**
 * One row per stay of a case in a leaf state (`active.referral.triage`, `active.jointCare.detox.none`…): when it was
 * entered and left, where it went next, and who held the case when it was entered. `new` is a stay of no length, so the
 * flow audit sees where journeys start; `closed` is never a stay (nothing waits there).
 */
export const stateStays = pgTable(
  'state_stays',
  {
    caseId: uuid()
      .notNull()
      .references(() => cases.id),
    state: text().notNull(),
    enteredSeq: integer().notNull(),
    enteredAt: timestamp({ withTimezone: true }).notNull(),
    leftSeq: integer(),
    leftAt: timestamp({ withTimezone: true }),
    /** The leaf states entered by the event that ended this stay (`closed` when it closed the case). */
    leftTo: text().array(),
    area: text({ enum: areas }),
    quadrant: text({ enum: quadrants }),
    /** The agency answerable when the stay began: the lead, or before a lead the service holding the referral. */
    agencyId: text(),
    agencyKind: text({ enum: agencyKinds }),
    leadAgencyId: text(),
    coordinatorId: text(),
    /** R-LEAD-ONE: in this state the case must have a lead and a named coordinator (joint care, handover, a dispute after a lead). */
    leadExpected: boolean().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.state, t.enteredSeq] }),
    // Dwell reads stays by state overlapping a period.
    index('state_stays_state_entered_idx').on(t.state, t.enteredAt),
    // Flow and dwell read stays that ended within a period.
    index('state_stays_left_idx').on(t.leftAt, t.state),
    // Time without a lead where one is required (R-LEAD-ONE): should stay empty, so this index answers at once.
    index('state_stays_no_lead_idx')
      .on(t.enteredAt)
      .where(sql`${t.leadExpected} and (${t.leadAgencyId} is null or ${t.coordinatorId} is null)`),
    // Stalled-now reads the open stays of each state, oldest first.
    index('state_stays_open_idx').on(t.state, t.enteredAt).where(sql`${t.leftAt} is null`),
    // Nobody's priority asks, for each dispute resolution, whether the stay it ended had another lead.
    index('state_stays_case_left_seq_idx').on(t.caseId, t.leftSeq).where(sql`${t.leadAgencyId} is not null`),
  ],
);

/**
 * Attempts the protocol refused on grounds it forbids (substance use, intoxication: R-REF-NOINTOX), for NICE QS188
 * statement 2. Not part of the case's history: the case did not change; this is the auditor's record that someone tried.
 */
export const refusedAttempts = pgTable(
  'refused_attempts',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id),
    /** The case's version when the attempt was made: the event would have been this version + 1. */
    caseVersion: integer().notNull(),
    type: text().notNull(),
    reason: text(),
    rules: text().array().notNull(),
    actorId: text().notNull(),
    actorAgencyId: text().notNull(),
    actorAgencyKind: text({ enum: agencyKinds }).notNull(),
    actorRole: text({ enum: roles }).notNull(),
    state: text().array().notNull(),
    area: text({ enum: areas }),
    quadrant: text({ enum: quadrants }),
    at: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    // The QS188 pack and nobody's-priority audit count attempts within a period.
    index('refused_attempts_at_idx').on(t.at),
    index('refused_attempts_case_idx').on(t.caseId),
  ],
);

/** England and Wales working days (bank holidays from date-holidays), numbered so a difference counts working days. */
export const workingDays = pgTable('working_days', {
  day: date({ mode: 'string' }).primaryKey(),
  working: boolean().notNull(),
  /** Working days from the calendar's first day up to and including this one. */
  ordinal: integer().notNull(),
  holiday: text(),
});

/**
 * The events the audits read, narrowed to the fields they read (NICE QS188, EIP, bounces, disputes). Kept by a trigger
 * on `case_events` (migration 0004), so every writer of the history — the engine, the batch loader's COPY, a backfill
 * — projects the same rows the same way, and the audits never read the wide `payload` column of millions of events.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    caseId: uuid().notNull(),
    seq: integer().notNull(),
    type: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull(),
    actorAgencyId: text().notNull(),
    /** assessment.record / assessment.review: the mental health severity found. */
    mentalHealth: text(),
    /** assessment.record / assessment.review: whether current substance use was recorded (QS188 statement 1). */
    substanceUseAsked: boolean(),
    /** referral.make: a suspected first episode of psychosis, and the kind of service referred to (EIP). */
    suspectedFep: boolean(),
    toService: text(),
    /** appointment.missed / appointment.followUp. */
    appointmentId: text(),
    /** dispute.resolve: the lead the resolution named. */
    leadId: text(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.seq] }),
    index('audit_events_type_at_idx').on(t.type, t.at),
    index('audit_events_case_type_idx').on(t.caseId, t.type, t.seq),
  ],
);

/** Who read which case, when and why: append-only (the database refuses updates, deletes and truncation). */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { breakGlassReasons, outcomes, relationships } from '../../machines/access.ts';
import { roles } from '../../machines/vocab.ts';

/** What a read was: the route it came through (docs/information-governance.md). */
export const accessActions = ['read', 'history', 'stream', 'accessLog', 'breakGlass', 'export'] as const;
export type AccessAction = (typeof accessActions)[number];

export const accessLog = pgTable(
  'access_log',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    at: timestamp({ withTimezone: true }).notNull(),
    /** The case read; null for a read of many cases (an export). */
    caseId: uuid(),
    principalId: text().notNull(),
    principalName: text().notNull(),
    agencyId: text().notNull(),
    role: text({ enum: roles }).notNull(),
    action: text({ enum: accessActions }).notNull(),
    relationship: text({ enum: relationships }).notNull(),
    view: text({ enum: outcomes }).notNull(),
    /** Break-glass: the reason stated, the clinician's own words, and when the access ends. */
    reason: text({ enum: breakGlassReasons }),
    note: text(),
    expiresAt: timestamp({ withTimezone: true }),
    /** What else identifies the read (an export's period and kind). */
    detail: text(),
    /**
     * Tamper evidence (migration 0015): the previous entry of the same case (of exports, for entries with no case) and
     * a hash over this entry's fields and that entry's hash, computed by the database on insert.
     */
    prevId: bigint({ mode: 'number' }),
    hash: text(),
  },
  (t) => [
    index('access_log_case_idx').on(t.caseId, t.at),
    // The previous entry of a chain (migration 0015's trigger).
    index('access_log_chain_idx').on(t.caseId, t.id),
    // An open break-glass access is looked up by case and person.
    index('access_log_break_glass_idx').on(t.caseId, t.principalId, t.expiresAt).where(sql`${t.action} = 'breakGlass'`),
    // The lead agency's managers are shown break-glass accesses to their cases.
    index('access_log_break_glass_at_idx').on(t.at).where(sql`${t.action} = 'breakGlass'`),
  ],
);

/**
 * The outbox: the notifications of each committed transition, written in the transition's own statement, and their
 * deliveries to agencies' webhook subscriptions (Standard Webhooks), at least once, each with a stable id.
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { notificationTypes } from '../../machines/notifications.ts';
import { cases } from './cases.ts';

export const outbox = pgTable(
  'outbox',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id),
    /** The event (its number in the case's history) that gave rise to it. */
    seq: integer().notNull(),
    type: text({ enum: notificationTypes }).notNull(),
    /** The agency told. */
    agencyId: text().notNull(),
    /** What it is about: no clinical content (machines/notifications.ts). */
    about: jsonb().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    /** When the dispatcher made its deliveries (one per matching subscription). */
    fannedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('outbox_unfanned_idx').on(t.id).where(sql`${t.fannedAt} is null`), index('outbox_agency_idx').on(t.agencyId, t.id)],
);

export const webhookSubscriptions = pgTable('webhook_subscriptions', {
  id: uuid().primaryKey().defaultRandom(),
  agencyId: text().notNull(),
  url: text().notNull(),
  /** The signing secret (`whsec_…`, Standard Webhooks); shown once when made or rotated. */
  secret: text().notNull(),
  /** Notification types sent; empty: all. */
  eventTypes: text().array().notNull().default(sql`'{}'::text[]`),
  createdBy: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull(),
  disabledAt: timestamp({ withTimezone: true }),
});

export const deliveryStatuses = ['pending', 'delivered', 'dead'] as const;

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    outboxId: bigint({ mode: 'number' })
      .notNull()
      .references(() => outbox.id),
    subscriptionId: uuid()
      .notNull()
      .references(() => webhookSubscriptions.id),
    status: text({ enum: deliveryStatuses }).notNull(),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull(),
    lastStatus: integer(),
    lastError: text(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique('webhook_deliveries_once').on(t.outboxId, t.subscriptionId),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

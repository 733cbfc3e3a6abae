/** Service users: the people whose journeys the cases record. Identifiers stay here, never in events. */
import { date, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { areas } from '../../machines/vocab.ts';

export const serviceUsers = pgTable('service_users', {
  id: uuid().primaryKey().defaultRandom(),
  /** Validated with the Modulus 11 check digit when given. */
  nhsNumber: text().unique(),
  givenName: text(),
  familyName: text(),
  dateOfBirth: date({ mode: 'string' }).notNull(),
  area: text({ enum: areas }),
  /** Marks the demo cohort, so nobody mistakes it for real people. */
  synthetic: text({ enum: ['synthetic'] }),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

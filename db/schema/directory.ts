/** The service directory: agencies and teams of Kent and Medway, loaded from db/seed/directory.json. */
import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { agencyKinds, areas } from '../../machines/vocab.ts';

export const agencies = pgTable(
  'agencies',
  {
    id: text().primaryKey(),
    name: text().notNull(),
    organisation: text(),
    kind: text({ enum: agencyKinds }).notNull(),
    area: text({ enum: areas }),
    localities: jsonb().$type<string[]>().notNull().default([]),
    phone: text(),
    email: text(),
    address: text(),
    website: text(),
    source: text().notNull(),
  },
  (t) => [
    // GET /api/directory?kind=&area= filters the directory.
    index('agencies_kind_area_idx').on(t.kind, t.area),
  ],
);

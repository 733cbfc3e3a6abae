/** Keyset pages over the event log, in (case, seq) order, so an export of a million cases never holds them in memory. */
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { iso, rows } from '../sql.ts';

export type LogRow = {
  case_id: string;
  reference: string;
  person_id: string;
  episode: number;
  area: string | null;
  quadrant: string | null;
  status: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  actor_id: string;
  actor_agency_id: string;
  actor_agency_kind: string;
  actor_role: string;
  from_state: string[];
  to_state: string[];
  at: string;
};

/** Every event of every case, page by page along the (case_id, seq) unique index. */
export async function* eventRows(db: Db, pageSize = 5000): AsyncGenerator<LogRow> {
  let after: { caseId: string; seq: number } | null = null;
  for (;;) {
    const cursor: ReturnType<typeof sql> = after ? sql`where (e.case_id, e.seq) > (${after.caseId}::uuid, ${after.seq}::int)` : sql``;
    const page = await rows<LogRow>(
      db,
      sql`select e.case_id::text, c.reference, c.person_id::text, c.episode, c.area, c.quadrant, c.status, e.seq, e.type, e.payload,
                 e.actor_id, e.actor_agency_id, e.actor_agency_kind, e.actor_role, e.from_state, e.to_state, ${iso(sql`e.at`)} as at
            from case_events e join cases c on c.id = e.case_id
            ${cursor}
           order by e.case_id, e.seq
           limit ${pageSize}`,
    );
    for (const r of page) yield typeof r.payload === 'string' ? { ...r, payload: JSON.parse(r.payload) } : r;
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return;
    after = { caseId: last.case_id, seq: last.seq };
  }
}

/** Pages of any keyed query (cases, people, handovers) for the second pass of an OCEL export. */
export async function* keyset<T extends { k: string }>(
  db: Db,
  query: (after: string | null) => ReturnType<typeof sql>,
  pageSize = 5000,
): AsyncGenerator<T> {
  let after: string | null = null;
  for (;;) {
    const page: T[] = await rows<T>(db, sql`${query(after)} limit ${pageSize}`);
    yield* page;
    const last: T | undefined = page[page.length - 1];
    if (!last || page.length < pageSize) return;
    after = last.k;
  }
}

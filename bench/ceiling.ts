/**
 * The ceiling: the SQL one transition runs, straight through postgres.js — the engine's own two statements (read the
 * case with any stored answer; the single conditional write of case, event, deadlines and stays), prepared, with the
 * values a review writes. No HTTP, no XState, no Drizzle. Used in-process by `npm run bench` and behind a bare
 * `node:http` server by `bench/httpCeiling.ts`.
 */
import { getTableColumns } from 'drizzle-orm';
import postgres from 'postgres';
import type { Db } from '../db/client.ts';
import { cases } from '../db/schema/index.ts';
import { readCaseStatement, scopeOf } from '../server/engine/applyEvent.ts';
import { transitionParams, transitionStatement } from '../server/engine/transitionWrite.ts';
import { principal, reviewBody } from './fixtures.ts';

type CaseRow = typeof cases.$inferSelect;
const caseColumns = Object.keys(getTableColumns(cases)) as (keyof CaseRow)[];

/** A postgres.js pool configured as Drizzle configures the engine's: JSON parameters arrive as text already. */
export function ceilingClient(url: string, max: number): postgres.Sql {
  const sql = postgres(url, { max, onnotice: () => {} });
  (sql.options.serializers as Record<string, (x: unknown) => unknown>)['3802'] = (x) => x;
  return sql;
}

/** One review of case `id` in the engine's two statements; resolves to the case row as written. */
export function ceilingTransition(sql: postgres.Sql, db: Db): (id: string) => Promise<CaseRow> {
  const read = readCaseStatement(db).toSQL();
  const readParams = (id: string) =>
    read.params.map((p) => ({ id, scope: scopeOf(id), key: null })[(p as { name: 'id' | 'scope' | 'key' }).name]);
  const payload = Object.fromEntries(Object.entries(reviewBody).filter(([k]) => k !== 'type'));
  return async (id) => {
    const [values] = await sql.unsafe(read.sql, readParams(id) as never[], { prepare: true }).values();
    if (!values) throw new Error('missing case');
    const row = Object.fromEntries(caseColumns.map((c, k) => [c, values[k]])) as CaseRow;
    const at = new Date();
    const next = { ...row, version: row.version + 1, updatedAt: at };
    const written = await sql.unsafe(
      transitionStatement.text,
      transitionParams({
        caseId: id,
        fromVersion: row.version,
        row: next,
        event: {
          caseId: id,
          seq: row.version + 1,
          type: 'careplan.review',
          payload,
          actorId: principal.id,
          actorAgencyId: principal.agencyId,
          actorAgencyKind: 'SMS',
          actorRole: principal.role,
          fromState: row.statePaths,
          toState: row.statePaths,
          at,
          idempotencyKey: null,
        },
        deadlines: null,
        stays: { exit: null, enter: [] },
        notifications: [],
      }) as never[],
      { prepare: true },
    );
    if (written[0]?.written !== 1) throw new Error('case moved on');
    return next;
  };
}

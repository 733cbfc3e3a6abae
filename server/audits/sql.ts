/** Small helpers so one SQL text runs the same on postgres.js and PGlite. */
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { timeZone } from './calendar.ts';

/**
 * Settings of each audit query's transaction, in one statement. JIT off: compilation cost these queries more than it
 * saved (0.4–0.7 s each at a million cases, bench/README.md). `work_mem` 256 MB: room to sort a period's stays in memory
 * (64 MB still spilled a quarter's 1.15 M stays at a million cases). `random_page_cost` 1.1: random reads priced as on
 * SSD or cached data (the default 4.0 assumes spinning disks and chose sequential scans of a million cases over tens of
 * thousands of index lookups). No parallel workers: the quality pack and nobody's priority already send their queries
 * at once, one connection each, and on two cores workers only competed with them (at a million cases, p50 of two runs
 * with workers and three without: quality 642–675 → 517–576 ms, flow filtered by area and quadrant 379–407 → 253–273
 * ms; the others within the run-to-run spread). Exported so the benchmark's plan printer can tell it apart.
 */
export const auditSettings = sql`select set_config('jit', 'off', true), set_config('work_mem', '256MB', true),
                                        set_config('random_page_cost', '1.1', true), set_config('max_parallel_workers_per_gather', '0', true)`;

/** Runs a query and returns its rows, whichever driver answers (postgres.js gives an array, PGlite `{ rows }`). */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.transaction(async (tx) => {
    await tx.execute(auditSettings);
    return tx.execute(query);
  })) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/** Runs one statement as it is (no audit settings) and returns its rows, whichever driver answers. */
export async function plainRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/** A timestamp as an ISO string in UTC, so both drivers return the same text. */
export const iso = (column: SQL): SQL => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Days between two timestamps, as a float (fractional). `date_part`, not `extract`: since PostgreSQL 14 `extract` gives
 * `numeric`, whose arithmetic, and the cast to float for percentiles, cost per row over a period's million stays.
 */
export const days = (from: SQL, to: SQL): SQL => sql`(date_part('epoch', ${to} - ${from}) / 86400.0)`;

/** The local (England) date of a timestamp. */
export const localDate = (t: SQL): SQL => sql`((${t}) at time zone ${timeZone})::date`;

/** Rounds a number of days to one decimal place in SQL. */
export const round1 = (x: SQL): SQL => sql`round((${x})::numeric, 1)::float8`;

/** Rows listed with window totals on each: removes the total columns and returns them (from the first row; 0 when none). */
export function takeTotals<K extends string>(list: Record<string, unknown>[], keys: readonly K[]): Record<K, number> {
  const first = list[0] ?? {};
  const totals = Object.fromEntries(keys.map((k) => [k, Number(first[k] ?? 0)])) as Record<K, number>;
  for (const r of list) for (const k of keys) delete r[k];
  return totals;
}

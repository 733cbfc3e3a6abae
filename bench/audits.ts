/**
 * `npm run bench:audits`: loads a synthetic cohort (default 1,000,000 cases, seed 1) into PostgreSQL with the batch
 * loader, then times every audit. Not a test: it prints figures (p50/min/max over --runs) and writes them to
 * bench/results/audits-<cases>.json. Options: --cases, --seed, --end (the cohort's "now"), --years, --runs, --workers, --only, --explain,
 * --per-query.
 * DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/pathway_bench (created if missing).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { type Db, openDatabase } from '../db/client.ts';
import { loadDirectory } from '../db/seed/directory.ts';
import { ensureCalendar } from '../server/audits/calendar.ts';
import { loadCohort } from '../server/audits/cohort/load.ts';
import { auditNames, audits, resolveFilters } from '../server/audits/index.ts';
import { auditSettings, days, rows } from '../server/audits/sql.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    end: { type: 'string', default: '2026-11-23' },
    years: { type: 'string', default: '3' },
    runs: { type: 'string', default: '7' },
    /** Generator processes while loading (default: one fewer than the cores). */
    workers: { type: 'string' },
    /** Print EXPLAIN (ANALYZE, BUFFERS) of every query each audit runs, then stop. */
    explain: { type: 'boolean', default: false },
    /** Time every query an audit runs on its own, one after another (p50 over --runs), then stop. */
    'per-query': { type: 'boolean', default: false },
    /** Only these audits (comma-separated names); all by default. */
    only: { type: 'string' },
  },
});
const chosen = values.only ? auditNames.filter((n) => values.only?.split(',').includes(n)) : auditNames;

/**
 * A database that hands every audit query (not the transaction's settings) to `before`, in transactions too, then runs
 * it as asked.
 */
const intercepting = (db: Db, before: (target: Db, query: SQL) => Promise<void>): Db =>
  new Proxy(db, {
    get(target, key, receiver) {
      if (key === 'transaction')
        return (run: (tx: Db) => Promise<unknown>) => target.transaction((tx) => run(intercepting(tx as unknown as Db, before)));
      if (key !== 'execute') return Reflect.get(target, key, receiver);
      return async (query: SQL) => {
        if (query !== auditSettings) await before(target, query);
        return target.execute(query);
      };
    },
  });
/** Prints the plan of each query (EXPLAIN ANALYZE) before running it. */
const explaining = (db: Db): Db =>
  intercepting(db, async (target, query) => {
    const plan = await rows<{ 'QUERY PLAN': string }>(target, sql`explain (analyze, buffers) ${query}`);
    console.log(`${plan.map((p) => p['QUERY PLAN']).join('\n')}\n`);
  });
/**
 * Times each query on its own (after the same warm-up as the audits) and prints it with its first condition. Queries an audit sends together are
 * timed one after another (`queue`), not competing for the cores.
 */
let queue: Promise<Awaited<ReturnType<typeof timed>> | undefined> = Promise.resolve(undefined);
const timingEach = (db: Db): Db =>
  intercepting(db, async (target, query) => {
    const mine = queue.then(() => timed(() => rows(target, query)));
    queue = mine;
    const t = await mine;
    // Labelled by the first condition: the queries of one audit often share their opening (the list and totals around a
    // measure) and differ in what they select.
    const text = new PgDialect().sqlToQuery(query).sql.replace(/\s+/g, ' ').trim();
    console.log(
      `  ${String(t?.p50_ms).padStart(6)} ms  ${text.slice(Math.max(0, text.indexOf(' where ')), 110 + text.indexOf(' where '))}`,
    );
  });
/** p50, min and max milliseconds of `--runs` calls after one warm-up. */
async function timed(run: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i <= Number(values.runs); i++) {
    const t0 = performance.now();
    await run();
    if (i > 0) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    p50_ms: Math.round(times[Math.floor(times.length / 2)] ?? 0),
    min_ms: Math.round(times[0] ?? 0),
    max_ms: Math.round(times[times.length - 1] ?? 0),
  };
}
const target = Number(values.cases);
const end = Date.parse(values.end);
const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/pathway_bench');

const admin = postgres({
  host: url.hostname,
  port: Number(url.port || 5432),
  user: url.username || 'postgres',
  database: 'postgres',
  onnotice: () => {},
});
const dbName = url.pathname.slice(1);
const [exists] = await admin`select 1 from pg_database where datname = ${dbName}`;
if (!exists) await admin.unsafe(`create database ${dbName}`);
await admin.end();

const database = await openDatabase({ url: url.toString(), max: 4 });
const copy = postgres(url.toString(), { max: 1, onnotice: () => {} });
try {
  await loadDirectory(database.db);
  await ensureCalendar(database.db);
  const [{ n: existing } = { n: 0 }] = await rows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from cases where reference like 'SY-%'`,
  );
  if (existing === 0) {
    const bar = new SingleBar({
      format: 'loading {bar} {percentage}% | {value}/{total} cases | {events} events | {rate} cases/s | ETA {eta_formatted}',
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    });
    const started = performance.now();
    bar.start(target, 0, { events: 0, rate: 0 });
    const totals = await loadCohort({
      db: database.db,
      copy,
      seed: Number(values.seed),
      cases: target,
      window: { start: end - Number(values.years) * 365 * 86_400_000, end },
      workers: values.workers === undefined ? undefined : Number(values.workers),
      onProgress: (d) => bar.update(d.cases, { events: d.events, rate: Math.round(d.cases / ((performance.now() - started) / 1000)) }),
    });
    bar.stop();
    console.log(`loaded ${totals.cases} cases, ${totals.events} events in ${((performance.now() - started) / 60_000).toFixed(1)} min`);
  } else if (existing !== target) {
    console.log(
      `the database holds ${existing} synthetic cases: timing the audits on those (pass --cases ${existing}, or drop the database to load ${target})`,
    );
  }
  // A freshly loaded table has no visibility map: vacuum so the covering indexes give index-only scans (as autovacuum would).
  await copy.unsafe('vacuum (analyze) state_stays, cases, case_events, audit_events, case_deadlines, refused_attempts');
  const [size] = await rows<Record<string, number>>(
    database.db,
    sql`select (select count(*) from cases)::int as cases, (select count(*) from case_events)::int as events,
               (select count(*) from state_stays)::int as stays, (select count(*) from refused_attempts)::int as refused`,
  );
  console.log(size);
  const now = new Date(end);
  const variants: [string, Record<string, string>][] = [
    ['default (last 90 days)', {}],
    ['area=EAST_KENT, quadrant=Q1', { area: 'EAST_KENT', quadrant: 'Q1' }],
  ];
  if (values.explain || values['per-query']) {
    const wrap = values.explain ? explaining : timingEach;
    for (const name of chosen) {
      for (const [label, query] of variants) {
        console.log(`=== ${name}, ${label}`);
        await (audits[name] as (typeof audits)[string]).run(wrap(database.db), resolveFilters(query, now));
      }
    }
    process.exit(0);
  }
  const results: Record<string, unknown>[] = [];
  for (const name of chosen) {
    for (const [label, query] of variants) {
      const filters = resolveFilters(query, now);
      const row = {
        audit: name,
        filters: label,
        ...(await timed(() => (audits[name] as (typeof audits)[string]).run(database.db, filters))),
      };
      results.push(row);
      console.log(row);
    }
  }
  // Floors: what merely reading the default period's stays, and one exact median over them, cost on this machine — the
  // least any exact dwell or flow figure over the period can take.
  const period = resolveFilters({}, now);
  const window = sql`st.left_at >= ${period.from.toISOString()}::timestamptz and st.left_at < ${period.to.toISOString()}::timestamptz`;
  const floors: [string, SQL][] = [
    ['floor: count the stays ended in the period (index-only)', sql`select count(*) from state_stays st where ${window}`],
    [
      'floor: one exact median of their lengths',
      sql`select percentile_cont(0.5) within group (order by ${days(sql`st.entered_at`, sql`st.left_at`)}) from state_stays st where ${window}`,
    ],
  ];
  for (const [label, query] of floors) {
    const row = { audit: label, filters: 'default (last 90 days)', ...(await timed(() => rows(database.db, query))) };
    results.push(row);
    console.log(row);
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    `bench/results/audits-${size?.cases}.json`,
    `${JSON.stringify({ size, results, at: new Date().toISOString() }, null, 2)}\n`,
  );
} finally {
  await copy.end();
  await database.close();
}

/** The batch loader: generated cases written with COPY (postgres.js) or multi-row inserts (any driver), in parallel workers. */
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import type postgres from 'postgres';
import type { Db } from '../../../db/client.ts';
import { caseDeadlines, caseEvents, cases, refusedAttempts, serviceUsers, stateStays } from '../../../db/schema/index.ts';
import { type Encoded, encodeBatch, tableOrder } from './copy.ts';
import { type CohortWindow, mayBeReReferral } from './journey.ts';
import { type CaseRows, generateRows } from './rows.ts';
import type { Job } from './worker.ts';

export type LoadOptions = {
  db: Db;
  /** With a postgres.js client the loader uses COPY; without, multi-row inserts through Drizzle. */
  copy?: postgres.Sql;
  seed: number;
  cases: number;
  window: CohortWindow;
  /** First slot (several loads of one seed can add up). */
  offset?: number;
  batchSize?: number;
  /** Worker threads; 0 generates in this thread. */
  workers?: number;
  onProgress?: (done: { cases: number; events: number }) => void;
};

/** Slot ranges of about `size`, never splitting a case from its re-referral (the person row comes with the first). */
export function batches(seed: number, from: number, to: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = from; a < to; ) {
    let b = Math.min(to, a + size);
    while (b < to && mayBeReReferral(seed, b)) b++;
    out.push([a, b]);
    a = b;
  }
  return out;
}

const tables = {
  service_users: serviceUsers,
  cases,
  case_events: caseEvents,
  case_deadlines: caseDeadlines,
  state_stays: stateStays,
  refused_attempts: refusedAttempts,
};

/** Writes a batch with multi-row inserts, table by table (parents first), each statement under the parameter limit. */
export async function insertBatch(db: Db, batch: CaseRows[]): Promise<void> {
  const pick: Record<(typeof tableOrder)[number], (c: CaseRows) => object[]> = {
    service_users: (c) => (c.person ? [c.person] : []),
    cases: (c) => [c.kase],
    case_events: (c) => c.events,
    case_deadlines: (c) => c.deadlines,
    state_stays: (c) => c.stays,
    refused_attempts: (c) => c.refused,
  };
  for (const name of tableOrder) {
    const rows = batch.flatMap(pick[name]);
    const per = Math.max(1, Math.floor(30_000 / Math.max(1, Object.keys(rows[0] ?? {}).length)));
    for (let i = 0; i < rows.length; i += per) await db.insert(tables[name]).values(rows.slice(i, i + per) as never[]);
  }
}

/**
 * Writes an encoded batch with one COPY per table, in one transaction so a batch is all there or not at all. The
 * audit events of the batch are projected by one set-based insert (the same SQL function the per-row trigger calls)
 * rather than a trigger call per copied row.
 */
export async function copyBatch(sql: postgres.Sql, encoded: Encoded): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select set_config('pathway.project_audit_events', 'batch', true)`;
    const [{ last } = { last: '0' }] = await tx<{ last: string }[]>`select coalesce(max(id), 0)::text as last from case_events`;
    for (const name of tableOrder) {
      const t = encoded[name];
      if (!t) continue;
      const stream = await tx`copy ${tx(name)} (${tx(t.columns)}) from stdin`.writable();
      await pipeline(Readable.from([t.text]), stream);
    }
    // Events others appended meanwhile were projected by the trigger in their own transactions.
    await tx`insert into audit_events select p.* from case_events e cross join lateral audit_event_of(e) p
              where e.id > ${last}::bigint and is_audit_event(e.type) on conflict do nothing`;
  });
}

/** A worker running worker.ts: TypeScript is loaded through tsx's loader, registered in the worker itself. */
const startWorker = () =>
  new Worker(
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); });`,
    { eval: true },
  );

/** Generates and loads `cases` cases of a seed; returns what was written. */
export async function loadCohort(o: LoadOptions): Promise<{ cases: number; events: number }> {
  const from = o.offset ?? 0;
  const ranges = batches(o.seed, from, from + o.cases, o.batchSize ?? 1000);
  const mode = o.copy ? 'copy' : 'insert';
  const totals = { cases: 0, events: 0 };
  const write = async (r: { cases: number; events: number; encoded?: Encoded; rows?: CaseRows[] }) => {
    if (r.encoded && o.copy) await copyBatch(o.copy, r.encoded);
    else if (r.rows) await insertBatch(o.db, r.rows);
    totals.cases += r.cases;
    totals.events += r.events;
    o.onProgress?.({ ...totals });
  };
  const workers = o.workers ?? Math.max(1, availableParallelism() - 1);
  if (workers === 0) {
    for (const [a, b] of ranges) {
      const rows: CaseRows[] = [];
      for (let slot = a; slot < b; slot++) rows.push((await generateRows(o.seed, slot, o.window)).rows);
      const events = rows.reduce((n, c) => n + c.events.length, 0);
      await write(mode === 'copy' ? { cases: rows.length, events, encoded: encodeBatch(rows) } : { cases: rows.length, events, rows });
    }
    return totals;
  }
  const pool = Array.from({ length: workers }, () => startWorker());
  try {
    let next = 0;
    let writing = Promise.resolve();
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const dispatch = () => {
              const range = ranges[next];
              if (!range) return resolve();
              const job: Job = { id: next++, seed: o.seed, from: range[0], to: range[1], window: o.window, mode };
              worker.postMessage(job);
            };
            worker.on('message', (r: { error?: string; cases: number; events: number; encoded?: Encoded; rows?: CaseRows[] }) => {
              if (r.error) return reject(new Error(r.error));
              // One writer at a time; other workers keep generating while this batch is written, and this
              // worker takes its next range once its batch is in (so at most one batch per worker waits in memory).
              writing = writing.then(() => write(r));
              writing.then(dispatch, reject);
            });
            worker.on('error', reject);
            dispatch();
          }),
      ),
    );
    await writing;
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return totals;
}

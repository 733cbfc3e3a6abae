/**
 * The history is the truth; this checks that it is intact and that everything kept beside it follows from it: every
 * hash link of every case's chain, gapless sequences, and each case's snapshot, projections, pending deadlines and
 * state stays rebuilt from its history (through any pathway migration) against what is stored.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { caseDeadlines, caseEvents, cases, stateStays } from '../../db/schema/index.ts';
import { type Ties, tiedAgencies } from '../../machines/access.ts';
import { deadlinesOf, type HistoryEvent, type PathwaySnapshot, persist, startVersionOf } from '../../machines/snapshot.ts';
import { replayStays, type StayRow } from '../audits/projections.ts';
import { rows } from '../audits/sql.ts';
import { projectionsOf } from './projections.ts';
import { canonicalSnapshot, eventFromRow } from './replayCase.ts';

export type Finding = { caseId: string; reference?: string; check: string; detail: string };
export type VerifyReport = {
  ok: boolean;
  cases: number;
  events: number;
  /** sha256 over every case's last hash, in case order: record it elsewhere to detect a history rewritten whole. */
  seal: string;
  findings: Finding[];
  seconds: number;
};

/** Links whose stored hash is not the hash of their row chained to the stored hash before it (one query, by the database's own definition). */
async function brokenLinks(db: Db): Promise<Finding[]> {
  const broken = await rows<{ case_id: string; seq: number }>(
    db,
    sql`select e.case_id::text as case_id, e.seq from case_events e
        left join case_events p on p.case_id = e.case_id and p.seq = e.seq - 1
        where e.hash is distinct from case_event_hash(p.hash, e) order by e.case_id, e.seq`,
  );
  return broken.map((b) => ({
    caseId: b.case_id,
    check: 'chain',
    detail: `event ${b.seq}: its hash does not follow from the event and the one before`,
  }));
}

/**
 * Access-log entries whose hash does not follow from the entry and the one it names before it, that name an entry of
 * another chain or a later one, or that share a predecessor (a fork): migration 0015's chain, by its own definition.
 */
async function brokenAccessLog(db: Db): Promise<Finding[]> {
  const broken = await rows<{ id: number; case_id: string | null; why: string }>(
    db,
    sql`select e.id::int as id, e.case_id::text as case_id,
               case when e.hash is distinct from access_log_hash(p.hash, e) then 'its hash does not follow from the entry and the one before'
                    else 'it names an entry of another case, or a later one, as the one before' end as why
          from access_log e left join access_log p on p.id = e.prev_id
         where e.hash is distinct from access_log_hash(p.hash, e)
            or (e.prev_id is not null and (p.id is null or p.case_id is distinct from e.case_id or p.id >= e.id))
        union all
        select min(e.id)::int, min(e.case_id::text), 'two entries follow the same one (or begin the same chain)'
          from access_log e group by e.case_id, e.prev_id having count(*) > 1
         order by 1`,
  );
  return broken.map((b) => ({ caseId: b.case_id ?? '', check: 'access-log', detail: `access log entry ${b.id}: ${b.why}` }));
}

/** Rebuilds one case from its history and compares what is stored beside it. */
function checkCase(
  row: typeof cases.$inferSelect,
  events: (typeof caseEvents.$inferSelect)[],
  deadlines: (typeof caseDeadlines.$inferSelect)[],
  stays: (typeof stateStays.$inferSelect)[],
): Finding[] {
  const findings: Finding[] = [];
  const found = (check: string, detail: string) => findings.push({ caseId: row.id, reference: row.reference, check, detail });
  const seqs = events.map((e) => e.seq);
  if (row.version !== events.length || seqs.some((s, i) => s !== i + 1)) {
    found('sequence', `version ${row.version}, events numbered ${seqs.join(',')}`);
    return findings;
  }
  const history: HistoryEvent[] = events.map(eventFromRow);
  let snapshot: PathwaySnapshot;
  let rebuilt: StayRow[];
  let ties: Ties;
  try {
    ({ snapshot, stays: rebuilt, ties } = replayStays(row.id, history, startVersionOf(history, row.pathwayVersion)));
  } catch (error) {
    found('replay', (error as Error).message);
    return findings;
  }
  if (!isDeepStrictEqual(canonicalSnapshot(persist(snapshot)), canonicalSnapshot(row.snapshot)))
    found('snapshot', 'the stored snapshot is not the replayed one');
  const p = projectionsOf(snapshot);
  for (const [column, value] of Object.entries(p)) {
    const stored = row[column as keyof typeof row];
    if (!isDeepStrictEqual(stored, value))
      found('projection', `${column}: stored ${JSON.stringify(stored)}, history gives ${JSON.stringify(value)}`);
  }
  // The access policy reads the ties: each agency's part, as the history gives it.
  if (!isDeepStrictEqual(row.ties, ties)) found('ties', 'the stored agencies’ parts in the case are not the history’s');
  else if (!isDeepStrictEqual(row.agencies, tiedAgencies(ties))) found('ties', 'the stored agency list is not the ties’ agencies');
  const key = (d: { name: string; ref: string | null; dueAt: Date }) => `${d.name}|${d.ref ?? ''}|${d.dueAt.toISOString()}`;
  const expected = deadlinesOf(snapshot)
    .map((d) => key({ name: d.name, ref: d.ref, dueAt: new Date(d.dueAt) }))
    .sort();
  const storedDeadlines = deadlines.map(key).sort();
  if (!isDeepStrictEqual(expected, storedDeadlines))
    found('deadlines', `stored ${storedDeadlines.join(' ')}; history gives ${expected.join(' ')}`);
  const stayKey = (s: { state: string; enteredSeq: number; leftSeq?: number | null }) => `${s.state}@${s.enteredSeq}-${s.leftSeq ?? ''}`;
  const expectedStays = rebuilt.map(stayKey).sort();
  const storedStays = stays.map(stayKey).sort();
  if (!isDeepStrictEqual(expectedStays, storedStays))
    found('stays', `stored ${storedStays.join(' ')}; history gives ${expectedStays.join(' ')}`);
  return findings;
}

/** Checks every case, a batch at a time; `limit` caps the findings listed (all are counted in `ok`). */
export async function verifyHistory(
  db: Db,
  { batchSize = 500, limit = 200, onProgress }: { batchSize?: number; limit?: number; onProgress?: (cases: number) => void } = {},
): Promise<VerifyReport> {
  const started = performance.now();
  const findings: Finding[] = [...(await brokenLinks(db)), ...(await brokenAccessLog(db))];
  const seal = createHash('sha256');
  let checked = 0;
  let events = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await db.select().from(cases).where(gt(cases.id, after)).orderBy(asc(cases.id)).limit(batchSize);
    if (batch.length === 0) break;
    const ids = batch.map((c) => c.id);
    const [eventRows, deadlineRows, stayRows] = await Promise.all([
      db.select().from(caseEvents).where(inArray(caseEvents.caseId, ids)).orderBy(asc(caseEvents.caseId), asc(caseEvents.seq)),
      db.select().from(caseDeadlines).where(inArray(caseDeadlines.caseId, ids)),
      db
        .select()
        .from(stateStays)
        .where(and(inArray(stateStays.caseId, ids))),
    ]);
    const group = <T extends { caseId: string }>(list: T[]) => {
      const out = new Map<string, T[]>();
      for (const r of list) out.set(r.caseId, [...(out.get(r.caseId) ?? []), r]);
      return out;
    };
    const ev = group(eventRows);
    const dl = group(deadlineRows);
    const st = group(stayRows);
    for (const row of batch) {
      const history = ev.get(row.id) ?? [];
      events += history.length;
      seal.update(`${row.id}:${history.at(-1)?.hash ?? ''}\n`);
      findings.push(...checkCase(row, history, dl.get(row.id) ?? [], st.get(row.id) ?? []));
    }
    checked += batch.length;
    onProgress?.(checked);
    after = batch[batch.length - 1]?.id ?? after;
  }
  return {
    ok: findings.length === 0,
    cases: checked,
    events,
    seal: seal.digest('hex'),
    findings: findings.slice(0, limit),
    seconds: (performance.now() - started) / 1000,
  };
}

/** One case only (the API's per-case check). */
export async function verifyOne(db: Db, caseId: string): Promise<Finding[]> {
  const [row] = await db.select().from(cases).where(eq(cases.id, caseId));
  if (!row) return [];
  const [history, deadlines, stays] = await Promise.all([
    db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq)),
    db.select().from(caseDeadlines).where(eq(caseDeadlines.caseId, caseId)),
    db.select().from(stateStays).where(eq(stateStays.caseId, caseId)),
  ]);
  return checkCase(row, history, deadlines, stays);
}

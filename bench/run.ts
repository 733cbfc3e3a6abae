/** npm run bench: ceiling (SQL only) vs engine (in-process) vs full stack (HTTP), PGlite, replay — one invocation. */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase } from '../db/client.ts';
import { caseEvents } from '../db/schema/index.ts';
import { loadDirectory } from '../db/seed/directory.ts';
import { replay } from '../machines/snapshot.ts';
import { currentVersion } from '../machines/versions.ts';
import { applyEvent } from '../server/engine/applyEvent.ts';
import { eventFromRow } from '../server/engine/replayCase.ts';
import { createPostgresDatabase } from '../test/support/database.ts';
import { ceilingClient, ceilingTransition } from './ceiling.ts';
import { casesInJointCare, principal, reviewBody } from './fixtures.ts';
import { benchToken, httpFloor, httpRun, perClient, startServer, stopServer } from './http.ts';
import { closedLoop, fmt, type Result, table } from './lib.ts';
import { pgbench } from './pgbench.ts';

const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const clientCounts = (process.env.BENCH_CLIENTS ?? '1,8,32,64').split(',').map(Number);
const maxClients = Math.max(...clientCounts);
/** BENCH_SERVER_WORKERS=2 measures the server as a cluster (SERVER_WORKERS), its connections split between the workers. */
const serverWorkers = Number(process.env.BENCH_SERVER_WORKERS ?? 1);
const log = (s: string) => process.stderr.write(`${s}\n`);

/** The transaction the engine ran before it wrote in one statement (lock, update, insert): kept as a reference. */
function lockUpdateInsertOp(sql: postgres.Sql, ids: string[]) {
  return async (client: number, i: number) => {
    const id = ids[client * perClient + (i % perClient)] as string;
    await sql.begin(async (tx) => {
      const [row] = await tx`select * from cases where id = ${id} for update`;
      if (!row) throw new Error('missing case');
      const version = (row.version as number) + 1;
      await tx`update cases set snapshot = ${row.snapshot}, state_paths = ${row.state_paths}, phase = ${row.phase}, status = ${row.status},
        lead_agency_id = ${row.lead_agency_id}, quadrant = ${row.quadrant}, version = ${version}, updated_at = now()
        where id = ${id} and version = ${row.version}`;
      await tx`insert into case_events (case_id, seq, type, payload, actor_id, actor_agency_id, actor_agency_kind, actor_role, from_state, to_state, at)
        values (${id}, ${version}, 'careplan.review', ${tx.json(reviewBody as never)}, 'bench', 'cgl-west-kent', 'SMS', 'practitioner', ${row.state_paths}, ${row.state_paths}, now())`;
    });
  };
}

async function main() {
  log(`bench: ${seconds}s per point, clients ${clientCounts.join(', ')}`);
  const { url, dropDatabase } = await createPostgresDatabase(baseUrl);
  const results: Result[] = [];
  const extra: string[] = [];
  try {
    const database = await openDatabase({ url, max: 4 });
    await loadDirectory(database.db);
    const t = performance.now();
    const ids = await casesInJointCare(database.db, maxClients * perClient);
    log(`fixtures: ${ids.length} cases in joint care in ${fmt((performance.now() - t) / 1000)}s`);

    // Each layer gets a pool of its own size, closed after its run: the server allows 100 connections in all.
    for (const c of clientCounts) {
      const sql = ceilingClient(url, c);
      const transition = ceilingTransition(sql, database.db);
      results.push(
        await closedLoop('ceiling (postgres.js)', c, seconds, async (client, i) => {
          await transition(ids[client * perClient + (i % perClient)] as string);
        }),
      );
      log(`ceiling ${c}: ${fmt(results.at(-1)?.tps ?? 0)} tx/s`);
      await sql.end();
      const plain = postgres(url, { max: c, onnotice: () => {} });
      results.push(await closedLoop('lock-update-insert tx (reference)', c, seconds, lockUpdateInsertOp(plain, ids)));
      await plain.end();
      const pg = await pgbench(url, ids, c, seconds);
      if (pg) results.push(pg);
      const engineDb = await openDatabase({ url, max: c });
      results.push(
        await closedLoop('engine (in-process)', c, seconds, async (client, i) => {
          await applyEvent(engineDb.db, ids[client * perClient + (i % perClient)] as string, reviewBody, principal);
        }),
      );
      await engineDb.close();
      log(`engine ${c}: ${fmt(results.at(-1)?.tps ?? 0)} tx/s`);
    }

    const server = await startServer({
      DATABASE_URL: url,
      PG_POOL_MAX: String(Math.ceil(maxClients / serverWorkers)),
      SERVER_WORKERS: String(serverWorkers),
    });
    try {
      const token = await benchToken();
      // Warm-up, not recorded: every worker listening and its code compiled before the first measured point.
      await httpRun(server.port, ids, Math.min(8, maxClients), 2, token);
      for (const c of clientCounts) {
        results.push(await httpRun(server.port, ids, c, seconds, token));
        log(`http ${c}: ${fmt(results.at(-1)?.tps ?? 0)} req/s`);
        results.push(await httpFloor(server.port, c, seconds));
        log(`http floor ${c}: ${fmt(results.at(-1)?.tps ?? 0)} req/s`);
      }
    } finally {
      // Gone before the next server starts: a cluster's graceful stop would otherwise overlap the next measurement.
      await stopServer(server.child);
    }
    // The same load against a bare node:http server running the ceiling's statements: HTTP's own price here.
    const bare = await startServer({ DATABASE_URL: url, PG_POOL_MAX: String(maxClients) }, [], 'bench/httpCeiling.ts');
    try {
      for (const c of clientCounts) {
        results.push(await httpRun(bare.port, ids, c, seconds, '', 'HTTP ceiling (node:http + ceiling SQL)'));
        log(`http ceiling ${c}: ${fmt(results.at(-1)?.tps ?? 0)} req/s`);
      }
    } finally {
      await stopServer(bare.child);
    }

    // Replay: rebuild every bench case from its history.
    const rows = await database.db.select().from(caseEvents).orderBy(asc(caseEvents.caseId), asc(caseEvents.seq));
    const byCase = new Map<string, typeof rows>();
    for (const r of rows) byCase.set(r.caseId, [...(byCase.get(r.caseId) ?? []), r]);
    const r0 = performance.now();
    for (const events of byCase.values()) replay(events.map(eventFromRow), currentVersion);
    const replaySeconds = (performance.now() - r0) / 1000;
    extra.push(
      `Replay: ${rows.length} events of ${byCase.size} cases rebuilt in ${fmt(replaySeconds, 2)} s = ${fmt(rows.length / replaySeconds, 0)} events/s`,
    );
    await database.close();
  } finally {
    await dropDatabase();
  }

  // PGlite: one full journey end to end, and server start-up on an empty data directory.
  const pglite = await openDatabase({});
  await loadDirectory(pglite.db);
  const j0 = performance.now();
  const [caseId] = await casesInJointCare(pglite.db, 1);
  await applyEvent(
    pglite.db,
    caseId as string,
    { type: 'case.close', reason: 'dischargedToGp', personInformed: true, gpInformed: true },
    principal,
  );
  extra.push(`PGlite: one journey (referral → joint care → closure, 6 transitions) in ${fmt(performance.now() - j0)} ms`);
  await pglite.close();
  const dir = mkdtempSync(join(tmpdir(), 'pathway-bench-'));
  try {
    const cold = await startServer({ DATA_DIR: dir, DATABASE_URL: '', SEED_DEMO: 'false' });
    await stopServer(cold.child);
    const warm = await startServer({ DATA_DIR: dir, DATABASE_URL: '', SEED_DEMO: 'false' });
    await stopServer(warm.child);
    extra.push(
      `PGlite server start-up to /readyz: ${fmt(cold.startupMs, 0)} ms on an empty directory (migrate), ${fmt(warm.startupMs, 0)} ms when already migrated`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const rowsOut = results.map((r) => [r.label, r.clients, fmt(r.tps), fmt(r.p50, 2), fmt(r.p99, 2), r.errors]);
  const ratios = clientCounts.map((c) => {
    const tps = (label: string) => results.find((r) => r.label.startsWith(label) && r.clients === c)?.tps ?? Number.NaN;
    const pct = (a: number, b: number) => (Number.isFinite(a / b) ? `${fmt((100 * a) / b)} %` : 'n/a');
    const [ceiling, pgbench, e, h, bare] = [tps('ceiling'), tps('pgbench'), tps('engine'), tps('full stack'), tps('HTTP ceiling')];
    return [c, pct(e, ceiling), pct(h, ceiling), pct(h, pgbench), pct(bare, ceiling), pct(h, bare)];
  });
  const report = [
    `### ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ${seconds}s per point, PostgreSQL at ${new URL(baseUrl).host}${serverWorkers > 1 ? `, ${serverWorkers} server workers` : ''}`,
    '',
    table(['layer', 'clients', 'tx/s', 'p50 ms', 'p99 ms', 'errors'], rowsOut),
    '',
    table(
      [
        'clients',
        'engine / ceiling',
        'full stack / ceiling',
        'full stack / pgbench',
        'HTTP ceiling / ceiling',
        'full stack / HTTP ceiling',
      ],
      ratios,
    ),
    '',
    ...extra.map((e) => `- ${e}`),
    '',
  ].join('\n');
  process.stdout.write(`${report}\n`);
  if (process.env.BENCH_RECORD !== 'false') appendFileSync(new URL('./README.md', import.meta.url), `\n${report}`);
}

await main();

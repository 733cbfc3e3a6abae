/** The same transaction as a pgbench script, when pgbench is installed: the database's own limit. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import type { EventBody } from '../machines/events.ts';
import { reviewBody } from './fixtures.ts';
import type { Result } from './lib.ts';

/** The payload column as the engine writes it: the body less its type. */
const payloadOf = ({ type: _type, ...payload }: EventBody) => payload;

const run = promisify(execFile);

const script = (payload: string) => `\\set n random(1, :ncases)
BEGIN;
SELECT * FROM cases WHERE id = (SELECT id FROM bench_case_ids WHERE n = :n) FOR UPDATE;
UPDATE cases SET snapshot = snapshot, version = version + 1, updated_at = now() WHERE id = (SELECT id FROM bench_case_ids WHERE n = :n);
INSERT INTO case_events (case_id, seq, type, payload, actor_id, actor_agency_id, actor_agency_kind, actor_role, from_state, to_state, at)
  SELECT id, version, 'careplan.review', '${payload.replaceAll("'", "''")}', 'bench', 'cgl-west-kent', 'SMS', 'practitioner', state_paths, state_paths, now()
  FROM cases WHERE id = (SELECT id FROM bench_case_ids WHERE n = :n);
END;
`;

export async function pgbench(url: string, ids: string[], clients: number, seconds: number): Promise<Result | undefined> {
  try {
    await run('pgbench', ['--version']);
  } catch {
    return undefined;
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql`create table if not exists bench_case_ids (n serial primary key, id uuid not null)`;
  const [{ count } = { count: 0 }] = await sql<{ count: number }[]>`select count(*)::int as count from bench_case_ids`;
  if (count === 0) await sql`insert into bench_case_ids (id) select * from unnest(${ids}::uuid[])`;
  await sql.end();
  const dir = mkdtempSync(join(tmpdir(), 'pgbench-'));
  try {
    const file = join(dir, 'transition.sql');
    writeFileSync(file, script(JSON.stringify(payloadOf(reviewBody))));
    const u = new URL(url);
    const { stdout } = await run('pgbench', [
      '-h',
      u.hostname,
      '-p',
      u.port || '5432',
      '-U',
      decodeURIComponent(u.username || 'postgres'),
      '-n',
      '-M',
      'prepared',
      '-c',
      String(clients),
      '-j',
      String(Math.min(clients, 2)),
      '-T',
      String(seconds),
      '-D',
      `ncases=${ids.length}`,
      '-D',
      `payload=${JSON.stringify(payloadOf(reviewBody))}`,
      '-f',
      file,
      '-r',
      u.pathname.slice(1),
    ]);
    const tps = Number(stdout.match(/tps = ([\d.]+)/)?.[1] ?? Number.NaN);
    const avg = Number(stdout.match(/latency average = ([\d.]+) ms/)?.[1] ?? Number.NaN);
    const ops = Number(stdout.match(/number of transactions actually processed: (\d+)/)?.[1] ?? 0);
    const failed = Number(stdout.match(/number of failed transactions: (\d+)/)?.[1] ?? 0);
    // pgbench reports the mean, not percentiles, without per-transaction logs: shown in both columns as the mean.
    return { label: 'pgbench (same SQL)', clients, ops, seconds, tps, p50: avg, p99: avg, errors: failed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

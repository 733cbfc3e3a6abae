/** The same SQL as a pgbench script, when pgbench is installed: the database's own limit. */
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

/**
 * The engine's two statements as pgbench runs them: the read of the case (with the idempotency lookup), then the
 * single conditional write — case, event, deadlines, stays and key in one statement, committed on its own. Values the
 * engine computes in JavaScript are taken from the row itself here (the snapshot is written back as it is).
 */
const script = (payload: string) => `\\set n random(1, :ncases)
SELECT c.*, p.*, k.* FROM cases c JOIN service_users p ON p.id = c.person_id
  LEFT JOIN idempotency_keys k ON k.scope = 'case:' || c.id AND k.key = NULL
  WHERE c.id = (SELECT id FROM bench_case_ids WHERE n = :n);
WITH u AS (
  UPDATE cases SET snapshot = snapshot, state_paths = state_paths, phase = phase, status = status, lead_agency_id = lead_agency_id,
    lead_agency_kind = lead_agency_kind, coordinator_id = coordinator_id, coordinator_name = coordinator_name,
    responsible_agency_id = responsible_agency_id, quadrant = quadrant, area = area, version = version + 1,
    state_entered_at = state_entered_at, updated_at = now(), closed_at = closed_at
  WHERE id = (SELECT id FROM bench_case_ids WHERE n = :n)
  RETURNING id, version, state_paths
), e AS (
  INSERT INTO case_events (case_id, seq, type, payload, actor_id, actor_agency_id, actor_agency_kind, actor_role, from_state, to_state, at, idempotency_key)
  SELECT u.id, u.version, 'careplan.review', '${payload.replaceAll("'", "''")}', 'bench', 'cgl-west-kent', 'SMS', 'practitioner',
    u.state_paths, u.state_paths, now(), NULL FROM u
), dd AS (
  DELETE FROM case_deadlines d USING u WHERE false AND d.case_id = u.id
), sx AS (
  UPDATE state_stays s SET left_at = now() FROM u WHERE s.case_id = u.id AND s.state = ANY('{}'::text[]) AND s.left_at IS NULL
)
SELECT count(*) FROM u;
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

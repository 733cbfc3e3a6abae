/**
 * npm run test:chaos — several server processes on one PostgreSQL, many clients with Idempotency-Key and
 * If-Match retrying through failures, random SIGKILLs and a cut database connection; then every case's
 * history is checked: no gaps, no repeats, every acknowledged operation exactly once, nothing refused
 * applied, replay equal to the stored snapshot. Zero violations is the only pass.
 */
import { randomUUID } from 'node:crypto';
import { asc } from 'drizzle-orm';
import postgres from 'postgres';
import { casesInJointCare, principal, reviewBody, sms } from '../../bench/fixtures.ts';
import { openDatabase } from '../../db/client.ts';
import { caseEvents } from '../../db/schema/index.ts';
import { loadDirectory } from '../../db/seed/directory.ts';
import type { EventBody } from '../../machines/events.ts';
import { mintToken } from '../../server/auth.ts';
import { verifyCase } from '../../server/engine/replayCase.ts';
import { createPostgresDatabase } from '../support/database.ts';
import { kill, type Server, startServer } from './servers.ts';

const opt = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const seconds = opt('CHAOS_SECONDS', 20);
const serverCount = opt('CHAOS_SERVERS', 4);
const clientCount = opt('CHAOS_CLIENTS', 64);
const hotCases = opt('CHAOS_HOT', 4);
const coldCases = opt('CHAOS_COLD', 60);
const killEveryMs = opt('CHAOS_KILL_MS', 3000);
const auth = { issuer: 'pathway-chaos', audience: 'pathway-chaos', secret: 'chaos-secret-0123456789-0123456789-0123456789' };
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Outcome = 'ack' | 'refused' | 'unknown';
type Operation = { key: string; caseId: string; outcome: Outcome; status?: number; retries: number };

const bodies: EventBody[] = [
  reviewBody,
  { type: 'consent.record', sharing: 'given', note: 'Consent reconfirmed' },
  { type: 'engagement.assertiveOutreach', note: 'Home visit after missed contact' },
];

async function main() {
  const { url, dropDatabase } = await createPostgresDatabase(baseUrl);
  const violations: string[] = [];
  let kills = 0;
  let cuts = 0;
  const ops: Operation[] = [];
  const servers: Server[] = Array.from({ length: serverCount }, (_, index) => ({
    index,
    port: 31_000 + index + Math.floor(Math.random() * 1000) * 4,
    child: null,
    restarts: 0,
  }));
  // No rate limit: the run measures correctness under retries and faults, not the limiter.
  const env = {
    DATABASE_URL: url,
    PG_POOL_MAX: '16',
    AUTH_SECRET: auth.secret,
    AUTH_ISSUER: auth.issuer,
    AUTH_AUDIENCE: auth.audience,
    RATE_LIMIT_PER_MINUTE: '0',
  };
  try {
    const database = await openDatabase({ url, max: 4 });
    await loadDirectory(database.db);
    const ids = await casesInJointCare(database.db, hotCases + coldCases);
    const hot = ids.slice(0, hotCases);
    const cold = ids.slice(hotCases);
    const token = await mintToken(auth, { sub: principal.id, agency: sms.id, role: 'practitioner' });
    await Promise.all(servers.map((s) => startServer(s, env)));

    const until = Date.now() + seconds * 1000;
    const live = () => servers.filter((s) => s.child);
    const pickServer = () => {
      const up = live();
      return up[Math.floor(Math.random() * up.length)] ?? servers[0];
    };

    /** One logical operation: read the version, then send with If-Match and a key, retrying the same request on failure. */
    const operate = async () => {
      const caseId =
        Math.random() < 0.5
          ? (hot[Math.floor(Math.random() * hot.length)] as string)
          : (cold[Math.floor(Math.random() * cold.length)] as string);
      const key = randomUUID();
      const body = bodies[Math.floor(Math.random() * bodies.length)];
      let version: string | null = null;
      for (let attempt = 0; attempt < 5 && !version; attempt++) {
        try {
          const res = await fetch(`http://127.0.0.1:${pickServer()?.port}/api/cases/${caseId}`, {
            headers: { Authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(3000),
          });
          if (res.ok) version = res.headers.get('ETag');
          await res.arrayBuffer();
        } catch {}
      }
      if (!version) return; // never sent: not an operation
      const op: Operation = { key, caseId, outcome: 'unknown', retries: 0 };
      ops.push(op);
      for (let attempt = 0; attempt < 8; attempt++) {
        if (attempt > 0) {
          op.retries++;
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
        try {
          const res = await fetch(`http://127.0.0.1:${pickServer()?.port}/api/cases/${caseId}/events`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'If-Match': version, 'Idempotency-Key': key },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(3000),
          });
          await res.arrayBuffer();
          op.status = res.status;
          if (res.status >= 200 && res.status < 300) {
            op.outcome = 'ack';
            return;
          }
          if (res.status >= 400 && res.status < 500) {
            op.outcome = 'refused';
            return;
          }
        } catch {
          // Timeout or reset: the request may or may not have been applied; retry with the same key.
        }
      }
    };

    const clients = Array.from({ length: clientCount }, async () => {
      while (Date.now() < until) await operate();
    });
    const killer = (async () => {
      let cut = false;
      while (Date.now() < until) {
        await new Promise((r) => setTimeout(r, killEveryMs * (0.5 + Math.random())));
        if (Date.now() >= until) break;
        if (!cut && Date.now() > until - (seconds * 1000) / 2) {
          // Once, cut every server's database connections from the database side.
          const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
          const dbName = new URL(url).pathname.slice(1);
          await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`;
          await admin.end();
          cut = true;
          cuts++;
          continue;
        }
        const victim = servers[Math.floor(Math.random() * servers.length)] as Server;
        if (!victim.child) continue;
        kill(victim);
        kills++;
        await new Promise((r) => setTimeout(r, 200));
        victim.restarts++;
        await startServer(victim, env).catch(() => {});
      }
    })();
    await Promise.all([...clients, killer]);
    for (const s of servers) kill(s);

    // The checks: each case's history against the operations' outcomes.
    const checker = await openDatabase({ url, max: 4 });
    const rows = await checker.db.select().from(caseEvents).orderBy(asc(caseEvents.caseId), asc(caseEvents.seq));
    const byCase = new Map<string, typeof rows>();
    for (const r of rows) byCase.set(r.caseId, [...(byCase.get(r.caseId) ?? []), r]);
    for (const [caseId, events] of byCase) {
      events.forEach((e, i) => {
        if (e.seq !== i + 1) violations.push(`case ${caseId}: seq ${e.seq} at position ${i + 1}`);
      });
      const check = await verifyCase(checker.db, caseId);
      if (!check.ok) violations.push(`case ${caseId}: replay differs from the stored snapshot`);
    }
    const applied = new Map<string, number>();
    for (const r of rows) if (r.idempotencyKey) applied.set(r.idempotencyKey, (applied.get(r.idempotencyKey) ?? 0) + 1);
    for (const op of ops) {
      const n = applied.get(op.key) ?? 0;
      if (op.outcome === 'ack' && n !== 1) violations.push(`acknowledged ${op.key} applied ${n} times`);
      if (op.outcome === 'refused' && n !== 0) violations.push(`refused ${op.key} (status ${op.status}) applied ${n} times`);
      if (op.outcome === 'unknown' && n > 1) violations.push(`unknown ${op.key} applied ${n} times`);
    }
    await checker.close();
    await database.close();

    const count = (o: Outcome) => ops.filter((op) => op.outcome === o).length;
    const retries = ops.reduce((n, op) => n + op.retries, 0);
    process.stdout.write(
      [
        `chaos: ${seconds}s, ${serverCount} servers, ${clientCount} clients, ${hotCases} hot + ${coldCases} cold cases`,
        `operations ${ops.length} (acknowledged ${count('ack')}, refused ${count('refused')}, unknown ${count('unknown')}), retries ${retries}`,
        `events ${rows.length}, kills ${kills}, connection cuts ${cuts}, violations ${violations.length}`,
        ...violations.slice(0, 20).map((v) => `  violation: ${v}`),
        `${violations.length === 0 ? 1 : 0} passed, ${violations.length === 0 ? 0 : 1} failed`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const s of servers) kill(s);
    await dropDatabase().catch(() => {});
  }
  process.exit(violations.length === 0 ? 0 : 1);
}

await main();

/**
 * A server process shut down (SIGTERM) drains: /readyz 503, in-flight requests finish, streams end, exit 0 within
 * SHUTDOWN_GRACE_MS. On PostgreSQL, connections cut under it (pg_terminate_backend) are reported and recovered.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { count } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { lockFileName } from '../../db/dataDirLock.ts';
import { cases } from '../../db/schema/index.ts';
import { mintToken } from '../../server/auth.ts';
import { openCaseBody, services } from '../support/apiFactory.ts';
import { createPostgresDatabase } from '../support/database.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const auth = { issuer: 'pathway-shutdown', audience: 'pathway-shutdown-api', secret: randomBytes(32).toString('hex') };
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const clean of cleanups) await clean();
});

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

async function startServer(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: '',
      ...env,
      PORT: String(port),
      AUTH_SECRET: auth.secret,
      AUTH_ISSUER: auth.issuer,
      AUTH_AUDIENCE: auth.audience,
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
    },
  });
  children.push(child);
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  for (const until = Date.now() + 120_000; ; ) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`server did not start (${child.exitCode}):\n${log}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, exited, log: () => log };
}

const openCase = (port: number, token: string) =>
  fetch(`http://127.0.0.1:${port}/api/cases`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(openCaseBody()),
  }).then(
    async (r) => ({ status: r.status, body: await r.text() }),
    (error: Error) => ({ status: 0, body: String(error.cause ?? error) }),
  );

describe('Shutdown', () => {
  it('should answer 503 on /readyz while draining, finish in-flight requests, end streams and exit 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pathway-shutdown-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const { child, port, exited, log } = await startServer({ DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: '45000' });
    const primary = await mintToken(auth, { sub: 'gp', agency: services.primary.id, role: 'practitioner' });
    const sms = await mintToken(auth, { sub: 'sms', agency: services.sms.id, role: 'practitioner' });

    const stream = await fetch(`http://127.0.0.1:${port}/api/inspect`, { headers: { Authorization: `Bearer ${sms}` } });
    expect(stream.status).toBe(200);
    const streamEnded = (async () => {
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      for (;;) if ((await reader.read()).done) return true;
    })().catch(() => false);

    // A burst of writes (PGlite takes them one at a time), then SIGTERM while they are in flight.
    const writes = Array.from({ length: 80 }, () => openCase(port, primary));
    const first = await Promise.race(writes);
    expect(first.status, first.body).toBe(201);
    const t0 = performance.now();
    child.kill('SIGTERM');
    const readiness: number[] = [];
    while (child.exitCode === null) {
      const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status) readiness.push(status);
      await new Promise((r) => setTimeout(r, 20));
    }
    const code = await exited;
    const shutdownMs = performance.now() - t0;
    const answers = await Promise.all(writes);
    const tally = (status: number) => answers.filter((a) => a.status === status).length;
    console.info(
      `shutdown drained in ${Math.round(shutdownMs)} ms: ${tally(201)} writes done, ${tally(503)} turned away; /readyz ${readiness.length}× 503`,
    );

    expect(code, log()).toBe(0);
    expect(shutdownMs).toBeLessThan(45_000);
    expect(readiness.length).toBeGreaterThan(0);
    expect(readiness.every((s) => s === 503)).toBe(true);
    expect(await streamEnded).toBe(true);
    // Every request was answered: done (201) or, once draining, turned away (503) — none cut off.
    expect(answers.filter((a) => a.status !== 201 && a.status !== 503)).toEqual([]);
    const acknowledged = answers.filter((a) => a.status === 201).length;
    expect(acknowledged).toBeGreaterThan(0);
    // Clean exit: the data directory is released, and every acknowledged case is in it.
    expect(existsSync(join(dataDir, lockFileName))).toBe(false);
    const after = await openDatabase({ dataDir });
    const [row] = await after.db.select({ n: count() }).from(cases);
    await after.close();
    expect(row?.n).toBe(acknowledged);
  }, 180_000);

  it.runIf(process.env.DATABASE_URL)(
    'should report and recover from PostgreSQL connections cut under it, without a restart',
    async () => {
      const base = process.env.DATABASE_URL as string;
      const { url, dropDatabase } = await createPostgresDatabase(base);
      const { child, port } = await startServer({ DATABASE_URL: url });
      cleanups.unshift(async () => {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          await new Promise((r) => child.once('exit', r));
        }
        await dropDatabase();
      });
      const primary = await mintToken(auth, { sub: 'gp', agency: services.primary.id, role: 'practitioner' });
      expect((await openCase(port, primary)).status).toBe(201);

      const admin = postgres(base, { max: 1, onnotice: () => {} });
      const name = new URL(url).pathname.slice(1);
      const cut = await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
      await admin.end();
      expect(cut.length).toBeGreaterThan(0);

      const seen: number[] = [];
      const t0 = performance.now();
      for (;;) {
        const status = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status);
        seen.push(status);
        if (status === 200 || performance.now() - t0 > 15_000) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      console.info(
        `after pg_terminate_backend of ${cut.length} connections: /readyz ${seen.join(', ')} in ${Math.round(performance.now() - t0)} ms`,
      );
      expect(seen.at(-1)).toBe(200);
      expect(seen.every((s) => s === 200 || s === 503)).toBe(true);
      const again = await openCase(port, primary);
      expect(again.status, again.body).toBe(201);
    },
    120_000,
  );
});

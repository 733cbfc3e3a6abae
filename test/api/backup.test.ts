/**
 * The restore drill: a backup of the embedded database taken while a server runs and writes stream in, restored into a
 * new directory: every case acknowledged before the backup is there, the history verifies, and a server accepts writes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inArray } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { cases } from '../../db/schema/index.ts';
import { mintToken } from '../../server/auth.ts';
import { openCaseBody, services } from '../support/apiFactory.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const auth = { issuer: 'pathway-backup', audience: 'pathway-backup-api', secret: randomBytes(32).toString('hex') };
const base = mkdtempSync(join(tmpdir(), 'pathway-backup-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});

const env = (dataDir: string) => ({ ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/** Runs a script to its end: exit code and output. */
const run = (args: string[], dataDir: string) =>
  new Promise<{ code: number | null; out: string; ms: number }>((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env(dataDir),
    });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    child.once('exit', (code) => resolve({ code, out, ms: performance.now() - t0 }));
  });

async function startServer(dataDir: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env(dataDir),
      PORT: String(port),
      AUTH_SECRET: auth.secret,
      AUTH_ISSUER: auth.issuer,
      AUTH_AUDIENCE: auth.audience,
      RATE_LIMIT_PER_MINUTE: '0',
    },
  });
  children.push(child);
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  for (const until = Date.now() + 120_000; ; ) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`server did not start (${child.exitCode}):\n${log}`);
    if (
      await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return { port, child, stop };
}

const openCase = async (port: number, token: string) => {
  const r = await fetch(`http://127.0.0.1:${port}/api/cases`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(openCaseBody()),
  });
  return { status: r.status, json: (await r.json()) as { id: string } };
};

describe('Backup and restore of the embedded database', () => {
  it('should restore a backup taken during a stream of writes: all acknowledged before it, intact, writable', async () => {
    const dataDir = join(base, 'data');
    const restored = join(base, 'restored');
    const file = join(base, 'backups', 'drill.tar.gz');
    const token = await mintToken(auth, { sub: 'gp', agency: services.primary.id, role: 'practitioner' });
    const server = await startServer(dataDir);

    // Two writers, each opening cases one after another until told to stop.
    const acknowledged: string[] = [];
    let writing = true;
    const writers = [0, 1].map(async () => {
      while (writing) {
        const { status, json } = await openCase(server.port, token);
        expect(status).toBe(201);
        acknowledged.push(json.id);
      }
    });
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 50));
    const before = [...acknowledged];
    const backup = await run(['scripts/backup.ts', '--out', file], dataDir);
    const during = acknowledged.length - before.length;
    writing = false;
    await Promise.all(writers);
    await server.stop();
    expect(backup.code, backup.out).toBe(0);
    expect(backup.out).toMatch(`(by server process ${server.child.pid})`);

    const restore = await run(['scripts/restore.ts', '--from', file, '--data-dir', restored], dataDir);
    expect(restore.code, restore.out).toBe(0);
    const verify = await run(['scripts/verify.ts'], restored);
    expect(verify.code, verify.out).toBe(0);
    expect(verify.out).toMatch(/^Intact: \d+ cases/);
    console.info(
      `backup while writing ${Math.round(backup.ms)} ms (${during} cases acknowledged meanwhile), restore ${Math.round(restore.ms)} ms; ${verify.out.split('\n')[0]}`,
    );

    const check = await openDatabase({ dataDir: restored });
    const found = await check.db.select({ id: cases.id }).from(cases).where(inArray(cases.id, before));
    await check.close();
    expect(found.map((c) => c.id).sort()).toEqual([...before].sort());

    const again = await startServer(restored);
    expect((await openCase(again.port, token)).status).toBe(201);
    await again.stop();
    expect(again.child.exitCode).toBe(0);

    // With no server running the command takes the copy itself, under the directory's lock.
    const idle = await run(['scripts/backup.ts', '--out', join(base, 'backups', 'idle.tar.gz')], dataDir);
    expect(idle.code, idle.out).toBe(0);
    expect(idle.out).not.toMatch('by server process');
    expect(existsSync(join(base, 'backups', 'idle.tar.gz'))).toBe(true);
    // A restore never overwrites a database.
    const over = await run(['scripts/restore.ts', '--from', file, '--data-dir', restored], dataDir);
    expect(over.code).not.toBe(0);
    expect(over.out).toMatch('is not empty: restore into a new directory');
  }, 300_000);
});

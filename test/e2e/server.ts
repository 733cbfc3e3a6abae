/** Global setup for the browser tests: build the UI if stale, start the real server on a free loopback port with a temp PGlite. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });

async function waitReady(url: string, child: ChildProcess, ms = 120_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the server did not become ready');
}

/** What the access log holds after the browser tests (every read they made of a case, by action, role and view). */
async function reportAccessLog(dataDir: string) {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(dataDir);
  try {
    const { rows } = await db.query<{ action: string; role: string; relationship: string; view: string; n: number }>(
      `select action, role, relationship, view, count(*)::int as n from access_log
        group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
    );
    const total = rows.reduce((n, r) => n + r.n, 0);
    console.info(
      `access log after the browser tests: ${total} entries\n${rows.map((r) => `  ${r.action} · ${r.role} · ${r.relationship} · ${r.view}: ${r.n}`).join('\n')}`,
    );
  } finally {
    await db.close();
  }
}

export default async function setup(project: TestProject) {
  await import('../../ui/ensureBuilt.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'pathway-e2e-'));
  const port = await freePort();
  // Development mode as `npm start` runs it (dev sign-in, development secret), embedded PGlite (the demo cohort is only
  // seeded there), quick deadline sweeps.
  const { DATABASE_URL: _db, AUTH_SECRET: _s, AUTH_JWKS_URL: _j, NODE_ENV: _n, AUTH_MODE: _m, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--development'], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SEED_DEMO: 'true', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitReady(baseUrl, child);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  project.provide('baseUrl', baseUrl);
  return async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await reportAccessLog(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

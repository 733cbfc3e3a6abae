/**
 * Embedded PGlite holds its data directory for the life of its process: a second opening is refused with a clear message
 * while the holder lives, whatever its event loop does, and the directory is free the moment the holder dies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, DataDirLockedError, openDatabase } from '../../db/client.ts';
import { lockDataDir, lockFileName, processStartTime } from '../../db/dataDirLock.ts';
import { serviceUsers } from '../../db/schema/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const literal = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/** `node --import tsx <script>`: the child's pid is the process that holds the lock. */
const node = (args: string[], env: Record<string, string> = {}) =>
  spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));

describe('PGlite data directory', () => {
  const base = mkdtempSync(join(tmpdir(), 'pathway-datadir-'));
  const children: ChildProcess[] = [];
  const opened: Database[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of opened) await d.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('should refuse a second opening while open, naming the directory and the holder, and open again once closed', async () => {
    const dataDir = join(base, 'in-process');
    const first = await openDatabase({ dataDir });
    opened.push(first);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dataDir, lockFileName), 'utf8')).toBe(`${process.pid}\n${hostname()}\n${processStartTime(process.pid)}\n`);

    await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(openDatabase({ dataDir })).rejects.toThrow(
      new RegExp(`${literal(dataDir)} is already in use by server process ${process.pid}`),
    );
    await expect(openDatabase({ dataDir })).rejects.toThrow(/DATABASE_URL/);
    // The holder still works: the refused openings touched nothing.
    await first.db.insert(serviceUsers).values({ dateOfBirth: '1990-01-01', area: 'MEDWAY' });

    await (opened.pop() as Database).close();
    expect(existsSync(join(dataDir, lockFileName))).toBe(false);
    const again = await openDatabase({ dataDir });
    opened.push(again);
    expect(await again.db.select({ area: serviceUsers.area }).from(serviceUsers)).toEqual([{ area: 'MEDWAY' }]);
    await (opened.pop() as Database).close();
  }, 60_000);

  it('should take over a lock whose holder is dead, or whose pid now belongs to another process', () => {
    const dataDir = join(base, 'stale');
    lockDataDir(dataDir).release();
    // A pid that no process has (above Linux's pid_max), then a live pid with another start time (a recycled pid).
    for (const stale of [`4194305\n${hostname()}\n1\n`, `${process.pid}\n${hostname()}\n1\n`]) {
      writeFileSync(join(dataDir, lockFileName), stale);
      const lock = lockDataDir(dataDir);
      expect(readFileSync(join(dataDir, lockFileName), 'utf8')).toMatch(new RegExp(`^${process.pid}\n`));
      lock.release();
    }
    // Another host's holder cannot be checked from here: refused, saying how to free it.
    writeFileSync(join(dataDir, lockFileName), `42\nelsewhere.example\n1\n`);
    expect(() => lockDataDir(dataDir)).toThrow(/by process 42 on host elsewhere\.example .*delete/);
  });

  it('should keep the directory for a holder whose event loop is blocked, and free it when the holder exits', async () => {
    const dataDir = join(base, 'blocked');
    const holder = node(['test/support/holdDataDir.ts', dataDir, '25000']);
    children.push(holder);
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.on('data', (d) => String(d).includes('locked') && resolve());
      holder.once('exit', (code) => reject(new Error(`holder exited (${code})`)));
    });
    // Longer than the 15 s after which the former time-based lock called a silent holder stale.
    await new Promise((r) => setTimeout(r, 16_000));
    expect(holder.exitCode).toBeNull();
    await expect(openDatabase({ dataDir })).rejects.toThrow(new RegExp(`already in use by server process ${holder.pid}\\.`));

    expect(await exited(holder)).toBe(0);
    expect(existsSync(join(dataDir, lockFileName))).toBe(false);
    const second = await openDatabase({ dataDir });
    opened.push(second);
    expect(second.kind).toBe('pglite');
    await (opened.pop() as Database).close();
  }, 90_000);

  it('should start a server right after the previous one on the directory was killed with SIGKILL', async () => {
    const dataDir = join(base, 'killed');
    const env = {
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      AUTH_SECRET: randomBytes(32).toString('hex'),
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
    };
    const start = async () => {
      const port = await freePort();
      const child = node(['server/main.ts'], { ...env, PORT: String(port) });
      children.push(child);
      let log = '';
      child.stdout?.on('data', (d) => (log += d));
      child.stderr?.on('data', (d) => (log += d));
      const t0 = performance.now();
      for (;;) {
        if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${log}`);
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) return { child, port, readyMs: performance.now() - t0 };
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const first = await start();
    expect(readFileSync(join(dataDir, lockFileName), 'utf8')).toMatch(new RegExp(`^${first.child.pid}\n`));
    first.child.kill('SIGKILL');
    await exited(first.child);
    // The dead holder's file is still there; the next server finds its holder dead and takes the directory at once.
    expect(existsSync(join(dataDir, lockFileName))).toBe(true);
    const second = await start();
    console.info(`restart after SIGKILL ready in ${Math.round(second.readyMs)} ms (first start ${Math.round(first.readyMs)} ms)`);
    expect(readFileSync(join(dataDir, lockFileName), 'utf8')).toMatch(new RegExp(`^${second.child.pid}\n`));

    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(existsSync(join(dataDir, lockFileName))).toBe(false);
  }, 120_000);
});

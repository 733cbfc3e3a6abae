/** Server processes for the chaos run: start, SIGKILL, restart; each on its own loopback port. */
import { type ChildProcess, spawn } from 'node:child_process';

export type ServerEnv = Record<string, string>;
export type Server = { index: number; port: number; child: ChildProcess | null; restarts: number };

export async function startServer(server: Server, env: ServerEnv): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ...env, PORT: String(server.port), LOG_LEVEL: 'fatal' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  server.child = child;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server ${server.index} exited during start-up`);
    try {
      if ((await fetch(`http://127.0.0.1:${server.port}/readyz`, { signal: AbortSignal.timeout(500) })).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server ${server.index} did not become ready`);
}

export function kill(server: Server): void {
  server.child?.kill('SIGKILL');
  server.child = null;
}

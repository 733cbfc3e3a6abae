/** The full stack under load: a server process of its own and autocannon posting reviews to distinct cases. */
import { type ChildProcess, spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { mintToken } from '../server/auth.ts';
import { principal, reviewBody } from './fixtures.ts';
import type { Result } from './lib.ts';

/** Cases per client: each client cycles through cases of its own, so no two clients write the same case. */
export const perClient = 8;
const auth = { issuer: 'pathway-bench', audience: 'pathway-bench', secret: 'bench-secret-0123456789-0123456789-0123456789' };

/**
 * Starts `script` (the server by default) on a random port (extra node flags first, e.g. `--cpu-prof`) and waits until
 * it is ready.
 */
export async function startServer(
  env: Record<string, string>,
  nodeFlags: string[] = [],
  script = 'server/main.ts',
): Promise<{ child: ChildProcess; port: number; startupMs: number }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      AUTH_SECRET: auth.secret,
      AUTH_ISSUER: auth.issuer,
      AUTH_AUDIENCE: auth.audience,
      // The bench measures the engine's ceiling: one principal sends thousands of requests a second.
      RATE_LIMIT_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error('server exited during start-up');
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, startupMs: performance.now() - started };
}

/** Stops a server started by `startServer` and resolves once its process has exited. */
export async function stopServer(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** A token the bench server accepts, for the bench's practitioner. */
export const benchToken = () => mintToken(auth, { sub: principal.id, agency: principal.agencyId, role: 'practitioner' });

/** `clients` connections posting care-plan reviews for `seconds`; connection n writes cases n·perClient … n·perClient+7. */
export async function httpRun(
  port: number,
  ids: string[],
  clients: number,
  seconds: number,
  token: string,
  label = 'full stack',
): Promise<Result> {
  const slots = Math.floor(ids.length / perClient);
  let connection = 0;
  // Each case is written by one connection only: it sends the version it last saw (If-Match is required), read once
  // here and then taken from each answer's ETag.
  const versions = new Map<string, string>();
  for (const id of ids) {
    const res = await fetch(`http://127.0.0.1:${port}/api/cases/${id}`, { headers: { authorization: `Bearer ${token}` } });
    versions.set(id, res.headers.get('etag') ?? '"1"');
    await res.body?.cancel();
  }
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: clients,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req, context: { n?: number; i?: number; id?: string }) => {
          context.n ??= connection++;
          context.i = (context.i ?? 0) + 1;
          const id = ids[(context.n % slots) * perClient + (context.i % perClient)] as string;
          context.id = id;
          return {
            ...req,
            path: `/api/cases/${id}/events`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'if-match': versions.get(id) ?? '"1"' },
            body: JSON.stringify(reviewBody),
          };
        },
        onResponse: (_status, _body, context: { id?: string }, headers) => {
          const etag = headers?.etag ?? headers?.ETag;
          if (context.id && typeof etag === 'string') versions.set(context.id, etag);
        },
      },
    ],
  });
  return resultOf(label, clients, result);
}

/**
 * The HTTP floor: `GET /healthz` through the same server and middleware, no auth, no database — what the HTTP layer and
 * the load generator alone cost on this machine, beside which the full stack's figures can be read.
 */
export async function httpFloor(port: number, clients: number, seconds: number): Promise<Result> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/healthz`, connections: clients, duration: seconds });
  return resultOf('HTTP floor (GET /healthz)', clients, result);
}

function resultOf(label: string, clients: number, result: autocannon.Result): Result {
  const ok = result['2xx'];
  return {
    label,
    clients,
    ops: ok,
    seconds: result.duration,
    tps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
  };
}

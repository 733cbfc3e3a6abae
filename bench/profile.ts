/**
 * `npm run bench:profile`: the full stack under load with the server's CPU profiled (node --cpu-prof), to see where
 * a request's time goes. Writes the .cpuprofile into PROFILE_DIR (default: a temporary directory) and prints the
 * functions with the most self time. Options by environment: BENCH_SECONDS (10), BENCH_CLIENTS (32).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/client.ts';
import { loadDirectory } from '../db/seed/directory.ts';
import { createPostgresDatabase } from '../test/support/database.ts';
import { casesInJointCare } from './fixtures.ts';
import { benchToken, httpRun, perClient, startServer, stopServer } from './http.ts';

const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const clients = Number(process.env.BENCH_CLIENTS ?? 32);
const dir = process.env.PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'pathway-profile-'));

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number; children?: number[] };

const { url, dropDatabase } = await createPostgresDatabase(baseUrl);
try {
  const database = await openDatabase({ url, max: 4 });
  await loadDirectory(database.db);
  const ids = await casesInJointCare(database.db, clients * perClient);
  await database.close();
  const server = await startServer({ DATABASE_URL: url, PG_POOL_MAX: String(clients) }, ['--cpu-prof', '--cpu-prof-dir', dir]);
  const result = await httpRun(server.port, ids, clients, seconds, await benchToken());
  console.log(`${result.tps.toFixed(1)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, errors ${result.errors}`);
  // SIGINT: the server exits normally, so node writes the profile.
  await stopServer(server.child, 'SIGINT');
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no profile written');
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[] };
  const total = profile.nodes.reduce((s, n) => s + n.hitCount, 0);
  const self = new Map<string, number>();
  for (const n of profile.nodes) {
    const where = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/main\//, '')}:${n.callFrame.lineNumber + 1}`;
    self.set(where, (self.get(where) ?? 0) + n.hitCount);
  }
  const byPackage = new Map<string, number>();
  for (const n of profile.nodes) {
    const u = n.callFrame.url;
    const pkg = u.includes('node_modules/')
      ? (u
          .split('node_modules/')[1]
          ?.split('/')
          .slice(0, u.includes('node_modules/@') ? 2 : 1)
          .join('/') ?? u)
      : u.startsWith('node:')
        ? u
        : u
          ? 'project'
          : n.callFrame.functionName;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n.hitCount);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, hits]) => `${((100 * hits) / total).toFixed(1).padStart(5)} %  ${name}`);
  // Inclusive time of our own functions (a function's time with everything it calls), the first frame of each on a stack.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  const walk = (n: Node, open: Set<string>): number => {
    const name =
      n.callFrame.url.includes('node_modules') || !n.callFrame.url.startsWith('file:')
        ? ''
        : `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^file:\/\/.*\/main\//, '')}`;
    const fresh = name !== '' && !open.has(name);
    if (fresh) open.add(name);
    let hits = n.hitCount;
    for (const c of n.children ?? []) hits += walk(byId.get(c) as Node, open);
    if (fresh) {
      open.delete(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + hits);
    }
    return hits;
  };
  walk(profile.nodes[0] as Node, new Set());
  console.log(
    `profile: ${join(dir, file)}\n\nself time by package:\n${top(byPackage, 15).join('\n')}\n\nself time by function:\n${top(self, 30).join('\n')}\n\nproject functions, inclusive:\n${top(inclusive, 25).join('\n')}`,
  );
} finally {
  await dropDatabase();
}

/** Concurrency on real Postgres: If-Match races, idempotent retries, racing referrals, and two server processes on one database. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { asc, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseEvents, cases, serviceUsers } from '../../db/schema/index.ts';
import type { EventBody, PathwayContext } from '../../machines/index.ts';
import { mintToken } from '../../server/auth.ts';
import { verifyCase } from '../../server/engine/replayCase.ts';
import { testApi } from '../support/api.ts';
import { expectProblem } from '../support/apiChecks.ts';
import { caseAt, httpJourneys, openCaseBody, sendEvent, services } from '../support/apiFactory.ts';
import { postgresBackend, type TestDatabase } from '../support/database.ts';
import { bodies, body } from '../support/pathwayFactory.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsxCli = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** The events of one case, oldest first. */
const historyOf = async (database: TestDatabase, caseId: string) =>
  database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));

/** A port nobody listens on now. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

type Seen = { sessionId: string; type: string; event?: { type: string } };

/** Reads `GET /api/inspect` of one server as it arrives; `stop` ends the stream. */
async function watch(port: number, bearer: string): Promise<{ seen: Seen[]; stop: () => Promise<void> }> {
  const stream = await fetch(`http://127.0.0.1:${port}/api/inspect`, { headers: { Authorization: `Bearer ${bearer}` } });
  expect(stream.status).toBe(200);
  const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
  const seen: Seen[] = [];
  let text = '';
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += new TextDecoder().decode(value);
      for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
        const data = text
          .slice(0, end)
          .split('\n')
          .find((l) => l.startsWith('data: '));
        text = text.slice(end + 2);
        if (data) seen.push(JSON.parse(data.slice(6)));
      }
    }
  })();
  return {
    seen,
    stop: async () => {
      await reader.cancel();
      await reading.catch(() => {});
    },
  };
}

/** Server processes (`server/main.ts`) on one database, each on a free port; resolves once every one answers /readyz. */
async function spawnServers(count: number, env: Record<string, string>) {
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const child = spawn(process.execPath, [tsxCli, 'server/main.ts'], {
      cwd: root,
      detached: true, // Its own process group: tsx and the node processes it runs are stopped together.
      stdio: ['ignore', 'pipe', 'pipe'],
      // A correctness test under load, not of the throttle (test/api/rateLimit.test.ts): no per-principal limit.
      env: { ...process.env, RATE_LIMIT_PER_MINUTE: '0', ...env, PORT: String(port), LOG_LEVEL: 'warn', SWEEP_INTERVAL_MS: '3600000' },
    });
    child.stdout?.on('data', (d) => logs.push(`[${port}] ${d}`));
    child.stderr?.on('data', (d) => logs.push(`[${port}] ${d}`));
    children.push(child);
    ports.push(port);
  }
  const stop = async () => {
    for (const child of children) {
      if (child.exitCode !== null || !child.pid) continue;
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
    }
  };
  const deadline = Date.now() + 60_000;
  for (const port of ports) {
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline || children.some((c) => c.exitCode !== null)) {
        await stop();
        throw new Error(`server on ${port} did not start:\n${logs.join('')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { ports, stop };
}

/** A POST with a JSON body on a connection of its own (so a cluster's round robin spreads the requests). */
function postFresh(port: number, path: string, bearer: string, payload: unknown, ifMatch?: number) {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: {
          Authorization: `Bearer ${bearer}`,
          'Content-Type': 'application/json',
          ...(ifMatch === undefined ? {} : { 'If-Match': `"${ifMatch}"` }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(payload));
  });
}

// Runs only against a real server (vitest.config.ts leaves this file out when DATABASE_URL is unset).
describe('Concurrency on Postgres', () => {
  let database: TestDatabase;
  let api: ReturnType<typeof testApi>;
  beforeAll(async () => {
    database = await (postgresBackend as NonNullable<typeof postgresBackend>).open();
    api = testApi(database);
  });
  afterAll(async () => database?.drop());

  describe('POST /api/cases/:id/events', () => {
    it('should apply exactly one of 50 concurrent requests with the same If-Match, answering the rest 412', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const before = await historyOf(database, opened.id);

      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          sendEvent(api, opened.id, [i % 2 ? bodies.safeguarding() : body.carePlan(), services.sms], { headers: { 'If-Match': '"4"' } }),
        ),
      );

      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      for (const a of answers.filter((a) => a.status !== 200)) expectProblem(a, 412);
      const after = await historyOf(database, opened.id);
      expect(after).toHaveLength(before.length + 1);
      const [row] = await database.db.select({ version: cases.version }).from(cases).where(eq(cases.id, opened.id));
      expect(row?.version).toBe(5);
      expect((await verifyCase(database.db, opened.id)).ok).toBe(true);
    });

    it('should answer 50 concurrent retries of one Idempotency-Key identically, writing one event', async () => {
      const opened = await caseAt(api, httpJourneys.smsLedQ3());
      const headers = { 'Idempotency-Key': randomUUID(), 'If-Match': '"4"' };

      const answers = await Promise.all(
        Array.from({ length: 50 }, () => sendEvent(api, opened.id, [body.carePlan(), services.sms], { headers })),
      );

      const [first] = answers;
      expect(first?.status).toBe(200);
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(a.json).toEqual(first?.json);
        expect(a.headers.get('ETag')).toBe('"5"');
      }
      const rows = await database.db.select().from(caseEvents).where(eq(caseEvents.idempotencyKey, headers['Idempotency-Key']));
      expect(rows).toHaveLength(1);
      expect(await historyOf(database, opened.id)).toHaveLength(5);
      expect((await verifyCase(database.db, opened.id)).ok).toBe(true);
    });
  });

  describe('POST /api/cases', () => {
    it('should open one case for 20 concurrent first referrals of one person, answering the others 409', async () => {
      const referral = openCaseBody({ on: api.now() });
      const nhsNumber = (referral.person as { nhsNumber: string }).nhsNumber;

      const answers = await Promise.all(
        Array.from({ length: 20 }, () => api.request('POST', '/api/cases', { as: services.primary.id, body: referral })),
      );

      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      for (const a of answers.filter((a) => a.status !== 201)) expectProblem(a, 409);
      const people = await database.db.select().from(serviceUsers).where(eq(serviceUsers.nhsNumber, nhsNumber));
      expect(people).toHaveLength(1);
      const [opened] = await database.db
        .select({ n: count() })
        .from(cases)
        .where(eq(cases.personId, people[0]?.id as string));
      expect(opened?.n).toBe(1);
    });
  });

  describe('Two server processes on one database', () => {
    const auth = { issuer: 'pathway-two-servers', audience: 'pathway-two-servers-api', secret: randomBytes(32).toString('hex') };
    let ports: number[] = [];
    let stop = async () => {};
    let shared: TestDatabase;

    beforeAll(async () => {
      shared = await (postgresBackend as NonNullable<typeof postgresBackend>).open();
      ({ ports, stop } = await spawnServers(2, {
        DATABASE_URL: shared.url as string,
        AUTH_SECRET: auth.secret,
        AUTH_ISSUER: auth.issuer,
        AUTH_AUDIENCE: auth.audience,
      }));
    }, 90_000);

    afterAll(async () => {
      await stop();
      await shared?.drop();
    }, 30_000);

    it('should never interleave or duplicate a case’s sequence when both servers take events for the same cases', async () => {
      const token = (agency: string) => mintToken(auth, { sub: `${agency}-practitioner`, agency, role: 'practitioner' });
      const tokens = { sms: await token(services.sms.id), primary: await token(services.primary.id) };
      // An event is sent as a client does: with the version it last saw, and again with the newer one after a 412.
      const call = async (port: number, path: string, bearer: string, payload: unknown) => {
        for (let ifMatch = '"1"'; ; ) {
          const res = await fetch(`http://127.0.0.1:${port}${path}`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json', 'If-Match': ifMatch },
            body: JSON.stringify(payload),
          });
          const json = (await res.json()) as Record<string, unknown>;
          if (res.status !== 412 || !path.endsWith('/events')) return { status: res.status, json };
          ifMatch = res.headers.get('ETag') ?? ifMatch;
        }
      };
      const [a, b] = ports as [number, number];

      // Three cases, each opened through one server and brought to joint care through the other.
      const ids: string[] = [];
      for (const [i, port] of [a, b, a].entries()) {
        const opened = await call(port, '/api/cases', tokens.primary, openCaseBody());
        expect(opened.status, JSON.stringify(opened.json)).toBe(201);
        const id = opened.json.id as string;
        for (const [event] of httpJourneys.smsLedQ3()) {
          const res = await call(i % 2 ? a : b, `/api/cases/${id}/events`, tokens.sms, event);
          expect(res.status, JSON.stringify(res.json)).toBe(200);
        }
        ids.push(id);
      }

      // 20 events per case through each server, all at once; none of them changes the state, so all apply.
      const events: EventBody[] = [
        bodies.safeguarding(),
        bodies.consent('given'),
        { type: 'mdt.consult', agencies: [services.cmht.id], outcome: 'Joint review' },
      ];
      const sent = ids.flatMap((id) =>
        Array.from({ length: 40 }, (_, n) => call(n % 2 ? a : b, `/api/cases/${id}/events`, tokens.sms, events[n % events.length])),
      );
      const answers = await Promise.all(sent);
      for (const res of answers) expect(res.status, JSON.stringify(res.json)).toBe(200);

      for (const id of ids) {
        const history = await historyOf(shared, id);
        expect(history.map((e) => e.seq)).toEqual(Array.from({ length: 44 }, (_, i) => i + 1));
        // Time follows the sequence: each event is stamped once it holds the case.
        const times = history.map((e) => e.at.getTime());
        expect(times).toEqual([...times].sort((x, y) => x - y));
        const [row] = await shared.db.select({ version: cases.version, snapshot: cases.snapshot }).from(cases).where(eq(cases.id, id));
        expect(row?.version).toBe(44);
        const facts = (row?.snapshot as { context: PathwayContext } | undefined)?.context;
        expect(facts?.safeguarding).toHaveLength(history.filter((e) => e.type === 'safeguarding.raise').length);
        expect(facts?.mdtConsultations).toHaveLength(history.filter((e) => e.type === 'mdt.consult').length);
        expect((await verifyCase(shared.db, id)).ok).toBe(true);
      }
      expect(new Set(answers.map((r) => `${r.json.id}|${r.json.version}`)).size).toBe(answers.length);
    }, 60_000);

    it('should show every transition, once and in order, on a stream of the other server (no cluster between them)', async () => {
      const token = (agency: string) => mintToken(auth, { sub: `${agency}-practitioner`, agency, role: 'practitioner' });
      const tokens = { sms: await token(services.sms.id), primary: await token(services.primary.id) };
      const [a, b] = ports as [number, number];
      const watchers = [await watch(a, tokens.sms), await watch(b, tokens.sms)];
      const post = async (port: number, path: string, bearer: string, payload: unknown, ifMatch?: number) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${bearer}`,
            'Content-Type': 'application/json',
            ...(ifMatch ? { 'If-Match': `"${ifMatch}"` } : {}),
          },
          body: JSON.stringify(payload),
        });
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      };
      // Opened through one server, moved on through the other, then through each in turn.
      const opened = await post(a, '/api/cases', tokens.primary, openCaseBody());
      expect(opened.status, JSON.stringify(opened.json)).toBe(201);
      const id = opened.json.id as string;
      const steps = [...httpJourneys.smsLedQ3().map(([event]) => event), ...Array.from({ length: 6 }, () => bodies.safeguarding())];
      for (const [n, event] of steps.entries()) {
        const res = await post(n % 2 ? a : b, `/api/cases/${id}/events`, tokens.sms, event, n + 1);
        expect(res.status, JSON.stringify(res.json)).toBe(200);
      }
      const expected = ['referral.make', ...steps.map((e) => e.type)];
      const of = (w: { seen: Seen[] }) => w.seen.filter((e) => e.type === '@xstate.event' && e.sessionId === id).map((e) => e.event?.type);
      for (let waited = 0; watchers.some((w) => of(w).length < expected.length) && waited < 5_000; waited += 50)
        await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300)); // long enough for a duplicate to show
      for (const w of watchers) await w.stop();
      for (const w of watchers) expect(of(w)).toEqual(expected);
    }, 60_000);
  });
  describe('One server with two worker processes (SERVER_WORKERS=2)', () => {
    const auth = { issuer: 'pathway-cluster', audience: 'pathway-cluster-api', secret: randomBytes(32).toString('hex') };
    let port = 0;
    let stop = async () => {};
    let shared: TestDatabase;

    beforeAll(async () => {
      shared = await (postgresBackend as NonNullable<typeof postgresBackend>).open();
      const started = await spawnServers(1, {
        DATABASE_URL: shared.url as string,
        SERVER_WORKERS: '2',
        AUTH_SECRET: auth.secret,
        AUTH_ISSUER: auth.issuer,
        AUTH_AUDIENCE: auth.audience,
      });
      port = started.ports[0] as number;
      stop = started.stop;
    }, 90_000);

    afterAll(async () => {
      await stop();
      await shared?.drop();
    }, 30_000);

    it('should show every transition on an inspection stream, whichever worker applied it', async () => {
      const token = (agency: string) => mintToken(auth, { sub: `${agency}-practitioner`, agency, role: 'practitioner' });
      const tokens = { sms: await token(services.sms.id), primary: await token(services.primary.id) };
      // One stream, held by whichever worker took its connection.
      const watched = await watch(port, tokens.sms);
      const seen = watched.seen;

      // Every request on a connection of its own: the cluster hands connections to its workers in turn.
      const opened = await postFresh(port, '/api/cases', tokens.primary, openCaseBody());
      expect(opened.status, JSON.stringify(opened.json)).toBe(201);
      const id = opened.json.id as string;
      const steps = [...httpJourneys.smsLedQ3().map(([event]) => event), ...Array.from({ length: 8 }, () => bodies.safeguarding())];
      for (const [n, event] of steps.entries()) {
        const res = await postFresh(port, `/api/cases/${id}/events`, tokens.sms, event, n + 1);
        expect(res.status, JSON.stringify(res.json)).toBe(200);
      }

      // The referral that opened the case, then each step, in commit order: every worker hears them from PostgreSQL.
      const expected = ['referral.make', ...steps.map((e) => e.type)];
      const events = () => seen.filter((e) => e.type === '@xstate.event' && e.sessionId === id);
      for (let waited = 0; events().length < expected.length && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300)); // long enough for a duplicate to show
      await watched.stop();
      expect(events().map((e) => e.event?.type)).toEqual(expected);
      expect(seen.filter((e) => e.type === '@xstate.snapshot' && e.sessionId === id)).toHaveLength(expected.length);
    }, 60_000);
  });
});

/**
 * Starts the server: configuration from the environment, database opened and migrated, directory loaded. With
 * `SERVER_WORKERS` > 1 (PostgreSQL only) the primary prepares the database once and forks that many server processes.
 */
import cluster from 'node:cluster';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { backupDirFor, backupRequestName, writeBackup } from '../db/backup.ts';
import { type Database, openDatabase } from '../db/client.ts';
import { agencies } from '../db/schema/index.ts';
import { loadDirectory } from '../db/seed/directory.ts';
import { describeUpgrade } from '../db/upgrade.ts';
import { createApp } from './app.ts';
import { createVerifier } from './auth.ts';
import { runPrimary } from './cluster.ts';
import { DEV_SECRET, loadConfig } from './config.ts';
import { isEmpty, seedDemoCohort } from './demo/cohort.ts';
import { purgeExpiredAnswers } from './engine/idempotency.ts';
import { startSweeper } from './engine/sweeper.ts';
import { backfillTies } from './engine/ties.ts';
import { createInspectionHub } from './inspection.ts';
import { createLogger } from './log.ts';
import { startDispatcher } from './notify/dispatcher.ts';
import { relayTransitions } from './notify/relay.ts';
import { devAuth } from './routes/devAuth.ts';
import { staticUi } from './routes/static.ts';
import { relayToStately } from './statelyRelay.ts';

// `--development` (what `npm start` passes) is AUTH_MODE=development: the development sign-in, on a developer's machine.
const config = (() => {
  try {
    return loadConfig(process.argv.includes('--development') ? { ...process.env, AUTH_MODE: 'development' } : process.env);
  } catch (error) {
    // A configuration the server refuses: the reason, without a stack trace.
    console.error(`Not starting: ${(error as Error).message}`);
    process.exit(1);
  }
})();
const log = createLogger(config.logLevel);
const started = performance.now();

const clustered = config.workers > 1 && config.databaseUrl !== undefined;
if (config.workers > 1 && !clustered) log.warn('SERVER_WORKERS needs DATABASE_URL (an embedded database has one process): one process');
if (clustered && cluster.isPrimary) {
  // Migrate and load the directory once, before any worker opens the database.
  const database = await openDatabase({ url: config.databaseUrl as string, max: 1, migrationUrl: config.migrationUrl }).catch((error) => {
    log.fatal({ err: error }, 'cannot open the database');
    process.exit(1);
  });
  reportMigrations(database);
  await loadDirectory(database.db);
  await fillTies(database.db);
  await database.close();
  runPrimary(config.workers, log);
} else {
  await serveProcess();
}

/** Says in the log what opening did to the schema: created it, or upgraded it from which migration to which. */
function reportMigrations(database: Database) {
  const line = database.migrations && describeUpgrade(database.migrations);
  if (line) log.info({ migrations: database.migrations }, line);
}

/** Cases written by a release before the access policy get each agency's part from their history, once. */
async function fillTies(db: Database['db']) {
  const filled = await backfillTies(db);
  if (filled) log.info({ cases: filled }, 'recorded each agency’s part in cases written by an earlier release');
}

async function serveProcess() {
  const database = await openDatabase(
    config.databaseUrl
      ? { url: config.databaseUrl, max: config.poolMax, role: config.databaseRole, migrationUrl: config.migrationUrl }
      : { dataDir: config.dataDir, role: config.databaseRole },
  ).catch((error) => {
    log.fatal({ err: error }, 'cannot open the database');
    process.exit(1);
  });
  reportMigrations(database);
  await loadDirectory(database.db);
  await fillTies(database.db);
  if (database.kind === 'pglite' && config.seedDemo && (await isEmpty(database.db))) {
    const n = await seedDemoCohort(database.db, { cases: 60, seed: 1 });
    log.info({ cases: n }, 'loaded the SYNTHETIC demo cohort (no real people)');
  }
  if (config.auth.development) {
    log.warn(
      `AUTH_MODE=development: the development sign-in (/api/dev) is on${config.auth.secret === DEV_SECRET ? ', with the development signing secret (npm run token mints tokens for it)' : ''}; never use this mode in production`,
    );
  }

  const inspection = createInspectionHub();
  // On PostgreSQL every instance, on any host, hears every committed transition from the database (its own included);
  // the embedded database has one process, which reports its own.
  const relayed = config.databaseUrl !== undefined;
  const stopRelay = config.databaseUrl ? await relayTransitions(config.databaseUrl, database.db, inspection, log) : undefined;
  // Notifications committed with each transition go to the agencies' webhook subscriptions: on a beat (every instance
  // shares the work) and at once after a transition this instance committed.
  const dispatcher = startDispatcher(database.db, { intervalMs: Number(process.env.DISPATCH_INTERVAL_MS ?? 2_000), log });
  const app = createApp({
    database,
    verify: createVerifier(config.auth, async (id) => {
      const [row] = await database.db.select({ kind: agencies.kind }).from(agencies).where(eq(agencies.id, id));
      return row;
    }),
    log,
    now: () => new Date(),
    onApplied: () => dispatcher.kick(),
    inspection,
    reportTransitions: !relayed,
    rateLimitPerMinute: config.rateLimitPerMinute,
    breakGlassMinutes: config.breakGlassMinutes,
    streamsPerPrincipal: config.streamsPerPrincipal,
  });

  // Development sign-in only when asked for (AUTH_MODE=development); otherwise tokens come from the identity provider.
  if (config.auth.development) app.route('/api/dev', devAuth(config.auth));
  // Opt-in: the same inspection stream to Stately's inspector (its WebSocket), where the network reaches it.
  if (process.env.STATELY_INSPECT_URL) {
    relayToStately(inspection, process.env.STATELY_INSPECT_URL);
    log.info('relaying inspection events to STATELY_INSPECT_URL');
  }
  // The inspector UI last, so every API route answers first.
  app.route('/', staticUi());

  const stopSweeper = startSweeper(database.db, {
    onApplied: (applied) => {
      if (!relayed) inspection.report(applied);
      dispatcher.kick();
    },
    intervalMs: Number(process.env.SWEEP_INTERVAL_MS ?? 60_000),
    onError: (error) => log.error({ err: error }, 'deadline sweep failed; retrying next tick'),
  });

  // Idempotency answers are kept for a retry's window only (IDEMPOTENCY_TTL_HOURS), then deleted on the sweeper's beat.
  const purge = () =>
    purgeExpiredAnswers(database.db, config.idempotencyTtlMs).catch((error) =>
      log.error({ err: error }, 'purging expired idempotency answers failed; retrying next tick'),
    );
  const purging = setInterval(purge, Number(process.env.SWEEP_INTERVAL_MS ?? 60_000)).unref();
  void purge();

  // While draining (shutdown): /readyz answers 503 so the load balancer stops sending; new requests are turned away.
  let draining = false;
  const drainingAnswer = (request: Request): Response | undefined => {
    const path = new URL(request.url).pathname;
    if (path === '/healthz') return undefined;
    if (path === '/readyz') return Response.json({ status: 'draining', database: database.kind }, { status: 503 });
    return Response.json(
      { type: 'about:blank', title: 'Shutting down', status: 503, detail: 'This server is shutting down: retry on another.' },
      { status: 503, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '1', Connection: 'close' } },
    );
  };
  // An HTTP/1.1 server (no `createServer` option given).
  const server = serve(
    {
      fetch: (request, env) => (draining && drainingAnswer(request)) || app.fetch(request, env),
      port: config.port,
      hostname: process.env.HOST ?? '127.0.0.1',
    },
    (info) => {
      log.info(
        {
          port: info.port,
          database: database.kind,
          dataDir: database.kind === 'pglite' ? config.dataDir : undefined,
          startupMs: Math.round(performance.now() - started),
        },
        `listening on http://localhost:${info.port}`,
      );
    },
  ) as Server;

  // Requests in flight, streams included: a shutdown waits for them, and for connections already made to be answered.
  let inFlight = 0;
  let lastRequestAt = 0;
  server.on('request', (request, response) => {
    inFlight++;
    if (request.url !== '/readyz' && request.url !== '/healthz') lastRequestAt = performance.now();
    response.once('close', () => inFlight--);
  });
  /** In flight: none; and no request (but probes) for QUIET_MS, so those already on their way get their 503, not a reset. */
  const QUIET_MS = 250;
  const drained = async () => {
    while (inFlight > 0 || performance.now() - lastRequestAt < QUIET_MS) await new Promise((r) => setTimeout(r, 25));
  };

  /** Drains: not ready, streams ended, sweeps, dispatcher and relay stopped, in-flight requests finished; then closes and exits 0. */
  const shutdown = async (signal: string) => {
    if (draining) return;
    draining = true;
    const t0 = performance.now();
    log.info({ signal, inFlight, graceMs: config.shutdownGraceMs }, 'shutting down: draining');
    const cut = setTimeout(() => {
      log.error({ inFlight }, `requests still in flight after SHUTDOWN_GRACE_MS (${config.shutdownGraceMs} ms): cut`);
      server.closeAllConnections();
      process.exit(1);
    }, config.shutdownGraceMs);
    inspection.close();
    clearInterval(purging);
    dispatcher.stop();
    await stopSweeper();
    await stopRelay?.();
    await drained();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await database.close();
    clearTimeout(cut);
    log.info({ ms: Math.round(performance.now() - t0) }, 'shut down');
    process.exit(0);
  };
  // SIGUSR2 (npm run backup): a consistent copy of the embedded database, taken by this process, which holds it.
  const dump = database.dump;
  if (dump) {
    process.on('SIGUSR2', async () => {
      const request = join(config.dataDir, backupRequestName);
      let file = join(backupDirFor(config.dataDir), `${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`);
      if (existsSync(request)) {
        file = readFileSync(request, 'utf8').trim();
        rmSync(request, { force: true });
      }
      const t0 = performance.now();
      try {
        const bytes = await writeBackup(dump, file);
        log.info({ file, bytes, ms: Math.round(performance.now() - t0) }, 'backed up the database');
      } catch (error) {
        log.error({ err: error, file }, 'backup failed');
      }
    });
  } else {
    // Otherwise SIGUSR2 would end the process (Node.js's default): PostgreSQL is backed up with its own tools.
    process.on('SIGUSR2', () => log.warn('SIGUSR2 asks for an embedded backup; back PostgreSQL up with pg_dump or base backups (README)'));
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

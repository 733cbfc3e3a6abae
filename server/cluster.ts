/**
 * Several server processes on one port (`SERVER_WORKERS`, PostgreSQL only): Node's cluster module shares the listening
 * socket, the primary migrates once before forking and replaces a worker that dies. Every worker hears every
 * transition from PostgreSQL itself (server/notify/relay.ts), as instances on other hosts do: nothing is relayed here.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** Runs in the primary: forks `workers`, replaces any that exits unasked, stops them all on SIGTERM or SIGINT. */
export function runPrimary(workers: number, log: Logger): void {
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'server worker exited; starting another');
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    log.info({ signal }, 'stopping server workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), 12_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

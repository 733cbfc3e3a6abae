/**
 * Several server processes on one port (`SERVER_WORKERS`, PostgreSQL only): Node's cluster module shares the listening
 * socket, the primary migrates once before forking, replaces a worker that dies, and relays every applied transition
 * from the worker that applied it to the others, so an inspector connected to any worker sees every case move.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Applied } from './engine/applyEvent.ts';
import { type InspectionHub, type Reported, reported } from './inspection.ts';

/** What crosses between processes: the applied transition without the machine objects a snapshot carries. */
type Relayed = { type: 'pathway:applied'; applied: Reported };
const isRelayed = (m: unknown): m is Relayed => (m as Relayed | null)?.type === 'pathway:applied';

/** Runs in the primary: forks `workers`, replaces any that exits unasked, stops them all on SIGTERM or SIGINT. */
export function runPrimary(workers: number, log: Logger): void {
  cluster.setupPrimary({ serialization: 'advanced' });
  let stopping = false;
  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (!isRelayed(message)) return;
      for (const other of Object.values(cluster.workers ?? {})) if (other && other !== worker && other.isConnected()) other.send(message);
    });
    return worker;
  };
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

/**
 * Runs in every server process: transitions other workers applied are reported to this process's inspection hub as
 * they arrive; the function returned tells the other workers of one applied here (nothing outside a cluster).
 */
export function peerInspection(inspection: InspectionHub): (applied: Applied) => void {
  if (!cluster.isWorker) return () => {};
  process.on('message', (message: unknown) => {
    if (isRelayed(message)) inspection.report(message.applied);
  });
  return (applied) => {
    const relayed: Relayed = { type: 'pathway:applied', applied: reported(applied) };
    process.send?.(relayed);
  };
}

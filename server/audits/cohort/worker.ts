/** A worker thread of the batch loader: generates a range of slots and returns their rows (or their COPY text). */
import { parentPort } from 'node:worker_threads';
import { encodeBatch } from './copy.ts';
import type { CohortWindow } from './journey.ts';
import { generateRows } from './rows.ts';

export type Job = { id: number; seed: number; from: number; to: number; window: CohortWindow; mode: 'copy' | 'insert' };

parentPort?.on('message', async (job: Job) => {
  try {
    const batch = [];
    for (let slot = job.from; slot < job.to; slot++) batch.push((await generateRows(job.seed, slot, job.window)).rows);
    const events = batch.reduce((n, c) => n + c.events.length, 0);
    if (job.mode === 'copy') parentPort?.postMessage({ id: job.id, cases: batch.length, events, encoded: encodeBatch(batch) });
    else parentPort?.postMessage({ id: job.id, cases: batch.length, events, rows: batch });
  } catch (error) {
    parentPort?.postMessage({ id: job.id, error: (error as Error).stack ?? String(error) });
  }
});

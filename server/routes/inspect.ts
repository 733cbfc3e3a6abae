/** Server-sent inspection events: one case (`/api/cases/:id/inspect`) or every case (`/api/inspect`). */

import type { StatelyInspectionEvent } from '@statelyai/inspect';
import { eq } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { cases } from '../../db/schema/index.ts';
import { restore } from '../../machines/snapshot.ts';
import type { Env } from '../env.ts';
import { ALL_CASES, type InspectionHub } from '../inspection.ts';
import { problems } from '../problem.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function inspectRoutes(hub: InspectionHub) {
  const routes = new Hono<Env>();
  const stream = (c: Context<Env>, key: string, initial?: (send: (e: StatelyInspectionEvent) => void) => void) =>
    streamSSE(c, async (sse) => {
      const queue: StatelyInspectionEvent[] = [];
      let wake: (() => void) | undefined;
      const push = (e: StatelyInspectionEvent) => {
        queue.push(e);
        wake?.();
      };
      const unsubscribe = hub.subscribe(key, push);
      sse.onAbort(unsubscribe);
      // Send the headers now: a stream with nothing to report yet would otherwise look unanswered until its first event.
      await sse.write(': connected\n\n');
      initial?.(push);
      while (!sse.aborted && !sse.closed) {
        const next = queue.shift();
        if (next) {
          await sse.writeSSE({ event: next.type, id: next.id, data: JSON.stringify(next) });
          continue;
        }
        // Wait for the next event, or send a comment every 15 s so proxies keep the stream open.
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 15_000);
        });
        wake = undefined;
        if (queue.length === 0 && !sse.aborted) await sse.write(': keep-alive\n\n');
      }
      unsubscribe();
    });

  routes.get('/cases/:id/inspect', async (c) => {
    const id = c.req.param('id');
    if (!uuid.test(id)) throw problems.notFound(`No case ${id}`);
    const [row] = await c.var.deps.database.db
      .select({ snapshot: cases.snapshot, pathwayVersion: cases.pathwayVersion })
      .from(cases)
      .where(eq(cases.id, id));
    if (!row) throw problems.notFound(`No case ${id}`);
    const s = restore(row.snapshot, row.pathwayVersion);
    return stream(c, id, (send) => hub.announce(id, { status: s.status, value: s.value, context: s.context }, send));
  });
  routes.get('/inspect', (c) => stream(c, ALL_CASES));
  return routes;
}

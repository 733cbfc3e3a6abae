/**
 * Server-sent inspection events: one case (`/api/cases/:id/inspect`) or every case (`/api/inspect`), each subscriber
 * seeing what the access policy lets it see (machines/access.ts), with a cap on the streams one principal holds open.
 */

import type { StatelyInspectionEvent } from '@statelyai/inspect';
import { eq } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { cases } from '../../db/schema/index.ts';
import { consentFor, decide, type PrincipalRole, relationshipOf } from '../../machines/access.ts';
import { restore } from '../../machines/snapshot.ts';
import type { ConsentStatus } from '../../machines/vocab.ts';
import { authorizeCase, authorizeRoute, readCase } from '../access.ts';
import type { Principal } from '../auth.ts';
import type { Env } from '../env.ts';
import { ALL_CASES, type InspectionHub, pseudonymised, type StreamedCase, type StreamView } from '../inspection.ts';
import { problems } from '../problem.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A subscriber's view of a case's next event, decided again on every event from the ties and consent reported with it:
 * a part that ends, or consent refused, changes what the stream sends from then on.
 */
const liveView = (p: Principal, kase: StreamedCase): 'full' | 'pseudonymised' | null => {
  const { relationship, tie } = relationshipOf(kase.ties ?? {}, p.agencyId);
  const sharing = (kase.snapshot.context as { consent?: { sharing?: ConsentStatus } } | null)?.consent?.sharing ?? 'notSought';
  const outcome = decide(p.role as PrincipalRole, 'stream', relationship, consentFor(sharing, tie));
  return outcome === 'full' ? 'full' : outcome === 'pseudonymised' ? 'pseudonymised' : null;
};

/** Streams each principal holds open now, in this process. */
const openStreams = new Map<string, number>();
const principalKey = (c: Context<Env>) => `${c.var.principal.agencyId}|${c.var.principal.id}`;

export function inspectRoutes(hub: InspectionHub) {
  const routes = new Hono<Env>();
  /** Refuses a stream beyond the principal's cap (429); returns the release to call when the stream ends. */
  const hold = (c: Context<Env>): (() => void) => {
    const key = principalKey(c);
    const cap = c.var.deps.streamsPerPrincipal ?? 8;
    const held = openStreams.get(key) ?? 0;
    if (held >= cap) throw problems.tooManyStreams(cap);
    openStreams.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (openStreams.get(key) ?? 1) - 1;
      if (n > 0) openStreams.set(key, n);
      else openStreams.delete(key);
    };
  };
  const stream = (
    c: Context<Env>,
    key: string,
    release: () => void,
    options: {
      view?: StreamView;
      /** For one case's stream: the view of each event as it arrives; `end` closes the stream (the access is gone). */
      eventView?: () => 'full' | 'pseudonymised' | 'end';
      pseudonymise?: boolean;
      /** When the access the stream was opened under ends (break-glass): the stream ends then. */
      endAt?: Date;
      initial?: (send: (e: StatelyInspectionEvent) => void) => void;
    },
  ) =>
    streamSSE(c, async (sse) => {
      const queue: StatelyInspectionEvent[] = [];
      let wake: (() => void) | undefined;
      let closing = false;
      const push = (e: StatelyInspectionEvent) => {
        queue.push(options.pseudonymise ? pseudonymised(e) : e);
        wake?.();
      };
      const pushLive = (e: StatelyInspectionEvent) => {
        const v = options.eventView?.() ?? (options.pseudonymise ? 'pseudonymised' : 'full');
        if (v === 'end') closing = true;
        else queue.push(v === 'pseudonymised' ? pseudonymised(e) : e);
        wake?.();
      };
      const unsubscribe = hub.subscribe(key, options.eventView ? pushLive : push, options.view);
      // Shutdown ends the stream: the client reconnects to another server.
      const offClose = hub.onClose(() => {
        closing = true;
        wake?.();
      });
      const end = () => {
        unsubscribe();
        offClose();
        release();
      };
      sse.onAbort(end);
      // Send the headers now: a stream with nothing to report yet would otherwise look unanswered until its first event.
      await sse.write(': connected\n\n');
      options.initial?.(push);
      const ended = () => options.endAt !== undefined && c.var.deps.now().getTime() >= options.endAt.getTime();
      while (!sse.aborted && !sse.closed && !ended() && !closing) {
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
      end();
    });

  routes.get('/cases/:id/inspect', async (c) => {
    const id = c.req.param('id');
    if (!uuid.test(id)) throw problems.notFound(`No case ${id}`);
    const { db } = c.var.deps.database;
    const [row] = await db
      .select({ id: cases.id, snapshot: cases.snapshot, pathwayVersion: cases.pathwayVersion, ties: cases.ties })
      .from(cases)
      .where(eq(cases.id, id));
    if (!row) throw problems.notFound(`No case ${id}`);
    // Refused first, so a stream over the cap is neither opened nor recorded as a read.
    await authorizeCase(db, c.var.principal, row, 'stream', c.var.deps.now());
    const release = hold(c);
    const access = await readCase(db, c.var.principal, row, 'stream', c.var.deps.now()).catch((error: unknown) => {
      release();
      throw error;
    });
    const s = restore(row.snapshot, row.pathwayVersion);
    const p = c.var.principal;
    const opened = access.outcome === 'full' ? 'full' : 'pseudonymised';
    return stream(c, id, release, {
      pseudonymise: access.outcome !== 'full',
      // Break-glass holds its view until it expires (endAt); anyone else's follows the case's ties and consent.
      eventView: () => {
        const kase = hub.latest(id);
        if (access.relationship === 'breakGlass' || !kase?.ties) return opened;
        return liveView(p, kase) ?? 'end';
      },
      ...(access.breakGlassUntil ? { endAt: access.breakGlassUntil } : {}),
      initial: (send) => hub.announce(id, { status: s.status, value: s.value, context: s.context }, send),
    });
  });
  routes.get('/inspect', (c) => {
    const p = c.var.principal;
    authorizeRoute(p, 'inspect.all');
    // Each case's events in the view the policy gives this subscriber now (break-glass access does not extend to this stream).
    return stream(c, ALL_CASES, hold(c), { view: (kase) => liveView(p, kase) });
  });
  return routes;
}

/**
 * The dispatcher: fans each committed notification (the outbox) out to the subscriptions of the agency it tells, then
 * delivers each to its URL as a Standard Webhooks request (`webhook-id`, `webhook-timestamp`, `webhook-signature`,
 * signed with the subscription's secret by the maintained `standardwebhooks` package).
 *
 * At least once, never lost: a delivery is claimed by pushing its next attempt past a lease, in a short statement that
 * skips rows another dispatcher holds (FOR UPDATE SKIP LOCKED); a dispatcher that dies mid-request leaves the claim to
 * lapse and another sends it again — with the same `webhook-id` (the notification's), so a receiver that keeps the ids
 * it has seen never acts twice. A receiver that fails is retried with exponential backoff and jitter for more than a
 * day (`retrySchedule`), then the delivery is dead until someone asks for it again.
 */
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../../db/client.ts';
import { plainRows } from '../audits/sql.ts';

const MINUTE = 60_000;
/** Waits after each failed attempt: 27 h 36 min in all, then dead. */
export const retrySchedule = [10_000, MINUTE, 5 * MINUTE, 30 * MINUTE, 60 * MINUTE, 120 * MINUTE, 240 * MINUTE, 480 * MINUTE, 720 * MINUTE];
/** How long a claimed delivery is held before another dispatcher may try it (longer than a request may take). */
const LEASE_MS = 60_000;

/** The stable id of a notification: the `webhook-id` of every delivery of it. */
export const notificationId = (outboxId: number) => `ntf_${outboxId}`;

/** The body every subscriber of a notification receives: what happened, to which case, whom it awaits. */
export type NotificationBody = {
  id: string;
  type: string;
  timestamp: string;
  data: { caseId: string; reference: string; version: number; about: Record<string, unknown>; links: { case: string } };
};

/** Makes a delivery for every enabled subscription of the agency each new notification tells; returns how many notifications. */
export async function fanOut(db: Db, now: Date, batch = 500): Promise<number> {
  const [r] = await plainRows<{ n: number }>(
    db,
    sql`with claimed as (
          select id, agency_id, type from outbox where fanned_at is null order by id limit ${batch} for update skip locked
        ), made as (
          insert into webhook_deliveries (outbox_id, subscription_id, status, next_attempt_at)
          select c.id, s.id, 'pending', ${now.toISOString()}::timestamptz
            from claimed c join webhook_subscriptions s
              on s.agency_id = c.agency_id and s.disabled_at is null and (s.event_types = '{}' or c.type = any(s.event_types))
          on conflict do nothing
        ), marked as (
          update outbox o set fanned_at = ${now.toISOString()}::timestamptz from claimed c where o.id = c.id returning o.id
        )
        select count(*)::int as n from marked`,
  );
  return r?.n ?? 0;
}

type Claimed = {
  id: number;
  attempts: number;
  outbox_id: number;
  type: string;
  case_id: string;
  seq: number;
  about: Record<string, unknown>;
  created_at: string | Date;
  reference: string;
  url: string;
  secret: string;
};

export type DeliverOptions = {
  now: Date;
  batch?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  log?: Logger | undefined;
  /** 0–1, for the jitter of the next attempt (tests pass a fixed one). */
  random?: () => number;
};

export type DeliveryResult = { delivered: number; failed: number; dead: number };

/** Sends every delivery that is due, each at most once per call; returns what happened. */
export async function deliverDue(db: Db, o: DeliverOptions): Promise<DeliveryResult> {
  const now = o.now;
  const claimed = await plainRows<Claimed>(
    db,
    sql`with due as (
          select id from webhook_deliveries
           where status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz
           order by next_attempt_at, id limit ${o.batch ?? 50} for update skip locked
        ), held as (
          update webhook_deliveries d set next_attempt_at = ${new Date(now.getTime() + LEASE_MS).toISOString()}::timestamptz,
                 attempts = d.attempts + 1
            from due where d.id = due.id
          returning d.id, d.attempts, d.outbox_id, d.subscription_id
        )
        select h.id, h.attempts, h.outbox_id, o.type, o.case_id, o.seq, o.about, o.created_at, c.reference, s.url, s.secret
          from held h join outbox o on o.id = h.outbox_id join cases c on c.id = o.case_id
          join webhook_subscriptions s on s.id = h.subscription_id`,
  );
  const result: DeliveryResult = { delivered: 0, failed: 0, dead: 0 };
  await Promise.all(
    claimed.map(async (d) => {
      const outcome = await send(d, o);
      if (outcome.ok) {
        result.delivered++;
        await db.execute(sql`update webhook_deliveries set status = 'delivered', delivered_at = ${now.toISOString()}::timestamptz,
                                  last_status = ${outcome.status}, last_error = null where id = ${d.id}`);
        return;
      }
      const wait = retrySchedule[d.attempts - 1];
      if (wait === undefined) {
        result.dead++;
        await db.execute(sql`update webhook_deliveries set status = 'dead', last_status = ${outcome.status ?? null},
                                  last_error = ${outcome.error} where id = ${d.id}`);
        o.log?.warn({ delivery: d.id, attempts: d.attempts }, 'webhook delivery dead after its last retry');
        return;
      }
      result.failed++;
      const jitter = 0.8 + 0.4 * (o.random ?? Math.random)();
      const next = new Date(now.getTime() + Math.round(wait * jitter));
      await db.execute(sql`update webhook_deliveries set next_attempt_at = ${next.toISOString()}::timestamptz,
                                last_status = ${outcome.status ?? null}, last_error = ${outcome.error} where id = ${d.id}`);
    }),
  );
  return result;
}

/** The body a notification is delivered with (the same for every subscriber). */
export function bodyOf(
  d: Pick<Claimed, 'outbox_id' | 'type' | 'case_id' | 'seq' | 'about' | 'created_at' | 'reference'>,
): NotificationBody {
  return {
    id: notificationId(d.outbox_id),
    type: d.type,
    timestamp: new Date(d.created_at).toISOString(),
    data: { caseId: d.case_id, reference: d.reference, version: d.seq, about: d.about, links: { case: `/api/cases/${d.case_id}` } },
  };
}

async function send(d: Claimed, o: DeliverOptions): Promise<{ ok: true; status: number } | { ok: false; status?: number; error: string }> {
  const payload = JSON.stringify(bodyOf(d));
  const msgId = notificationId(d.outbox_id);
  // Signed with the real time: the receiver checks it against its own clock.
  const at = new Date();
  try {
    const res = await (o.fetch ?? fetch)(d.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'webhook-id': msgId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(d.secret).sign(msgId, at, payload),
      },
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
    await res.body?.cancel();
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (error) {
    // The reason only (a timeout, a refused connection): never the body or the URL's query.
    return {
      ok: false,
      error:
        (error as Error).name === 'TimeoutError'
          ? 'timeout'
          : (((error as Error).cause as Error)?.message?.slice(0, 200) ?? 'network error'),
    };
  }
}

/**
 * Runs fan-out and delivery on a beat until stopped (every server instance may run one: they share the work);
 * `kick` runs a beat now, as a transition this instance committed does, so a notification does not wait for the beat.
 */
export function startDispatcher(
  db: Db,
  { intervalMs = 2_000, now = () => new Date(), log }: { intervalMs?: number; now?: () => Date; log?: Logger } = {},
): { stop: () => void; kick: () => void } {
  let running = false;
  let again = false;
  const tick = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await fanOut(db, now());
        await deliverDue(db, { now: now(), log });
      } while (again);
    } catch (error) {
      log?.error({ err: error }, 'webhook dispatcher failed; retrying on the next beat');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), kick: () => void tick() };
}

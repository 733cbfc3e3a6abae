/**
 * /api/webhooks: an agency's service managers and clinical directors manage where its notifications are sent
 * (Standard Webhooks), see each delivery and ask for one again; /api/notifications: what the agency has been told.
 */
import { randomBytes } from 'node:crypto';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { outbox, webhookDeliveries, webhookSubscriptions } from '../../db/schema/index.ts';
import { notificationTypes } from '../../machines/notifications.ts';
import { authorizeRoute } from '../access.ts';
import type { Env } from '../env.ts';
import { notificationId } from '../notify/dispatcher.ts';
import { problems } from '../problem.ts';
import { json, problem } from '../schemas.ts';

export const webhooks$ = new OpenAPIHono<Env>();
export const notifications$ = new OpenAPIHono<Env>();
const security = [{ bearer: [] }];
const errors = {
  400: problem('Malformed request'),
  401: problem('No valid bearer token'),
  403: problem('Not a service manager or clinical director of a directory agency'),
  404: problem('No such subscription or delivery of your agency'),
};

/** A new signing secret in the Standard Webhooks form. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** HTTPS anywhere; plain HTTP only to this machine (a receiver under development). */
const receiverUrl = z
  .url()
  .max(2000)
  .refine((u) => {
    const url = new URL(u);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
  }, 'The URL must be https (plain http only to 127.0.0.1 or localhost)');

const subscriptionSchema = z
  .object({ id: z.uuid(), url: z.string(), eventTypes: z.array(z.string()), createdAt: z.string(), disabledAt: z.string().nullable() })
  .meta({ id: 'WebhookSubscription' });
const present = (s: typeof webhookSubscriptions.$inferSelect) => ({
  id: s.id,
  url: s.url,
  eventTypes: s.eventTypes,
  createdAt: s.createdAt.toISOString(),
  disabledAt: s.disabledAt?.toISOString() ?? null,
});
const idParam = z.object({ id: z.uuid().meta({ param: { name: 'id', in: 'path' } }) });

webhooks$.openapi(
  createRoute({
    method: 'get',
    security,
    path: '/subscriptions',
    summary: 'Your agency’s webhook subscriptions (secrets are shown only when made or rotated)',
    responses: { 200: json(z.object({ items: z.array(subscriptionSchema) }), 'The subscriptions'), ...errors },
  }),
  async (c) => {
    authorizeRoute(c.var.principal, 'webhooks');
    const rows = await c.var.deps.database.db
      .select()
      .from(webhookSubscriptions)
      .where(eq(webhookSubscriptions.agencyId, c.var.principal.agencyId))
      .orderBy(desc(webhookSubscriptions.createdAt));
    return c.json({ items: rows.map(present) }, 200);
  },
);

webhooks$.openapi(
  createRoute({
    method: 'post',
    security,
    path: '/subscriptions',
    summary: 'Send your agency’s notifications to a URL, signed (Standard Webhooks)',
    request: {
      body: {
        content: {
          'application/json': {
            schema: z.strictObject({
              url: receiverUrl,
              eventTypes: z
                .array(z.enum(notificationTypes))
                .max(notificationTypes.length)
                .default([])
                .meta({ description: 'Notification types sent; empty: all' }),
            }),
          },
        },
        required: true,
      },
    },
    responses: { 201: json(subscriptionSchema.extend({ secret: z.string() }), 'Made: keep the secret, it is shown once'), ...errors },
  }),
  async (c) => {
    const p = c.var.principal;
    authorizeRoute(p, 'webhooks');
    const body = c.req.valid('json');
    const [row] = await c.var.deps.database.db
      .insert(webhookSubscriptions)
      .values({
        agencyId: p.agencyId,
        url: body.url,
        secret: newSecret(),
        eventTypes: body.eventTypes,
        createdBy: p.id,
        createdAt: c.var.deps.now(),
      })
      .returning();
    if (!row) throw new Error('insert returned no subscription');
    return c.json({ ...present(row), secret: row.secret }, 201);
  },
);

/** One of the caller's agency's subscriptions, or 404. */
async function ownSubscription(c: Parameters<Parameters<typeof webhooks$.openapi>[1]>[0], id: string) {
  authorizeRoute(c.var.principal, 'webhooks');
  const [row] = await c.var.deps.database.db
    .select()
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.agencyId, c.var.principal.agencyId)));
  if (!row) throw problems.notFound(`No subscription ${id} of your agency`);
  return row;
}

webhooks$.openapi(
  createRoute({
    method: 'post',
    security,
    path: '/subscriptions/{id}/rotate',
    summary: 'A new signing secret for a subscription (the old one stops signing at once)',
    request: { params: idParam },
    responses: { 200: json(subscriptionSchema.extend({ secret: z.string() }), 'The new secret, shown once'), ...errors },
  }),
  async (c) => {
    const row = await ownSubscription(c as never, c.req.valid('param').id);
    const [rotated] = await c.var.deps.database.db
      .update(webhookSubscriptions)
      .set({ secret: newSecret() })
      .where(eq(webhookSubscriptions.id, row.id))
      .returning();
    if (!rotated) throw problems.notFound(`No subscription ${row.id}`);
    return c.json({ ...present(rotated), secret: rotated.secret }, 200);
  },
);

webhooks$.openapi(
  createRoute({
    method: 'delete',
    security,
    path: '/subscriptions/{id}',
    summary: 'Stop sending to a subscription (its deliveries are kept)',
    request: { params: idParam },
    responses: { 200: json(subscriptionSchema, 'Disabled'), ...errors },
  }),
  async (c) => {
    const row = await ownSubscription(c as never, c.req.valid('param').id);
    const [disabled] = await c.var.deps.database.db
      .update(webhookSubscriptions)
      .set({ disabledAt: row.disabledAt ?? c.var.deps.now() })
      .where(eq(webhookSubscriptions.id, row.id))
      .returning();
    if (!disabled) throw problems.notFound(`No subscription ${row.id}`);
    return c.json(present(disabled), 200);
  },
);

const deliverySchema = z
  .object({
    id: z.number().int(),
    notificationId: z.string(),
    type: z.string(),
    caseId: z.uuid(),
    subscriptionId: z.uuid(),
    status: z.string(),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

webhooks$.openapi(
  createRoute({
    method: 'get',
    security,
    path: '/deliveries',
    summary: 'Deliveries to your agency’s subscriptions, newest first',
    request: {
      query: z.object({
        status: z.enum(['pending', 'delivered', 'dead']).optional(),
        before: z.coerce.number().int().positive().optional().meta({ description: 'Page: deliveries with a smaller id' }),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    responses: { 200: json(z.object({ items: z.array(deliverySchema) }), 'The deliveries'), ...errors },
  }),
  async (c) => {
    authorizeRoute(c.var.principal, 'webhooks');
    const q = c.req.valid('query');
    const rows = await c.var.deps.database.db
      .select({ d: webhookDeliveries, o: outbox })
      .from(webhookDeliveries)
      .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
      .innerJoin(outbox, eq(outbox.id, webhookDeliveries.outboxId))
      .where(
        and(
          eq(webhookSubscriptions.agencyId, c.var.principal.agencyId),
          q.status ? eq(webhookDeliveries.status, q.status) : undefined,
          q.before ? lt(webhookDeliveries.id, q.before) : undefined,
        ),
      )
      .orderBy(desc(webhookDeliveries.id))
      .limit(q.limit);
    return c.json(
      {
        items: rows.map(({ d, o }) => ({
          id: d.id,
          notificationId: notificationId(o.id),
          type: o.type,
          caseId: o.caseId,
          subscriptionId: d.subscriptionId,
          status: d.status,
          attempts: d.attempts,
          lastStatus: d.lastStatus,
          lastError: d.lastError,
          nextAttemptAt: d.nextAttemptAt.toISOString(),
          deliveredAt: d.deliveredAt?.toISOString() ?? null,
        })),
      },
      200,
    );
  },
);

webhooks$.openapi(
  createRoute({
    method: 'post',
    security,
    path: '/deliveries/{id}/redeliver',
    summary: 'Send a delivery again now (a dead one included), with the same webhook-id',
    request: {
      params: z.object({
        id: z.coerce
          .number()
          .int()
          .positive()
          .meta({ param: { name: 'id', in: 'path' } }),
      }),
    },
    responses: { 200: json(z.object({ id: z.number().int(), status: z.string() }), 'Queued again'), ...errors },
  }),
  async (c) => {
    authorizeRoute(c.var.principal, 'webhooks');
    const id = c.req.valid('param').id;
    const [row] = await c.var.deps.database.db
      .update(webhookDeliveries)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: c.var.deps.now() })
      .where(
        and(
          eq(webhookDeliveries.id, id),
          sql`${webhookDeliveries.subscriptionId} in (select id from webhook_subscriptions where agency_id = ${c.var.principal.agencyId})`,
        ),
      )
      .returning();
    if (!row) throw problems.notFound(`No delivery ${id} of your agency`);
    return c.json({ id: row.id, status: row.status }, 200);
  },
);

notifications$.openapi(
  createRoute({
    method: 'get',
    security,
    path: '/',
    summary: 'What your agency has been told, newest first (no clinical content: open the case to read it)',
    request: {
      query: z.object({
        before: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    responses: {
      200: json(
        z.object({
          items: z.array(
            z.object({ id: z.string(), type: z.string(), caseId: z.uuid(), version: z.number(), about: z.looseObject({}), at: z.string() }),
          ),
        }),
        'The notifications',
      ),
      ...errors,
    },
  }),
  async (c) => {
    authorizeRoute(c.var.principal, 'worklist');
    const q = c.req.valid('query');
    const rows = await c.var.deps.database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.agencyId, c.var.principal.agencyId), q.before ? lt(outbox.id, q.before) : undefined))
      .orderBy(desc(outbox.id))
      .limit(q.limit);
    return c.json(
      {
        items: rows.map((o) => ({
          id: notificationId(o.id),
          type: o.type,
          caseId: o.caseId,
          version: o.seq,
          about: o.about as Record<string, unknown>,
          at: o.createdAt.toISOString(),
        })),
      },
      200,
    );
  },
);

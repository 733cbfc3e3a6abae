/** /api/cases: open cases, list them, read one, send events, read its history. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { and, asc, desc, eq, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { z } from 'zod';
import { accessLog, caseEvents, cases, outbox, serviceUsers } from '../../db/schema/index.ts';
import { breakGlassReasons, isCareRole } from '../../machines/access.ts';
import { eventBodySchema } from '../../machines/events.ts';
import { restore } from '../../machines/snapshot.ts';
import { agencyKinds, areas, quadrants } from '../../machines/vocab.ts';
import { authorizeCase, authorizeRoute, readCase, recordAccess } from '../access.ts';
import { applyEvent } from '../engine/applyEvent.ts';
import type { StoredResponse } from '../engine/idempotency.ts';
import { openCase, openCaseSchema } from '../engine/openCase.ts';
import type { Env } from '../env.ts';
import { personAsSent, personAsStored, type SentPerson } from '../people.ts';
import { type CaseView, presentCase, presentCaseSummary, presentHistory } from '../presenters/case.ts';
import { problems } from '../problem.ts';
import { caseListSchema, caseSchema, eventRowSchema, json, problem } from '../schemas.ts';
import { inSaneRange } from '../screen.ts';

export const cases$ = new OpenAPIHono<Env>();
const security = [{ bearer: [] }];

const idParam = z.object({ id: z.uuid().meta({ param: { name: 'id', in: 'path' } }) });
const writeHeaders = z.object({
  'if-match': z
    .string()
    .optional()
    .meta({ description: 'The version (ETag) the client last read: required on events (428 without it); a stale one gets 412' }),
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Repeat a request with the same key and body to get the first answer again' }),
});
const errors = {
  400: problem('Malformed request'),
  401: problem('No valid bearer token'),
  403: problem('Not permitted (read-only role, or not the receiving service)'),
  404: problem('No such case'),
  409: problem('Conflict'),
  412: problem('Stale If-Match version'),
  415: problem('Body is not JSON'),
  422: problem('Refused by a protocol rule, or an Idempotency-Key reused with another body'),
  428: problem('An event sent without If-Match'),
  429: problem('Too many requests from this caller (Retry-After says when to try again)'),
};

/** `"3"`, `W/"3"` or `3` → 3; anything else is a malformed precondition (none is handled by `requireIfMatch`). */
const parseIfMatch = (value: string): number => {
  const m = value.trim().match(/^(?:W\/)?"?(\d{1,9})"?$/);
  if (!m?.[1]) throw problems.malformed('If-Match must be a version ETag such as "3"');
  return Number(m[1]);
};

/** An event's answer; a replayed one gets the person's identifiers again (stored answers keep only the id). */
const send = async (c: Context<Env>, r: StoredResponse) =>
  c.json((await personAsStored(c.var.deps.database.db, r.body)) as object, r.status as 200, r.headers);

cases$.openapi(
  createRoute({
    method: 'post',
    security,
    path: '/',
    summary: 'Open a case from a referral',
    request: {
      headers: writeHeaders.pick({ 'idempotency-key': true }),
      body: { content: { 'application/json': { schema: openCaseSchema } }, required: true },
    },
    responses: { 201: json(caseSchema, 'The case, opened'), ...errors },
  }),
  async (c) => {
    const { database, now, onApplied } = c.var.deps;
    const sent = c.req.valid('json');
    const r = await openCase(database.db, sent, c.var.principal, {
      idempotencyKey: c.req.valid('header')['idempotency-key'],
      now,
      onApplied,
    });
    // The answer names the person only by what the caller sent: a known NHS number does not disclose a stored name.
    return c.json((await personAsSent(database.db, r.body, sent.person as SentPerson)) as object, r.status as 201, r.headers);
  },
);

const listQuery = z.object({
  status: z.enum(['open', 'closed']).optional(),
  phase: z.string().max(50).optional(),
  state: z.string().max(200).optional(),
  lead: z.string().max(100).optional(),
  leadKind: z.enum(agencyKinds).optional(),
  quadrant: z.enum(quadrants).optional(),
  area: z.enum(areas).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

cases$.openapi(
  createRoute({
    method: 'get',
    security,
    path: '/',
    summary: 'List cases with filters, newest first, by cursor',
    request: { query: listQuery },
    responses: { 200: json(caseListSchema, 'A page of cases'), ...errors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const principal = c.var.principal;
    authorizeRoute(principal, 'cases.list');
    const filters: (SQL | undefined)[] = [
      // A care role lists the cases its agency has or had a part in; oversight roles list every case (no identifiers).
      isCareRole(principal.role) ? sql`${cases.agencies} @> array[${principal.agencyId}]::text[]` : undefined,
      q.status ? eq(cases.status, q.status) : undefined,
      q.phase ? eq(cases.phase, q.phase) : undefined,
      q.lead ? eq(cases.leadAgencyId, q.lead) : undefined,
      q.leadKind ? eq(cases.leadAgencyKind, q.leadKind) : undefined,
      q.quadrant ? eq(cases.quadrant, q.quadrant) : undefined,
      q.area ? eq(cases.area, q.area) : undefined,
    ];
    if (q.state) filters.push(arrayContains(q.state));
    if (q.cursor) {
      const [at, id] = Buffer.from(q.cursor, 'base64url').toString().split('|');
      const when = new Date(at ?? '');
      // A forged id would reach the uuid column and fail in the database (a 500): refuse it here.
      if (!id || !z.uuid().safeParse(id).success || !inSaneRange(when)) throw problems.malformed('cursor is not one this API gave');
      filters.push(or(lt(cases.openedAt, when), and(eq(cases.openedAt, when), lt(cases.id, id))));
    }
    const rows = await c.var.deps.database.db
      .select()
      .from(cases)
      .where(and(...filters))
      .orderBy(desc(cases.openedAt), desc(cases.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > q.limit && last ? Buffer.from(`${last.openedAt.toISOString()}|${last.id}`).toString('base64url') : null;
    return c.json({ items: page.map(presentCaseSummary), nextCursor }, 200);
  },
);

/** Cases whose current leaf states include this one (GIN-free: state lists are short). */
const arrayContains = (state: string): SQL => sql`${cases.statePaths} @> array[${state}]::text[]`;

cases$.openapi(
  createRoute({
    method: 'get',
    security,
    path: '/{id}',
    summary: 'Read a case: state, responsibility, and what can be done now (and why not)',
    request: { params: idParam },
    responses: { 200: json(caseSchema, 'The case'), ...errors },
  }),
  async (c) => {
    const { db } = c.var.deps.database;
    const [row] = await db
      .select()
      .from(cases)
      .where(eq(cases.id, c.req.valid('param').id));
    if (!row) throw problems.notFound(`No case ${c.req.valid('param').id}`);
    const now = c.var.deps.now();
    const access = await readCase(db, c.var.principal, row, 'read', now);
    const [person] =
      access.outcome === 'pseudonymised' ? [] : await db.select().from(serviceUsers).where(eq(serviceUsers.id, row.personId));
    return c.json(presentCase(row, restore(row.snapshot, row.pathwayVersion), person, c.var.principal, now, access), 200, {
      ETag: `"${row.version}"`,
    });
  },
);

cases$.openapi(
  createRoute({
    method: 'post',
    security,
    path: '/{id}/events',
    summary: 'Send one event to a case',
    description:
      'Applied only if the care pathway allows it now; otherwise 422 (or 403) with the rules that block it, and nothing changes.',
    request: {
      params: idParam,
      headers: writeHeaders,
      body: { content: { 'application/json': { schema: eventBodySchema } }, required: true },
    },
    responses: { 200: json(caseSchema, 'The case after the event'), ...errors },
  }),
  async (c) => {
    const { database, now, onApplied } = c.var.deps;
    const headers = c.req.valid('header');
    const id = c.req.valid('param').id;
    if (headers['if-match'] === undefined) {
      // Who may not write, and a case the caller may not know of, are told so first; only then that the precondition is missing.
      authorizeRoute(c.var.principal, 'cases.act');
      const [known] = await database.db
        .select({ id: cases.id, ties: cases.ties, snapshot: cases.snapshot })
        .from(cases)
        .where(eq(cases.id, id));
      if (!known) throw problems.notFound(`No case ${id}`);
      await authorizeCase(database.db, c.var.principal, known, 'event', now());
      throw problems.preconditionRequired();
    }
    const r = await applyEvent(database.db, id, c.req.valid('json'), c.var.principal, {
      ifMatch: parseIfMatch(headers['if-match']),
      idempotencyKey: headers['idempotency-key'],
      now,
      onApplied,
    });
    return send(c, r);
  },
);

cases$.openapi(
  createRoute({
    method: 'get',
    security,
    path: '/{id}/events',
    summary: 'The case’s history, oldest first (append-only)',
    request: { params: idParam },
    responses: { 200: json(z.object({ items: z.array(eventRowSchema) }), 'Every event of the case'), ...errors },
  }),
  async (c) => {
    const { db } = c.var.deps.database;
    const id = c.req.valid('param').id;
    const [row] = await db
      .select({ id: cases.id, pathwayVersion: cases.pathwayVersion, ties: cases.ties, snapshot: cases.snapshot })
      .from(cases)
      .where(eq(cases.id, id));
    if (!row) throw problems.notFound(`No case ${id}`);
    const access = await readCase(db, c.var.principal, row, 'history', c.var.deps.now());
    // An agency whose part ended reads the history up to the event that ended it, not what happened after (by number:
    // the next event may share its instant).
    const until = access.until;
    const events = await db
      .select()
      .from(caseEvents)
      .where(
        access.untilSeq !== undefined ? and(eq(caseEvents.caseId, id), lte(caseEvents.seq, access.untilSeq)) : eq(caseEvents.caseId, id),
      )
      .orderBy(asc(caseEvents.seq));
    return c.json(
      {
        items: presentHistory(events, row.pathwayVersion, access.outcome as CaseView),
        access: { view: access.outcome, until: until?.toISOString() ?? null },
      },
      200,
    );
  },
);

const accessLogEntry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    principal: z.object({ id: z.string(), name: z.string(), agencyId: z.string(), role: z.string() }),
    action: z.string(),
    relationship: z.string(),
    view: z.string(),
    reason: z.string().nullable(),
    note: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .meta({ id: 'AccessLogEntry' });

cases$.openapi(
  createRoute({
    method: 'get',
    security,
    path: '/{id}/access-log',
    summary: 'Who read this case, when, in which view, and why (break-glass)',
    description: 'For the lead agency’s service managers and clinical directors, and auditors (the data protection role). Newest first.',
    request: { params: idParam },
    responses: { 200: json(z.object({ items: z.array(accessLogEntry) }), 'The case’s access log'), ...errors },
  }),
  async (c) => {
    const { db } = c.var.deps.database;
    const id = c.req.valid('param').id;
    const [row] = await db.select({ id: cases.id, ties: cases.ties, snapshot: cases.snapshot }).from(cases).where(eq(cases.id, id));
    if (!row) throw problems.notFound(`No case ${id}`);
    await readCase(db, c.var.principal, row, 'accessLog', c.var.deps.now());
    const entries = await db
      .select()
      .from(accessLog)
      .where(eq(accessLog.caseId, id))
      .orderBy(desc(accessLog.at), desc(accessLog.id))
      .limit(1000);
    return c.json(
      {
        items: entries.map((e) => ({
          id: e.id,
          at: e.at.toISOString(),
          principal: { id: e.principalId, name: e.principalName, agencyId: e.agencyId, role: e.role },
          action: e.action,
          relationship: e.relationship,
          view: e.view,
          reason: e.reason,
          note: e.note,
          expiresAt: e.expiresAt?.toISOString() ?? null,
        })),
      },
      200,
    );
  },
);

const breakGlassBody = z
  .strictObject({
    reason: z.enum(breakGlassReasons).meta({ description: 'emergency, safeguarding or clinicalNeed' }),
    note: z.string().trim().min(10).max(1000).meta({ description: 'Why, in your own words: shown to the lead agency’s managers' }),
  })
  .meta({ id: 'BreakGlass' });

cases$.openapi(
  createRoute({
    method: 'post',
    security,
    path: '/{id}/break-glass',
    summary: 'Open a case your agency has no part in, for a limited time, stating why',
    description:
      'A clinician (practitioner, service manager, clinical director) without a full view may open the case for a limited time ' +
      '(BREAK_GLASS_MINUTES). The access is recorded in the access log and shown to the lead agency’s managers and in audits.',
    request: { params: idParam, body: { content: { 'application/json': { schema: breakGlassBody } }, required: true } },
    responses: {
      201: json(
        z.object({ caseId: z.uuid(), expiresAt: z.string(), links: z.object({ self: z.string() }) }),
        'Access granted until expiresAt',
      ),
      ...errors,
    },
  }),
  async (c) => {
    const { database, now, breakGlassMinutes } = c.var.deps;
    const id = c.req.valid('param').id;
    const body = c.req.valid('json');
    const at = now();
    const granted = await database.db.transaction(async (tx) => {
      const [row] = await tx
        .select({
          id: cases.id,
          ties: cases.ties,
          snapshot: cases.snapshot,
          version: cases.version,
          answerable: sql<
            string | null
          >`coalesce(${cases.leadAgencyId}, ${cases.responsibleAgencyId}, ${cases.snapshot} #>> '{context,referral,to,id}')`,
        })
        .from(cases)
        .where(eq(cases.id, id));
      if (!row) throw problems.notFound(`No case ${id}`);
      const access = await authorizeCase(tx, c.var.principal, row, 'breakGlass', at);
      const expiresAt = new Date(at.getTime() + (breakGlassMinutes ?? 240) * 60_000);
      await recordAccess(
        tx,
        c.var.principal,
        {
          caseId: id,
          action: 'breakGlass',
          relationship: access.relationship,
          view: 'full',
          reason: body.reason,
          note: body.note,
          expiresAt,
        },
        at,
      );
      // The service answerable for the case is told at once (webhooks, its notifications), without the note.
      if (row.answerable)
        await tx.insert(outbox).values({
          caseId: id,
          seq: row.version,
          type: 'access.breakGlass',
          agencyId: row.answerable,
          about: {
            by: { agencyId: c.var.principal.agencyId, role: c.var.principal.role },
            reason: body.reason,
            until: expiresAt.toISOString(),
          },
          createdAt: at,
        });
      return expiresAt;
    });
    c.var.deps.log.warn(
      { caseId: id, agency: c.var.principal.agencyId, role: c.var.principal.role, reason: body.reason },
      'break-glass access',
    );
    return c.json({ caseId: id, expiresAt: granted.toISOString(), links: { self: `/api/cases/${id}` } }, 201);
  },
);

/** /api/cases: open cases, list them, read one, send events, read its history. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { and, asc, desc, eq, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { z } from 'zod';
import { caseEvents, cases, serviceUsers } from '../../db/schema/index.ts';
import { eventBodySchema } from '../../machines/events.ts';
import { restore } from '../../machines/snapshot.ts';
import { agencyKinds, areas, quadrants } from '../../machines/vocab.ts';
import { applyEvent } from '../engine/applyEvent.ts';
import type { StoredResponse } from '../engine/idempotency.ts';
import { openCase, openCaseSchema } from '../engine/openCase.ts';
import type { Env } from '../env.ts';
import { personAsSent, personAsStored, type SentPerson } from '../people.ts';
import { authorizeActing } from '../policies.ts';
import { presentCase, presentCaseSummary, presentHistory } from '../presenters/case.ts';
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
    const filters: (SQL | undefined)[] = [
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
    const [person] = await db.select().from(serviceUsers).where(eq(serviceUsers.id, row.personId));
    return c.json(presentCase(row, restore(row.snapshot, row.pathwayVersion), person, c.var.principal, c.var.deps.now()), 200, {
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
      // Who may not write, and a case nobody has, are told so first; only then that the precondition is missing.
      authorizeActing(c.var.principal);
      const [known] = await database.db.select({ id: cases.id }).from(cases).where(eq(cases.id, id));
      if (!known) throw problems.notFound(`No case ${id}`);
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
    const [row] = await db.select({ id: cases.id, pathwayVersion: cases.pathwayVersion }).from(cases).where(eq(cases.id, id));
    if (!row) throw problems.notFound(`No case ${id}`);
    const events = await db.select().from(caseEvents).where(eq(caseEvents.caseId, id)).orderBy(asc(caseEvents.seq));
    return c.json({ items: presentHistory(events, row.pathwayVersion) }, 200);
  },
);

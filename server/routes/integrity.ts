/** /api/integrity: the auditor's check that every history is intact and everything kept beside it follows from it. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { authorizeRoute } from '../access.ts';
import { verifyHistory } from '../engine/verify.ts';
import type { Env } from '../env.ts';
import { authenticate } from '../middleware.ts';
import { json, problem } from '../schemas.ts';

export const integrity$ = new OpenAPIHono<Env>();
integrity$.use('*', authenticate());

const reportSchema = z
  .object({
    ok: z.boolean(),
    cases: z.number().int(),
    events: z.number().int(),
    seal: z
      .string()
      .meta({ description: 'sha256 over every case’s last hash, in case order: keep it to detect a history rewritten whole' }),
    findings: z.array(z.object({ caseId: z.string(), reference: z.string().optional(), check: z.string(), detail: z.string() })),
    seconds: z.number(),
  })
  .meta({ id: 'IntegrityReport' });

integrity$.openapi(
  createRoute({
    method: 'get',
    path: '/',
    security: [{ bearer: [] }],
    summary: 'Verify every hash chain, sequence, snapshot, projection, deadline and stay against the history',
    responses: {
      200: json(reportSchema, 'The report (ok false lists what does not follow from the history)'),
      401: problem('No valid bearer token'),
      403: problem('Not an auditor'),
    },
  }),
  async (c) => {
    authorizeRoute(c.var.principal, 'integrity');
    return c.json(await verifyHistory(c.var.deps.database.db), 200);
  },
);

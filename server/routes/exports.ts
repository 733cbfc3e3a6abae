/** /api/exports: the whole event log for process-mining tools, streamed (XES, OCEL 2.0, CSV). */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { authorizeRoute, recordAccess } from '../access.ts';
import { contentTypes, eventLogStream, exportFormats } from '../audits/export/formats.ts';
import type { Env } from '../env.ts';
import { problem } from '../schemas.ts';

export const exports$ = new OpenAPIHono<Env>();

const extensions = { xes: 'xes', ocel: 'jsonocel', csv: 'csv' } as const;

exports$.openapi(
  createRoute({
    method: 'get',
    path: '/event-log',
    summary: 'The event log of every case: IEEE XES, OCEL 2.0 JSON or flat CSV, streamed',
    request: { query: z.object({ format: z.enum(exportFormats).default('xes') }) },
    responses: {
      200: {
        content: {
          'application/xml': { schema: z.string() },
          'application/json': { schema: z.string() },
          'text/csv': { schema: z.string() },
        },
        description: 'The log, streamed',
      },
      401: problem('No valid bearer token'),
      403: problem('Only auditors and commissioners export the log'),
    },
  }),
  async (c) => {
    authorizeRoute(c.var.principal, 'exports');
    const { format } = c.req.valid('query');
    // Every case's history leaves the server: one entry in the access log says who took it, when, in which form.
    await recordAccess(
      c.var.deps.database.db,
      c.var.principal,
      { caseId: null, action: 'export', relationship: 'none', view: 'pseudonymised', detail: `event log (${format})` },
      c.var.deps.now(),
    );
    return new Response(eventLogStream(c.var.deps.database.db, format), {
      status: 200,
      headers: { 'Content-Type': contentTypes[format], 'Content-Disposition': `attachment; filename="event-log.${extensions[format]}"` },
    });
  },
);

/** /api/audits: the pathway audits as JSON or CSV, filtered by period, area, lead agency and quadrant. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { authorizeRoute } from '../access.ts';
import { toCsv } from '../audits/format.ts';
import { auditNames, auditQuerySchema, audits, resolveFilters } from '../audits/index.ts';
import type { Env } from '../env.ts';
import { problems } from '../problem.ts';
import { json, problem } from '../schemas.ts';

export const audits$ = new OpenAPIHono<Env>();

const errors = {
  400: problem('Malformed query'),
  401: problem('No valid bearer token'),
  403: problem('Not an oversight role'),
  404: problem('No such audit'),
};

const section = z.object({
  name: z.string(),
  title: z.string(),
  columns: z.array(z.object({ key: z.string(), label: z.string() })),
  rows: z.array(z.looseObject({})),
  total: z.number().int().optional(),
});
const resultSchema = z
  .object({
    audit: z.string(),
    title: z.string(),
    period: z.object({ from: z.string(), to: z.string(), asOf: z.string(), given: z.boolean() }),
    filters: z.record(z.string(), z.string()),
    sections: z.array(section),
  })
  .meta({ id: 'AuditResult' });

audits$.openapi(
  createRoute({
    method: 'get',
    path: '/',
    summary: 'The audits available',
    responses: {
      200: json(
        z.object({
          items: z.array(
            z.object({
              name: z.string(),
              title: z.string(),
              description: z.string(),
              now: z.boolean().meta({ description: 'Measures the present: a period narrows it only when given' }),
              href: z.string(),
            }),
          ),
        }),
        'Audits',
      ),
      ...errors,
    },
  }),
  (c) => {
    authorizeRoute(c.var.principal, 'audits');
    const items = auditNames.map((name) => {
      const a = audits[name] as (typeof audits)[string];
      return { name, title: a.title, description: a.description, now: a.now ?? false, href: `/api/audits/${name}` };
    });
    return c.json({ items }, 200);
  },
);

audits$.openapi(
  createRoute({
    method: 'get',
    path: '/{name}',
    summary: 'Run one audit (JSON, or CSV with format=csv)',
    description: `Audits: ${auditNames.join(', ')}. Every audit is SQL over projections the engine keeps in the transaction of each event.`,
    request: {
      params: z.object({ name: z.string().meta({ param: { name: 'name', in: 'path' } }) }),
      query: auditQuerySchema.extend({
        format: z.enum(['json', 'csv']).default('json'),
        section: z.string().max(50).optional().meta({ description: 'With CSV, one section only' }),
      }),
    },
    responses: {
      200: { content: { 'application/json': { schema: resultSchema }, 'text/csv': { schema: z.string() } }, description: 'The audit' },
      ...errors,
    },
  }),
  async (c) => {
    authorizeRoute(c.var.principal, 'audits');
    const name = c.req.valid('param').name;
    const audit = audits[name];
    if (!audit) throw problems.notFound(`No audit ${name}; audits are ${auditNames.join(', ')}`);
    const { format, section: only, ...query } = c.req.valid('query');
    const result = await audit.run(c.var.deps.database.db, resolveFilters(query, c.var.deps.now()));
    if (format === 'csv') {
      if (only && !result.sections.some((s) => s.name === only)) throw problems.notFound(`Audit ${name} has no section ${only}`);
      return c.body(toCsv(result, only), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}${only ? `-${only}` : ''}.csv"`,
      });
    }
    return c.json(result, 200);
  },
);

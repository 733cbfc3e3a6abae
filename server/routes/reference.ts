/** Public reference data: the service directory (the statechart is in pathway.ts). */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { agencies } from '../../db/schema/index.ts';
import { agencyKinds, areas } from '../../machines/vocab.ts';
import type { Env } from '../env.ts';
import { agencySchema, json } from '../schemas.ts';

export const reference = new OpenAPIHono<Env>();

reference.openapi(
  createRoute({
    method: 'get',
    path: '/directory',
    summary: 'Kent and Medway services (P21 Appendix 3 and the P16 directories)',
    request: { query: z.object({ kind: z.enum(agencyKinds).optional(), area: z.enum(areas).optional() }) },
    responses: { 200: json(z.object({ items: z.array(agencySchema) }), 'The directory') },
  }),
  async (c) => {
    const { kind, area } = c.req.valid('query');
    const filters: (SQL | undefined)[] = [kind ? eq(agencies.kind, kind) : undefined, area ? eq(agencies.area, area) : undefined];
    const items = await c.var.deps.database.db
      .select()
      .from(agencies)
      .where(and(...filters))
      .orderBy(asc(agencies.kind), asc(agencies.name));
    return c.json({ items }, 200);
  },
);

/** /api/pathway: the statechart of each pathway version, what changed between them, and the migration dry run. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { pathwayDefinition } from '../../machines/definition.ts';
import { rules } from '../../machines/rules.ts';
import { currentVersion, isPathwayVersion, pathwayVersions } from '../../machines/versions.ts';
import { authorizeRoute } from '../access.ts';
import type { Principal } from '../auth.ts';
import { planMigration } from '../engine/migrate.ts';
import type { Env } from '../env.ts';
import { authenticate } from '../middleware.ts';
import { problems } from '../problem.ts';
import { json, problem } from '../schemas.ts';

export const pathway$ = new OpenAPIHono<Env>();

/** Each version's chart is fixed: built once. */
const definitions = new Map(pathwayVersions.map((v) => [v.version, { ...pathwayDefinition(v.version), rules }]));

const versionQuery = z.object({
  version: z.coerce
    .number()
    .int()
    .refine(isPathwayVersion, 'not a released pathway version')
    .optional()
    .meta({ description: 'The pathway version (default: the current one)' }),
});

pathway$.openapi(
  createRoute({
    method: 'get',
    path: '/',
    summary: 'A pathway version’s statechart: states, transitions, guards with their rules, deadlines',
    request: { query: versionQuery },
    responses: {
      200: json(
        z.looseObject({
          id: z.string(),
          version: z.number().int(),
          states: z.array(z.looseObject({})),
          transitions: z.array(z.looseObject({})),
        }),
        'The definition',
      ),
      400: problem('No such version'),
    },
  }),
  (c) => c.json(definitions.get(c.req.valid('query').version ?? currentVersion), 200, { 'Cache-Control': 'public, max-age=300' }),
);

const versionSchema = z
  .object({ version: z.number().int(), released: z.string(), title: z.string(), changes: z.array(z.string()), current: z.boolean() })
  .meta({ id: 'PathwayVersion' });

pathway$.openapi(
  createRoute({
    method: 'get',
    path: '/versions',
    summary: 'Every released pathway version and what changed, in words',
    responses: { 200: json(z.object({ current: z.number().int(), items: z.array(versionSchema) }), 'The versions') },
  }),
  (c) =>
    c.json(
      {
        current: currentVersion,
        items: pathwayVersions.map((v) => ({
          version: v.version,
          released: v.released,
          title: v.title,
          changes: [...v.changes],
          current: v.version === currentVersion,
        })),
      },
      200,
      { 'Cache-Control': 'public, max-age=300' },
    ),
);

/** Service managers and clinical directors (machines/access.ts) plan migrations; the report names cases by reference only. */
const authorizePlanning = (p: Principal) => {
  authorizeRoute(p, 'pathwayPlanning');
  if (!p.agencyKind) throw problems.forbidden('Migration plans are for service managers and clinical directors of directory agencies');
};

const totals = z.object({ migrates: z.number(), migratesDiverging: z.number(), cannotMigrate: z.number(), total: z.number() });
const planSchema = z
  .object({
    to: z.number().int(),
    asOf: z.string(),
    totals,
    byArea: z.record(z.string(), totals),
    byLeadAgency: z.record(z.string(), totals),
    cases: z.array(z.looseObject({ reference: z.string(), outcome: z.enum(['migrates', 'migratesDiverging', 'cannotMigrate']) })),
  })
  .meta({ id: 'MigrationPlan' });

pathway$.use('/versions/:to/dry-run', authenticate());
pathway$.openapi(
  createRoute({
    method: 'get',
    path: '/versions/{to}/dry-run',
    security: [{ bearer: [] }],
    summary: 'What migrating every open case to this version would do; nothing is changed',
    request: { params: z.object({ to: z.coerce.number().int().refine(isPathwayVersion, 'not a released pathway version') }) },
    responses: {
      200: json(planSchema, 'The plan: each open case’s mapped state, replay agreement or first refused event, totals'),
      400: problem('No such version'),
      401: problem('No valid bearer token'),
      403: problem('Not a service manager or clinical director'),
    },
  }),
  async (c) => {
    authorizePlanning(c.var.principal);
    const plan = await planMigration(c.var.deps.database.db, c.req.valid('param').to, { now: c.var.deps.now() });
    return c.json(plan, 200);
  },
);

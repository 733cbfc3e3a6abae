/** The Hono application: routes mounted per resource, one error handler, one not-found, problem+json everywhere. */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { z } from 'zod';
import type { Deps, Env } from './env.ts';
import { createInspectionHub, type InspectionHub } from './inspection.ts';
import { authenticate, limitPerPrincipal, requestContext, requireJson } from './middleware.ts';
import { type Problem, ProblemError, problems } from './problem.ts';
import { audits$ } from './routes/audits.ts';
import { cases$ } from './routes/cases.ts';
import { docs } from './routes/docs.ts';
import { exports$ } from './routes/exports.ts';
import { health } from './routes/health.ts';
import { inspectRoutes } from './routes/inspect.ts';
import { integrity$ } from './routes/integrity.ts';
import { pathway$ } from './routes/pathway.ts';
import { reference } from './routes/reference.ts';
import { stats } from './routes/stats.ts';
import { notifications$, webhooks$ } from './routes/webhooks.ts';
import { worklist } from './routes/worklist.ts';
import { screenInput } from './screen.ts';

export const MAX_BODY_BYTES = 64 * 1024;
/** The routes about cases, people and the pathway's record: everything but reference data, docs and sign-in. */
const PROTECTED = /^\/api\/(cases|inspect|worklist|stats|audits|exports|webhooks|notifications)(\/|$)/;

const problemJson = (p: Problem, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(p), { status: p.status, headers: { 'Content-Type': 'application/problem+json', ...headers } });

export type AppOptions = Deps & {
  inspection?: InspectionHub;
  /**
   * Report each transition this process commits to the inspection hub (the embedded database's one process). False
   * where every transition, this process's own included, comes back through PostgreSQL (server/notify/relay.ts).
   */
  reportTransitions?: boolean;
  /** Requests per principal per minute; 0 or absent: no limit (tests, bench and chaos runs). */
  rateLimitPerMinute?: number;
};

export function createApp(input: AppOptions) {
  // Every committed transition also goes to the inspection stream.
  const inspection = input.inspection ?? createInspectionHub();
  const deps: Deps = {
    ...input,
    onApplied: (applied) => {
      if (input.reportTransitions !== false) inspection.report(applied);
      input.onApplied(applied);
    },
  };
  const app = new OpenAPIHono<Env>({
    // A body that fails its schema answers problem+json, not zod's raw error.
    defaultHook: (result) => {
      if (!result.success) {
        throw problems.malformed(
          z.prettifyError(result.error),
          result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        );
      }
    },
  });

  app.use('*', requestContext(deps));
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
    }),
  );
  // Answers about people are never kept by browsers or proxies (errors included: set after the handler or onError).
  app.use('*', async (c, next) => {
    await next();
    if (c.req.path.startsWith('/api/') || c.req.path === '/healthz' || c.req.path === '/readyz') c.header('Cache-Control', 'no-store');
  });
  app.use('/api/*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => problemJson(problems.tooLarge(MAX_BODY_BYTES).problem) }));
  app.use('/api/*', requireJson());
  app.use('/api/*', screenInput());
  // Every route about cases, people or the pathway's record needs a known principal (401 without a token, 403 for
  // an agency or role the pathway does not know); each principal then has its own request budget.
  const signIn = authenticate();
  const limit = input.rateLimitPerMinute ? limitPerPrincipal(input.rateLimitPerMinute) : undefined;
  app.use('/api/*', (c, next) =>
    PROTECTED.test(c.req.path) ? signIn(c, async () => void (limit ? await limit(c, next) : await next())) : next(),
  );

  app.route('/', health);
  app.route('/api', reference);
  app.route('/api/pathway', pathway$);
  app.route('/api/integrity', integrity$);
  app.route('/api/cases', cases$);
  app.route('/api/audits', audits$);
  app.route('/api/exports', exports$);
  app.route('/api', inspectRoutes(inspection));
  app.route('/api/worklist', worklist);
  app.route('/api/webhooks', webhooks$);
  app.route('/api/notifications', notifications$);
  app.route('/api/stats', stats);
  app.route('/api/docs', docs);
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Dual diagnosis care pathway API',
      version: '0.1.0',
      description:
        'Runs the Kent and Medway joint working protocol for co-occurring mental health and substance misuse. ' +
        'Errors are RFC 9457 problem+json; protocol refusals name their rule (R-…) and clause.',
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  // Routes served by plain Hono handlers (streams, probes), described here so the document lists every route.
  const sse = { content: { 'text/event-stream': { schema: { type: 'string' as const } } } };
  for (const [path, summary] of [
    [
      '/api/cases/{id}/inspect',
      'Live inspection events of one case (@xstate.actor, @xstate.event, @xstate.snapshot) as server-sent events',
    ],
    ['/api/inspect', 'Live inspection events of every case as server-sent events'],
  ] as const) {
    app.openAPIRegistry.registerPath({
      method: 'get',
      path,
      summary,
      security: [{ bearer: [] }],
      ...(path.includes('{id}') ? { request: { params: z.object({ id: z.uuid() }) } } : {}),
      responses: { 200: { description: 'An event stream', ...sse }, 401: { description: 'No valid bearer token' } },
    });
  }
  for (const [path, summary] of [
    ['/healthz', 'Liveness: the process answers'],
    ['/readyz', 'Readiness: the database answers (503 when it does not)'],
  ] as const) {
    app.openAPIRegistry.registerPath({
      method: 'get',
      path,
      summary,
      responses: { 200: { description: 'OK' }, 503: { description: 'Not ready' } },
    });
  }

  app.notFound((c) => problemJson(problems.notFound(`No route ${c.req.method} ${c.req.path}`).problem));
  app.onError((error, c) => {
    if (error instanceof ProblemError) return problemJson({ ...error.problem, instance: c.req.path }, error.headers);
    if (error instanceof HTTPException) {
      // Hono's own 4xx (malformed JSON body and the like), re-shaped as problem+json.
      const p = error.status === 413 ? problems.tooLarge(MAX_BODY_BYTES) : problems.malformed(error.message || 'Malformed request');
      return problemJson({ ...p.problem, status: error.status >= 400 && error.status < 500 ? error.status : 400 });
    }
    deps.log.error({ requestId: c.var.requestId, err: error }, 'unhandled error');
    return problemJson({ ...problems.internal().problem, instance: c.req.path });
  });
  return app;
}
export type App = ReturnType<typeof createApp>;

/** Middleware as option factories: request id + log line, JSON-only bodies, authentication. */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import type { Deps, Env } from './env.ts';
import { problems } from './problem.ts';

export const requestContext = (deps: Deps, { headerName = 'X-Request-Id' } = {}): MiddlewareHandler<Env> =>
  async function requestContext(c, next) {
    const incoming = c.req.header(headerName);
    const id = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    c.set('deps', deps);
    c.header(headerName, id);
    const started = performance.now();
    await next();
    // An error answer is a new Response that dropped the header set above: set it again, errors need it most.
    if (!c.res.headers.has(headerName)) c.header(headerName, id);
    // Method, route and outcome only: bodies carry health data and never reach the log.
    deps.log.info(
      { requestId: id, method: c.req.method, path: c.req.routePath, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  };

export const requireJson = (): MiddlewareHandler<Env> =>
  async function requireJson(c, next) {
    if (c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH') {
      const type = c.req.header('Content-Type') ?? '';
      if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) throw problems.unsupportedMedia();
    }
    await next();
  };

export const authenticate = (): MiddlewareHandler<Env> =>
  async function authenticate(c, next) {
    c.set('principal', await c.var.deps.verify(c.req.header('Authorization')));
    await next();
  };

/**
 * Requests per principal (person, agency, role) per minute, counted in this process; over the limit, 429 problem+json
 * with Retry-After. Runs after `authenticate`, so only known principals are counted.
 */
export const limitPerPrincipal = (perMinute: number, windowMs = 60_000): MiddlewareHandler<Env> =>
  rateLimiter<Env>({
    windowMs,
    limit: perMinute,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => {
      const p = c.var.principal;
      return `${p.agencyId}|${p.role}|${p.id}`;
    },
    handler: (c) => {
      const reset = (c.get('rateLimit' as never) as { resetTime?: Date } | undefined)?.resetTime;
      throw problems.tooManyRequests(Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000)));
    },
  }) as MiddlewareHandler<Env>;

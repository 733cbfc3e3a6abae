/** Liveness (the process answers) and readiness (the database answers). */
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { Env } from '../env.ts';

export const health = new Hono<Env>();

health.get('/healthz', (c) => c.json({ status: 'ok' }));
health.get('/readyz', async (c) => {
  try {
    await c.var.deps.database.db.execute(sql`select 1`);
    return c.json({ status: 'ready', database: c.var.deps.database.kind });
  } catch {
    return c.json({ status: 'unavailable', database: c.var.deps.database.kind }, 503);
  }
});

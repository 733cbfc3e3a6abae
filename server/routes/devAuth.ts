/** Development sign-in: mints a token for a directory agency and role. Mounted only with the development secret. */
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { agencies } from '../../db/schema/index.ts';
import { roles } from '../../machines/vocab.ts';
import { mintToken } from '../auth.ts';
import type { Config } from '../config.ts';
import type { Env } from '../env.ts';
import { problems } from '../problem.ts';

const signInRoles = roles.filter((r) => r !== 'system');
const body = z.object({
  agency: z.string().trim().min(1).max(100),
  role: z.enum(signInRoles as [string, ...string[]]),
  name: z.string().trim().min(1).max(100).default('Development User'),
});

export function devAuth(auth: Pick<Config['auth'], 'issuer' | 'audience' | 'secret'>) {
  const routes = new Hono<Env>();
  routes.get('/', (c) => c.json({ developmentOnly: true, roles: signInRoles }));
  routes.post('/token', async (c) => {
    const parsed = body.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw problems.malformed(z.prettifyError(parsed.error));
    const { agency, role, name } = parsed.data;
    const [known] = await c.var.deps.database.db.select({ id: agencies.id }).from(agencies).where(eq(agencies.id, agency));
    if (!known) throw problems.malformed(`Agency ${agency} is not in the service directory`);
    const sub = `${agency}:${name.toLowerCase().replace(/\W+/g, '-')}`;
    const token = await mintToken(auth, { sub, name, agency, role: role as (typeof roles)[number] });
    return c.json({ token, developmentOnly: true });
  });
  return routes;
}

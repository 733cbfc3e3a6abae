/** The inspector UI: the built assets of ui/dist at `/`, and index.html for any other page path (the app routes itself). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Env } from '../env.ts';

const defaultRoot = fileURLToPath(new URL('../../ui/dist', import.meta.url));
/** Paths that belong to the API or the probes: never answered with the app. */
const serverPaths = /^\/(api|healthz|readyz)(\/|$)/;

export function staticUi({ root = defaultRoot } = {}) {
  const ui = new Hono<Env>();
  if (!existsSync(join(root, 'index.html'))) {
    ui.get('/', (c) => c.text('The inspector UI is not built: run `npm run build:ui` (npm start does it for you).', 503));
    return ui;
  }
  const files = serveStatic({ root });
  ui.use('*', async (c, next) => {
    if (serverPaths.test(c.req.path)) return next();
    const res = await files(c, next);
    // Vite names built assets by content hash: they never change under the same name.
    if (res?.ok && c.req.path.startsWith('/assets/')) res.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
    return res;
  });
  ui.get('*', (c, next) => {
    if (serverPaths.test(c.req.path) || c.req.path.startsWith('/assets/')) return next();
    // Read each time: a rebuild while the server runs is picked up, and the file is small.
    return c.html(readFileSync(join(root, 'index.html'), 'utf8'), 200, { 'Cache-Control': 'no-cache' });
  });
  return ui;
}

/**
 * The inspector UI: the built assets of ui/dist at `/`, and index.html for any other page path (the app routes itself).
 * The build writes each script and style sheet brotli- and gzip-compressed beside it (ui/vite.config.ts): the one the
 * browser accepts is sent as it is, never compressed per request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Env } from '../env.ts';

const defaultRoot = fileURLToPath(new URL('../../ui/dist', import.meta.url));
/** What the build precompresses (ui/vite.config.ts): text, not images. */
const compressible = /\.(js|mjs|css|html|svg|json|txt)$/;
/** Paths that belong to the API or the probes: never answered with the app. */
const serverPaths = /^\/(api|healthz|readyz)(\/|$)/;

export function staticUi({ root = defaultRoot } = {}) {
  const ui = new Hono<Env>();
  if (!existsSync(join(root, 'index.html'))) {
    ui.get('/', (c) => c.text('The inspector UI is not built: run `npm run build:ui` (npm start does it for you).', 503));
    return ui;
  }
  const files = serveStatic({ root, precompressed: true });
  ui.use('*', async (c, next) => {
    if (serverPaths.test(c.req.path)) return next();
    const res = await files(c, next);
    if (res?.ok && c.req.path.startsWith('/assets/')) {
      // Vite names built assets by content hash: they never change under the same name.
      res.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
      // The answer depends on Accept-Encoding for every file that has compressed forms, also when the plain one is sent.
      if (compressible.test(c.req.path) && !/accept-encoding/i.test(res.headers.get('Vary') ?? ''))
        res.headers.append('Vary', 'Accept-Encoding');
    }
    return res;
  });
  ui.get('*', (c, next) => {
    if (serverPaths.test(c.req.path) || c.req.path.startsWith('/assets/')) return next();
    // Read each time: a rebuild while the server runs is picked up, and the file is small.
    return c.html(readFileSync(join(root, 'index.html'), 'utf8'), 200, { 'Cache-Control': 'no-cache' });
  });
  return ui;
}

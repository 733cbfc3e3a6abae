/** Interactive API docs served from the swagger-ui-dist package: no page depends on an outside website. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

const assetsDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Dual diagnosis pathway API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>`;
const init = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs', persistAuthorization: true });`;

export const docs = new Hono();
docs.get('/', (c) => c.html(page));
docs.get('/init.js', (c) => c.body(init, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
docs.get('/:asset', async (c) => {
  const name = c.req.param('asset');
  const type = assets[name];
  if (!type) return c.notFound();
  return c.body(await readFile(join(assetsDir, name)), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
});

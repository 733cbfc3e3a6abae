/** Vite builds the inspector UI into ui/dist, which the Hono server serves at `/`; in development it proxies /api. */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { compression } from 'vite-plugin-compression2';

/**
 * nhsuk-frontend's compiled CSS loads the Frutiger font from the NHS's CDN and its icons from `/assets/images`: the
 * CSP is `default-src 'self'` and these networks may not reach the CDN, so drop the web fonts (Arial is the
 * design system's own fallback) and bundle the icons from the package.
 */
function nhsukLocalAssets(): Plugin {
  return {
    name: 'nhsuk-local-assets',
    enforce: 'pre',
    transform(code, id) {
      if (!/nhsuk-frontend[\\/]dist[\\/].*\.css$/.test(id)) return null;
      return (
        code
          .replace(/@font-face\s*\{[^}]*\}/g, '')
          .replace(/url\(\/assets\/images\//g, 'url(./assets/images/')
          // An old Internet Explorer hack (`@media screen\0`) that the CSS minifier rejects.
          .replace(/@media screen\\0/g, '@media screen')
      );
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [
    nhsukLocalAssets(),
    react(),
    // Each text asset also written brotli- and gzip-compressed, once, for the server to send by Accept-Encoding.
    compression({ algorithms: ['brotliCompress', 'gzip'], include: /\.(js|mjs|css|html|svg|json)$/, exclude: /manifest\.json$/ }),
  ],
  // The manifest tells scripts/bundleBudget.ts which chunks load first and which on demand.
  build: { outDir: 'dist', emptyOutDir: true, manifest: true, chunkSizeWarningLimit: 4000 },
  server: {
    port: Number(process.env.UI_PORT ?? 5173),
    proxy: { '/api': `http://127.0.0.1:${process.env.PORT ?? 3000}`, '/healthz': `http://127.0.0.1:${process.env.PORT ?? 3000}` },
  },
});

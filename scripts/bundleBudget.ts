/**
 * The UI's first-load budget: the JavaScript a browser must fetch before the first page runs — the entry chunk and
 * every chunk it imports statically (not the ones loaded on demand) — at most 300 KB gzip-compressed, as served.
 * Builds the UI for production into a folder of its own (a build made under a test runner has NODE_ENV=test and
 * React's development code, 60 KB gzip more), reads the build's manifest, and exits 1 over budget.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const budgetBytes = 300 * 1024;

type Chunk = { file: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[]; css?: string[] };

/** Size of a built file as sent: its precompressed form when the build wrote one, else compressed here. */
const sent = (dist: string, file: string, ext: '.gz' | '.br'): number | null => {
  const path = join(dist, file);
  if (existsSync(path + ext)) return statSync(path + ext).size;
  return ext === '.gz' ? gzipSync(readFileSync(path), { level: 9 }).length : null;
};

export function firstLoad(dist: string) {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, Chunk>;
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const i of manifest[key]?.imports ?? []) visit(i);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const files = [...seen].map((k) => (manifest[k] as Chunk).file);
  const lazy = Object.values(manifest).filter((c) => !files.includes(c.file) && c.file.endsWith('.js'));
  const size = (list: string[]) => ({
    raw: list.reduce((n, f) => n + statSync(join(dist, f)).size, 0),
    gzip: list.reduce((n, f) => n + (sent(dist, f, '.gz') ?? 0), 0),
    brotli: list.every((f) => sent(dist, f, '.br') !== null) ? list.reduce((n, f) => n + (sent(dist, f, '.br') ?? 0), 0) : null,
  });
  return { files, js: size(files), lazy: lazy.map((c) => ({ file: c.file, ...size([c.file]) })) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  const dist = mkdtempSync(join(tmpdir(), 'pathway-ui-budget-'));
  await build({
    configFile: fileURLToPath(new URL('../ui/vite.config.ts', import.meta.url)),
    mode: 'production',
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true },
  });
  const { files, js, lazy } = firstLoad(dist);
  rmSync(dist, { recursive: true, force: true });
  const kb = (n: number | null) => (n === null ? '—' : `${(n / 1024).toFixed(1)} KB`);
  console.log(`first-load JavaScript (${files.join(', ')}): ${kb(js.raw)} raw, ${kb(js.gzip)} gzip, ${kb(js.brotli)} brotli`);
  for (const c of lazy) console.log(`  loaded on demand: ${c.file}: ${kb(c.raw)} raw, ${kb(c.gzip)} gzip, ${kb(c.brotli)} brotli`);
  if (js.gzip > budgetBytes) {
    console.error(`over budget: ${kb(js.gzip)} gzip > ${kb(budgetBytes)}`);
    process.exit(1);
  }
  console.log(`within budget: ${kb(js.gzip)} gzip ≤ ${kb(budgetBytes)}`);
}

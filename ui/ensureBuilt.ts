/** Builds the UI when ui/dist is missing or older than its sources (npm start runs this before the server). */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const built = join(here, 'dist', 'index.html');
const sources = [
  join(here, 'src'),
  join(here, 'index.html'),
  join(here, 'vite.config.ts'),
  join(here, '..', 'machines'),
  join(here, '..', 'package-lock.json'),
];

/** The newest modification time under a file or folder. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

const stale = !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs;
if (stale) {
  console.log('building the inspector UI (ui/dist is missing or older than its sources)…');
  await build({ configFile: join(here, 'vite.config.ts'), logLevel: 'warn' });
}

/**
 * `npm run seed -- --cases N --seed S`: a synthetic cohort lived through the real machine and batch-loaded.
 * Options: --years 3 (span of referrals), --end <ISO date> (default now: later cases are still open),
 * --batch 1000, --workers <n>, --offset 0, --pathway-version <n> (default: the current one). Uses DATABASE_URL (COPY) or the PGlite directory DATA_DIR.
 */
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import postgres from 'postgres';
import { openDatabase } from '../db/client.ts';
import { loadDirectory } from '../db/seed/directory.ts';
import { currentVersion, isPathwayVersion } from '../machines/versions.ts';
import { ensureCalendar } from '../server/audits/calendar.ts';
import { loadCohort } from '../server/audits/cohort/load.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    years: { type: 'string', default: '3' },
    end: { type: 'string' },
    batch: { type: 'string', default: '1000' },
    workers: { type: 'string' },
    offset: { type: 'string', default: '0' },
    'pathway-version': { type: 'string' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
const end = values.end ? Date.parse(values.end) : Date.now();
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed) || Number.isNaN(end)) {
  console.error('usage: npm run seed -- --cases N --seed S [--years 3] [--end 2026-11-23] [--batch 1000] [--workers n]');
  process.exit(2);
}
const url = process.env.DATABASE_URL;
const database = await openDatabase(url ? { url } : { dataDir: process.env.DATA_DIR ?? './data' });
const copy = url ? postgres(url, { max: 1, onnotice: () => {} }) : undefined;
await loadDirectory(database.db);
await ensureCalendar(database.db);

const bar = new SingleBar({
  format: 'seeding {bar} {percentage}% | {value}/{total} cases | {events} events | {rate} cases/s | ETA {eta_formatted}',
  etaBuffer: 20,
  // Under nohup or CI there is no terminal: print a progress line every 10 s instead.
  noTTYOutput: true,
  notTTYSchedule: 10_000,
  hideCursor: true,
});
const started = performance.now();
bar.start(cases, 0, { events: 0, rate: 0 });
const pathwayVersion = values['pathway-version'] === undefined ? currentVersion : Number(values['pathway-version']);
if (!isPathwayVersion(pathwayVersion)) {
  console.error(`no pathway version ${values['pathway-version']}`);
  process.exit(2);
}
const window = { start: end - Number(values.years) * 365 * 86_400_000, end, pathwayVersion };
try {
  const totals = await loadCohort({
    db: database.db,
    copy,
    seed,
    cases,
    window,
    offset: Number(values.offset),
    batchSize: Number(values.batch),
    workers: values.workers === undefined ? undefined : Number(values.workers),
    onProgress: (d) => bar.update(d.cases, { events: d.events, rate: Math.round(d.cases / ((performance.now() - started) / 1000)) }),
  });
  bar.stop();
  const s = (performance.now() - started) / 1000;
  console.log(
    `loaded ${totals.cases} synthetic cases and ${totals.events} events in ${s.toFixed(1)} s (${database.kind}${copy ? ', COPY' : ', inserts'})`,
  );
} finally {
  bar.stop();
  await copy?.end();
  await database.close();
}

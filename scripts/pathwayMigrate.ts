/**
 * `npm run pathway:migrate -- --to N --dry-run`: what moving every open case to pathway version N would do, as tables
 * (or `--format json`). Without `--dry-run` it migrates them, each case in its own transaction, recording who and why:
 * `--by "<name and role>" --reason "<why>"` are required. Options: --batch 200. Uses DATABASE_URL, or the PGlite
 * directory DATA_DIR (./data) while no server holds it. Idempotent: running it again finishes an interrupted run.
 */
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { openDatabase } from '../db/client.ts';
import { currentVersion, isPathwayVersion } from '../machines/versions.ts';
import { sectionText } from '../server/audits/format.ts';
import { planMigration, planSections, runMigration } from '../server/engine/migrate.ts';
import { systemPrincipal } from '../server/engine/sweeper.ts';

/** The engine records the run; the person who ran it and why are in the entry itself (`by`, `reason`). */
const migrationActor = { id: 'pathway-migration', agencyId: systemPrincipal.agencyId, agencyKind: 'OUT_OF_AREA', role: 'system' } as const;

const { values } = parseArgs({
  options: {
    to: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    format: { type: 'string', default: 'table' },
    by: { type: 'string' },
    reason: { type: 'string' },
    batch: { type: 'string', default: '200' },
  },
});
const to = values.to === undefined ? currentVersion : Number(values.to);
const usage =
  'usage: npm run pathway:migrate -- --to N --dry-run [--format table|json]\n' +
  '       npm run pathway:migrate -- --to N --by "<name, role>" --reason "<why>" [--batch 200]';
if (!isPathwayVersion(to) || !['table', 'json'].includes(values.format ?? '')) {
  console.error(usage);
  process.exit(2);
}
const dryRun = values['dry-run'];
if (!dryRun && (!values.by?.trim() || !values.reason?.trim())) {
  console.error(`A migration records who ran it and why.\n${usage}`);
  process.exit(2);
}
const url = process.env.DATABASE_URL;
const database = await openDatabase(url ? { url } : { dataDir: process.env.DATA_DIR ?? './data' });
try {
  if (dryRun) {
    const plan = await planMigration(database.db, to);
    if (values.format === 'json') console.log(JSON.stringify(plan, null, 2));
    else console.log([`Dry run as of ${plan.asOf}: nothing was changed.`, ...planSections(plan).map(sectionText)].join('\n\n'));
  } else {
    const bar = new SingleBar({ format: 'migrating {value} cases | {duration}s', noTTYOutput: true, notTTYSchedule: 10_000 });
    bar.start(0, 0);
    const run = await runMigration(
      database.db,
      { to, by: values.by?.trim() ?? '', reason: values.reason?.trim() ?? '', actor: migrationActor },
      { batchSize: Number(values.batch), onCase: (done) => bar.update(done) },
    );
    bar.stop();
    if (values.format === 'json') console.log(JSON.stringify(run, null, 2));
    else {
      console.log(
        `Migrated ${run.migrated} open cases to pathway version ${to} in ${run.seconds.toFixed(1)} s; ${run.stayed.length} stay on their version; ${run.retried} had moved on since listed and were judged as they are now.`,
      );
      for (const s of run.stayed) console.log(`  ${s.reference}: ${s.reason}`);
    }
  }
} finally {
  await database.close();
}

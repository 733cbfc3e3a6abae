/**
 * `npm run audit -- <name> [options]`: a pathway audit as a table (or --format json|csv).
 * `npm run audit -- list` names the audits; `npm run audit -- event-log --format xes|ocel|csv [--out file]` exports the log.
 * Options: --from --to (dates or date-times), --area, --lead <agency id>, --lead-kind, --quadrant, --limit, --window <days>,
 * --targets state=days,…, --section <name>. Uses DATABASE_URL, or the PGlite directory DATA_DIR (./data), which gets the
 * demo cohort when empty, as the server does.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/client.ts';
import { loadDirectory } from '../db/seed/directory.ts';
import { type ExportFormat, eventLog, exportFormats } from '../server/audits/export/formats.ts';
import { toCsv, toText } from '../server/audits/format.ts';
import { auditNames, audits, resolveFilters } from '../server/audits/index.ts';
import { rebuildStays } from '../server/audits/rebuild.ts';
import { isEmpty, seedDemoCohort } from '../server/demo/cohort.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    area: { type: 'string' },
    lead: { type: 'string' },
    'lead-kind': { type: 'string' },
    quadrant: { type: 'string' },
    limit: { type: 'string' },
    window: { type: 'string' },
    targets: { type: 'string' },
    section: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
  },
});
const name = positionals[0] ?? 'list';
if (name === 'list' || !(name in audits || name === 'event-log')) {
  if (name !== 'list') console.error(`No audit "${name}".`);
  console.log(
    [
      'Audits:',
      ...auditNames.map((n) => `  ${n.padEnd(9)} ${audits[n]?.description}`),
      '  event-log export the event log: --format xes|ocel|csv [--out file]',
    ].join('\n'),
  );
  process.exit(name === 'list' ? 0 : 2);
}

const url = process.env.DATABASE_URL;
const database = await openDatabase(url ? { url } : { dataDir: process.env.DATA_DIR ?? './data' }).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
try {
  await loadDirectory(database.db);
  if (database.kind === 'pglite' && process.env.SEED_DEMO !== 'false' && (await isEmpty(database.db))) {
    await seedDemoCohort(database.db, { cases: 60, seed: 1 });
    console.error('Loaded the SYNTHETIC demo cohort into the empty embedded database.');
  }
  const rebuilt = await rebuildStays(database.db);
  if (rebuilt > 0) console.error(`Rebuilt the state stays of ${rebuilt} cases from their history.`);
  if (name === 'event-log') {
    const format = (values.format ?? 'xes') as ExportFormat;
    if (!exportFormats.includes(format)) throw new Error(`--format is one of ${exportFormats.join(', ')}`);
    await pipeline(Readable.from(eventLog(database.db, format)), values.out ? createWriteStream(values.out) : process.stdout);
  } else {
    const filters = resolveFilters({
      from: values.from,
      to: values.to,
      area: values.area as never,
      lead: values.lead,
      leadKind: values['lead-kind'] as never,
      quadrant: values.quadrant as never,
      limit: values.limit ?? (values.format ? undefined : 50),
      window: values.window,
      targets: values.targets,
    });
    const result = await (audits[name] as (typeof audits)[string]).run(database.db, filters);
    const format = values.format ?? 'table';
    const text =
      format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : format === 'csv' ? toCsv(result, values.section) : `${toText(result)}\n`;
    process.stdout.write(text);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await database.close();
}

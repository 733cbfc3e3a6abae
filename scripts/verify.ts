/**
 * `npm run verify`: checks every case's history — each hash link, gapless sequences — and that its snapshot,
 * projections, deadlines and stays follow from it. Prints a seal (sha256 over every chain's last hash) to keep
 * elsewhere: a later run giving another seal for the same cases means a history was rewritten. Exit code 1 on any
 * finding. Options: --format json, --limit 200. Uses DATABASE_URL, or the PGlite directory DATA_DIR (./data).
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/client.ts';
import { verifyHistory } from '../server/engine/verify.ts';

const { values } = parseArgs({ options: { format: { type: 'string', default: 'text' }, limit: { type: 'string', default: '200' } } });
const url = process.env.DATABASE_URL;
const database = await openDatabase(url ? { url } : { dataDir: process.env.DATA_DIR ?? './data' });
try {
  const report = await verifyHistory(database.db, { limit: Number(values.limit) });
  if (values.format === 'json') console.log(JSON.stringify(report, null, 2));
  else {
    console.log(
      `${report.ok ? 'Intact' : 'NOT INTACT'}: ${report.cases} cases, ${report.events} events checked in ${report.seconds.toFixed(1)} s.`,
    );
    console.log(`Seal: ${report.seal}`);
    for (const f of report.findings) console.log(`  ${f.reference ?? f.caseId} ${f.check}: ${f.detail}`);
  }
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await database.close();
}

/**
 * `npm run backup -- --out FILE`: a consistent copy of the embedded database in DATA_DIR (./data), a gzipped tarball.
 * While a server holds the directory it takes the copy itself (asked by SIGUSR2); otherwise this command takes the
 * directory's lock and copies it. Without --out: BACKUP_DIR, else `backups/` beside the data directory, named by time.
 * Restore with `npm run restore`. For PostgreSQL (DATABASE_URL) use pg_dump or base backups: see the README.
 */
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backupDirFor, backupIdle, backupRequestName } from '../db/backup.ts';
import { liveHolder } from '../db/dataDirLock.ts';

const { values } = parseArgs({ options: { out: { type: 'string' }, 'timeout-seconds': { type: 'string', default: '600' } } });
if (process.env.DATABASE_URL) {
  console.error('DATABASE_URL is set: back PostgreSQL up with pg_dump -Fc, or base backups with WAL archiving (see the README).');
  process.exit(2);
}
const dataDir = resolve(process.env.DATA_DIR ?? './data');
if (!existsSync(join(dataDir, 'PG_VERSION'))) {
  console.error(`${dataDir} holds no database`);
  process.exit(2);
}
const out = resolve(values.out ?? join(backupDirFor(dataDir), `${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`));
if (existsSync(out)) {
  console.error(`${out} exists: give another --out`);
  process.exit(2);
}
const t0 = performance.now();
const holder = liveHolder(dataDir);
if (holder) {
  // The server holds the directory: it writes the copy (between statements), where the request file says.
  writeFileSync(join(dataDir, backupRequestName), out, { mode: 0o600 });
  process.kill(holder.pid, 'SIGUSR2');
  const until = Date.now() + Number(values['timeout-seconds']) * 1000;
  while (!existsSync(out)) {
    if (Date.now() > until || !liveHolder(dataDir)) {
      rmSync(join(dataDir, backupRequestName), { force: true });
      console.error(`server process ${holder.pid} did not write ${out}: see its log`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(
    `Backed up ${dataDir} (by server process ${holder.pid}) to ${out}: ${statSync(out).size} bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s.`,
  );
} else {
  const bytes = await backupIdle(dataDir, out);
  console.log(`Backed up ${dataDir} to ${out}: ${bytes} bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
}

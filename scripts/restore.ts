/**
 * `npm run restore -- --from FILE --data-dir DIR`: restores a backup (`npm run backup`) into a new, empty directory.
 * Then check it (`DATA_DIR=DIR npm run verify`) and start a server on it (DATA_DIR=DIR).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { restore } from '../db/backup.ts';

const { values } = parseArgs({ options: { from: { type: 'string' }, 'data-dir': { type: 'string' } } });
if (!values.from || !values['data-dir']) {
  console.error('usage: npm run restore -- --from FILE --data-dir DIR (a new, empty directory)');
  process.exit(2);
}
const t0 = performance.now();
const dataDir = resolve(values['data-dir']);
await restore(resolve(values.from), dataDir);
console.log(
  `Restored ${values.from} into ${dataDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s. Check it: DATA_DIR=${dataDir} npm run verify`,
);

/** A holder whose event loop is blocked: takes a data directory's lock, says so, then busy-waits (argv: dir, ms). */
import { lockDataDir } from '../../db/dataDirLock.ts';

const [dir, ms] = process.argv.slice(2);
lockDataDir(dir as string);
process.stdout.write('locked\n');
const until = Date.now() + Number(ms);
while (Date.now() < until) {
  // No await, no timer: nothing else in this process runs until the loop ends.
}
process.exit(0);

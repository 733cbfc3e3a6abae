/** Embedded PGlite holds its data directory exclusively: a second opening is refused with a clear message. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, DataDirLockedError, openDatabase } from '../../db/client.ts';
import { serviceUsers } from '../../db/schema/index.ts';

describe('PGlite data directory', () => {
  const base = mkdtempSync(join(tmpdir(), 'pathway-datadir-'));
  const dataDir = join(base, 'data');
  const opened: Database[] = [];
  afterAll(async () => {
    for (const d of opened) await d.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('should refuse to open a data directory a second time while it is open, naming the directory', async () => {
    const first = await openDatabase({ dataDir });
    opened.push(first);
    expect(first.kind).toBe('pglite');

    const second = openDatabase({ dataDir });
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(openDatabase({ dataDir })).rejects.toThrow(
      new RegExp(`${dataDir.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} is already in use`),
    );
    await expect(openDatabase({ dataDir })).rejects.toThrow(/DATABASE_URL/);

    // The first holder still works: the refused openings touched nothing.
    await first.db.insert(serviceUsers).values({ dateOfBirth: '1990-01-01', area: 'MEDWAY' });
    expect(await first.db.select().from(serviceUsers)).toHaveLength(1);
  });

  it('should open the directory again once the first holder has closed it', async () => {
    const first = opened.pop() as Database;
    await first.close();
    const again = await openDatabase({ dataDir });
    opened.push(again);
    expect(again.kind).toBe('pglite');
    expect(await again.db.select({ area: serviceUsers.area }).from(serviceUsers)).toEqual([{ area: 'MEDWAY' }]);
  });
});

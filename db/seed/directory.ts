/** Loads the service directory (data, not code) into the agencies table; safe to run on every start. */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { agencyKinds, areas } from '../../machines/vocab.ts';
import type { Db } from '../client.ts';
import { agencies } from '../schema/index.ts';

const rowSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  organisation: z.string().nullable(),
  kind: z.enum(agencyKinds),
  area: z.enum(areas).nullable(),
  localities: z.array(z.string()),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  address: z.string().nullable(),
  website: z.string().nullable(),
  source: z.string().min(1),
});
export type DirectoryRow = z.infer<typeof rowSchema>;

export const directory: DirectoryRow[] = z
  .array(rowSchema)
  .parse(JSON.parse(readFileSync(new URL('./directory.json', import.meta.url), 'utf8')));

export async function loadDirectory(db: Db): Promise<number> {
  await db
    .insert(agencies)
    .values(directory)
    .onConflictDoUpdate({
      target: agencies.id,
      set: Object.fromEntries(
        (['name', 'organisation', 'kind', 'area', 'localities', 'phone', 'email', 'address', 'website', 'source'] as const).map((k) => [
          k,
          sql.raw(`excluded.${k}`),
        ]),
      ),
    });
  return directory.length;
}

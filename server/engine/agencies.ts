/** Agency references in an event point into the service directory: unknown ones are refused, kind and name come from it. */
import { inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { agencies } from '../../db/schema/index.ts';
import type { AgencyRef } from '../../machines/events.ts';
import { problems } from '../problem.ts';

const refKeys = ['to', 'lead', 'proposedLead'] as const;

const isRef = (v: unknown): v is AgencyRef => !!v && typeof v === 'object' && typeof (v as AgencyRef).id === 'string';

/**
 * Returns the body with each agency reference taken from the directory, so a client cannot send a
 * referral "to" a service under the wrong kind. Services outside Kent and Medway (`OUT_OF_AREA`) are
 * not in the directory by nature and pass as given.
 */
export async function resolveAgencyRefs<T extends Record<string, unknown>>(tx: Db | Tx, body: T): Promise<T> {
  const refs = refKeys.map((k) => [k, body[k]] as const).filter((e): e is readonly [(typeof refKeys)[number], AgencyRef] => isRef(e[1]));
  const lookup = refs.filter(([, r]) => r.kind !== 'OUT_OF_AREA').map(([, r]) => r.id);
  if (lookup.length === 0) return body;
  const rows = await tx.select().from(agencies).where(inArray(agencies.id, lookup));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const resolved: Record<string, unknown> = { ...body };
  for (const [key, ref] of refs) {
    if (ref.kind === 'OUT_OF_AREA') continue;
    const known = byId.get(ref.id);
    if (!known) throw problems.unknownAgency(`${key}: ${ref.id} is not in the service directory`);
    if (known.kind !== ref.kind) throw problems.unknownAgency(`${key}: ${known.name} is a ${known.kind} service, not ${ref.kind}`);
    resolved[key] = { ...ref, kind: known.kind, name: known.name };
  }
  return resolved as T;
}

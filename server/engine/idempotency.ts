/** Idempotency-Key: the first answer is stored with the change it made, and a retry gets it back. */
import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { idempotencyKeys } from '../../db/schema/index.ts';
import { problems } from '../problem.ts';

export type StoredResponse = { status: number; body: unknown; headers: Record<string, string> };

/** Key order does not change a request's meaning, so it does not change its hash. */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.keys(value as object)
            .sort()
            .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        )
      : value;

export const requestHash = (request: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify(canonical(request)))
    .digest('hex');

/**
 * The stored answer for a key, or undefined. Takes a transaction-scoped advisory lock on the key first,
 * so two concurrent first attempts are serialised and the second one finds the first one's answer.
 */
export async function findStored(tx: Tx, scope: string, key: string, hash: string): Promise<StoredResponse | undefined> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${scope}|${key}`}, 0))`);
  const [row] = await tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  return row && storedAnswer(row, hash);
}

/** The answer stored under a key, if the request is the one it was stored for (422 otherwise). */
export function storedAnswer(row: typeof idempotencyKeys.$inferSelect, hash: string): StoredResponse {
  if (row.requestHash !== hash) throw problems.idempotencyMismatch();
  return { status: row.status, body: row.body, headers: row.headers };
}

export async function store(tx: Tx, scope: string, key: string, hash: string, response: StoredResponse): Promise<void> {
  await tx.insert(idempotencyKeys).values({ scope, key, requestHash: hash, ...response, body: forStorage(response.body) as object });
}

/**
 * What a replay needs of an answer, and no more: the person's identifiers are not kept (only the person's id; the
 * route fills them in again for the same caller from the record).
 */
export const forStorage = (body: unknown): unknown => {
  const person = (body as { person?: { id?: unknown } } | null)?.person;
  return person ? { ...(body as object), person: { id: person.id } } : body;
};

/** Deletes the answers kept longer than `ttlMs`: after that a key is new again. Returns how many went. */
export async function purgeExpiredAnswers(db: Db, ttlMs: number, now = new Date()): Promise<number> {
  const gone = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - ttlMs)))
    .returning({ key: idempotencyKeys.key });
  return gone.length;
}

/**
 * Matching a referral to a person already known, without turning the NHS number into an oracle: a match must agree on
 * date of birth (and family name, when sent), a mismatch names the field and never the stored value, and the answer
 * carries back only the identifiers the caller sent.
 */
import { eq, type InferSelectModel } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { serviceUsers } from '../db/schema/index.ts';
import { problems } from './problem.ts';

type PersonRow = InferSelectModel<typeof serviceUsers>;
/** What a referral says about the person: identifiers of a new or known person, or a known person's id. */
export type SentPerson =
  | { id: string }
  | { nhsNumber?: string | undefined; givenName?: string | undefined; familyName?: string | undefined; dateOfBirth: string };

const sameName = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.trim().localeCompare(b.trim(), 'en-GB', { sensitivity: 'base' }) === 0;

/** Refuses (409) a known person whose date of birth, or family name when sent, differs from the referral's. */
export function matchPerson(known: PersonRow, sent: SentPerson): void {
  if ('id' in sent) return;
  const mismatched = [
    known.dateOfBirth !== sent.dateOfBirth ? 'date of birth (dateOfBirth)' : undefined,
    sent.familyName !== undefined && known.familyName !== null && !sameName(known.familyName, sent.familyName)
      ? 'family name (familyName)'
      : undefined,
  ].filter((m): m is string => m !== undefined);
  if (mismatched.length > 0) {
    throw problems.conflict(
      `The NHS number belongs to a person whose ${mismatched.join(' and ')} differs from this referral's; check the identifiers with the person or the NHS Spine before referring again`,
    );
  }
}

type PresentedPerson = {
  id: string;
  givenName?: unknown;
  familyName?: unknown;
  nhsNumber?: unknown;
  dateOfBirth?: unknown;
  synthetic?: unknown;
};

/**
 * The person block of an answer to `POST /api/cases`: the person's id and the identifiers the caller sent that match
 * the record (a stored identifier the caller did not send is not told). Reads the person when the answer is a replay
 * (stored answers keep only the id).
 */
export async function personAsSent<B>(db: Db, body: B, sent: SentPerson): Promise<B> {
  const presented = (body as { person?: PresentedPerson }).person;
  if (!presented) return body;
  const [row] = presented.dateOfBirth === undefined ? await db.select().from(serviceUsers).where(eq(serviceUsers.id, presented.id)) : [];
  const stored = row ?? (presented as unknown as PersonRow);
  const person: Record<string, unknown> = {
    id: presented.id,
    synthetic: row ? row.synthetic === 'synthetic' : presented.synthetic === true,
  };
  if (!('id' in sent)) {
    if (sent.nhsNumber !== undefined && stored.nhsNumber) person.nhsNumber = stored.nhsNumber;
    if (sameName(stored.givenName, sent.givenName)) person.givenName = sent.givenName?.trim();
    if (sameName(stored.familyName, sent.familyName)) person.familyName = sent.familyName?.trim();
    if (stored.dateOfBirth === sent.dateOfBirth) person.dateOfBirth = sent.dateOfBirth;
  }
  return { ...body, person };
}

/** A replayed answer's person block (stored with its id only), filled again from the record for the same caller. */
export async function personAsStored<B>(db: Db, body: B): Promise<B> {
  const presented = (body as { person?: PresentedPerson }).person;
  if (!presented || presented.dateOfBirth !== undefined) return body;
  const [row] = await db.select().from(serviceUsers).where(eq(serviceUsers.id, presented.id));
  if (!row) return body;
  const { id, givenName, familyName, nhsNumber, dateOfBirth, synthetic } = row;
  return { ...body, person: { id, givenName, familyName, nhsNumber, dateOfBirth, synthetic: synthetic === 'synthetic' } };
}

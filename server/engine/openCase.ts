/** openCase: a referral opens a case — a new episode for a new or known person — through the same machine. */
import { randomBytes } from 'node:crypto';
import { and, eq, max, sql } from 'drizzle-orm';
import nhsNumber from 'nhs-number-validator';
import { z } from 'zod';
import type { Db, Tx } from '../../db/client.ts';
import { caseDeadlines, caseEvents, cases, outbox, serviceUsers, stateStays } from '../../db/schema/index.ts';
import { foldTies, relationshipOf, type Ties, tiedAgencies } from '../../machines/access.ts';
import { eventBodies, type PathwayEvent } from '../../machines/events.ts';
import { explainRefusal } from '../../machines/explain.ts';
import { notificationsOf } from '../../machines/notifications.ts';
import { initialSnapshot, persist, step, versionOf } from '../../machines/snapshot.ts';
import { areas, residencies } from '../../machines/vocab.ts';
import { authorizeRoute, caseAccess } from '../access.ts';
import { stayChanges } from '../audits/projections.ts';
import { actorOf, type Principal } from '../auth.ts';
import { matchPerson } from '../people.ts';
import { presentCase } from '../presenters/case.ts';
import { problems } from '../problem.ts';
import { resolveAgencyRefs } from './agencies.ts';
import type { Applied } from './applyEvent.ts';
import { findStored, requestHash, type StoredResponse, store } from './idempotency.ts';
import { projectionsOf } from './projections.ts';
import { deadlineRows, eventRow, TRANSITION_CHANNEL } from './transitionWrite.ts';

const nhsNumberSchema = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .refine((s) => nhsNumber.validate(s), 'not a valid NHS number (10 digits with a Modulus 11 check digit)');

export const newPersonSchema = z.strictObject({
  nhsNumber: nhsNumberSchema.optional(),
  givenName: z.string().trim().min(1).max(100).optional(),
  familyName: z.string().trim().min(1).max(100).optional(),
  dateOfBirth: z.iso.date(),
  area: z.enum(areas).nullable(),
});

/** POST /api/cases: who the person is (new, or known by id for a new episode) and the referral. */
export const openCaseSchema = z.strictObject({
  person: z.union([z.strictObject({ id: z.uuid() }), newPersonSchema]),
  residency: z.enum(residencies),
  referral: eventBodies['referral.make'].omit({ person: true }),
});
export type OpenCaseBody = z.input<typeof openCaseSchema>;

/** Whole years between a date of birth and a moment (the server's clock, stamped like an event's `at`). */
export function ageOn(dateOfBirth: string, at: Date): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const age = at.getUTCFullYear() - y;
  const beforeBirthday = at.getUTCMonth() + 1 < m || (at.getUTCMonth() + 1 === m && at.getUTCDate() < d);
  return age - (beforeBirthday ? 1 : 0);
}

const referenceAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A pseudonymous case reference such as `DD-7F3K-Q9XD`: no identifiers in it. */
export const newReference = (): string => {
  const chars = [...randomBytes(8)].map((b) => referenceAlphabet[b % 32]).join('');
  return `DD-${chars.slice(0, 4)}-${chars.slice(4)}`;
};

/** A person found by NHS number, if the referral's other identifiers agree (409 naming the field otherwise). */
const matched = <P extends Parameters<typeof matchPerson>[0]>(known: P, sent: Parameters<typeof matchPerson>[1]): P => {
  matchPerson(known, sent);
  return known;
};

async function findOrCreatePerson(tx: Tx, person: z.output<typeof openCaseSchema>['person'], synthetic: boolean) {
  if ('id' in person) {
    const [known] = await tx.select().from(serviceUsers).where(eq(serviceUsers.id, person.id));
    if (!known) throw problems.notFound(`No person ${person.id}`);
    return known;
  }
  if (person.nhsNumber) {
    const [known] = await tx.select().from(serviceUsers).where(eq(serviceUsers.nhsNumber, person.nhsNumber));
    if (known) return matched(known, person);
  }
  // A referral racing this one may insert the same NHS number first: then take the person it made.
  const [created] = await tx
    .insert(serviceUsers)
    .values({ ...person, nhsNumber: person.nhsNumber ?? null, synthetic: synthetic ? 'synthetic' : null })
    .onConflictDoNothing({ target: serviceUsers.nhsNumber })
    .returning();
  if (created) return created;
  const [raced] = person.nhsNumber ? await tx.select().from(serviceUsers).where(eq(serviceUsers.nhsNumber, person.nhsNumber)) : [];
  if (!raced) throw new Error('insert returned no person');
  return matched(raced, person);
}

export type OpenOptions = { idempotencyKey?: string | undefined; now?: () => Date; synthetic?: boolean; onApplied?: (a: Applied) => void };

/** Opens a case in one transaction: person, case row and its first event, or nothing at all. */
export async function openCase(db: Db, rawBody: unknown, principal: Principal, options: OpenOptions = {}): Promise<StoredResponse> {
  authorizeRoute(principal, 'cases.open');
  const parsed = openCaseSchema.safeParse(rawBody);
  if (!parsed.success) {
    throw problems.malformed(
      z.prettifyError(parsed.error),
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const body = parsed.data;
  const now = options.now?.() ?? new Date();
  const actor = actorOf(principal);
  if (!actor) throw problems.forbidden(`Agency ${principal.agencyId} is not in the service directory`);
  const scope = `open:${principal.agencyId}`;
  // The caller is part of the request: another person reusing a key must not be handed the first caller's answer.
  const hash = options.idempotencyKey ? requestHash({ body, caller: [principal.id, principal.agencyId, principal.role] }) : '';

  const result = await db.transaction(async (tx) => {
    if (options.idempotencyKey) {
      const stored = await findStored(tx, scope, options.idempotencyKey, hash);
      if (stored) return { response: stored };
    }
    const person = await findOrCreatePerson(tx, body.person, options.synthetic ?? false);
    // Serialise openings for one person so two referrals cannot both become "the" open episode.
    await tx.select({ id: serviceUsers.id }).from(serviceUsers).where(eq(serviceUsers.id, person.id)).for('update');
    const [open] = await tx
      .select({ id: cases.id, reference: cases.reference, ties: cases.ties })
      .from(cases)
      .where(and(eq(cases.personId, person.id), eq(cases.status, 'open')));
    if (open) {
      // Only an agency with a part in that case is told which case it is.
      const involved = relationshipOf(open.ties as Ties, principal.agencyId).relationship !== 'none';
      throw problems.conflict(
        `This person already has an open case${involved ? ` (${open.reference})` : ''}; ask ${involved ? 'another service to be involved in it' : 'the service leading it to involve yours'} instead (R-PARALLEL)`,
      );
    }
    const event = {
      type: 'referral.make',
      ...(await resolveAgencyRefs(tx, body.referral)),
      person: { ageYears: ageOn(person.dateOfBirth, now), residency: body.residency, area: person.area },
      at: now.toISOString(),
      actor,
    } as PathwayEvent;
    const initial = initialSnapshot();
    const { next, changed } = step(initial, event);
    if (!changed) throw problems.refused(explainRefusal(initial, event));
    const [{ episodes } = { episodes: 0 }] = await tx
      .select({ episodes: max(cases.episode) })
      .from(cases)
      .where(eq(cases.personId, person.id));
    const p = projectionsOf(next);
    const ties = foldTies({}, next.context, event, 1);
    const [row] = await tx
      .insert(cases)
      .values({
        ...p,
        reference: newReference(),
        personId: person.id,
        episode: (episodes ?? 0) + 1,
        snapshot: persist(next),
        version: 1,
        stateEnteredAt: now,
        openedAt: now,
        updatedAt: now,
        closedAt: p.status === 'closed' ? now : null,
        pathwayVersion: versionOf(next),
        ties,
        agencies: tiedAgencies(ties),
      })
      .returning();
    if (!row) throw new Error('insert returned no case');
    await tx.insert(caseEvents).values(eventRow(row.id, 1, event, ['new'], p.statePaths, options.idempotencyKey));
    const deadlines = deadlineRows(row.id, next);
    if (deadlines.length > 0) await tx.insert(caseDeadlines).values(deadlines);
    // The service the referral went to is told (machines/notifications.ts), in the same transaction.
    const told = notificationsOf(initial.context, next.context, event);
    if (told.length > 0)
      await tx
        .insert(outbox)
        .values(told.map((n) => ({ caseId: row.id, seq: 1, type: n.type, agencyId: n.agencyId, about: n.about, createdAt: now })));
    // Every server instance's live inspection is woken at commit (server/notify/relay.ts).
    await tx.execute(sql`select pg_notify(${TRANSITION_CHANNEL}, ${`${row.id}:1`})`);
    // Opening ends no stay: it records `new` (no length) and the states the referral entered.
    await tx.insert(stateStays).values(stayChanges(row.id, 1, event, ['new'], next).enter);
    const response: StoredResponse = {
      status: 201,
      body: presentCase(row, next, person, principal, now, await caseAccess(tx, principal, row, 'read', now)),
      headers: { ETag: '"1"', Location: `/api/cases/${row.id}` },
    };
    if (options.idempotencyKey) await store(tx, scope, options.idempotencyKey, hash, response);
    return { response, applied: { caseId: row.id, seq: 1, event, snapshot: next, fromState: ['new'], ties } satisfies Applied };
  });
  if (result.applied) options.onApplied?.(result.applied);
  return result.response;
}

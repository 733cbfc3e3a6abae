/** The only shapes of a case that leave the server: identifiers only for the agencies involved (IG). */
import type { InferSelectModel } from 'drizzle-orm';
import type { caseEvents, cases, serviceUsers } from '../../db/schema/index.ts';
import { nextEvents } from '../../machines/explain.ts';
import { responsibility } from '../../machines/responsibility.ts';
import { type PathwaySnapshot, startVersionOf } from '../../machines/snapshot.ts';
import { actorOf, type Principal } from '../auth.ts';
import { seesIdentifiers } from '../policies.ts';

type CaseRow = InferSelectModel<typeof cases>;
type PersonRow = InferSelectModel<typeof serviceUsers>;

/** Every agency that has had a part in the case: they may see who the person is. */
export const agenciesInvolved = (snapshot: PathwaySnapshot): string[] => {
  const c = snapshot.context;
  return [
    c.referral?.to.id,
    c.referral?.referrer.agencyId,
    c.lead?.agency.id,
    c.leadProposal?.to.id,
    c.handover?.to.id,
    c.handover?.from.id,
    ...c.involvements.map((i) => i.agency.id),
  ].filter((a): a is string => !!a);
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Where a case stands, as both the full and the list view show it. */
const caseState = (row: CaseRow) => ({
  status: row.status,
  phase: row.phase,
  state: row.statePaths,
  version: row.version,
  quadrant: row.quadrant,
  area: row.area,
});

export function presentCase(row: CaseRow, snapshot: PathwaySnapshot, person: PersonRow | undefined, viewer: Principal, now: Date) {
  const identified = person && seesIdentifiers(viewer, agenciesInvolved(snapshot));
  const actor = actorOf(viewer);
  return {
    id: row.id,
    reference: row.reference,
    episode: row.episode,
    ...(identified
      ? {
          person: {
            id: person.id,
            givenName: person.givenName,
            familyName: person.familyName,
            nhsNumber: person.nhsNumber,
            dateOfBirth: person.dateOfBirth,
            synthetic: person.synthetic === 'synthetic',
          },
        }
      : {}),
    ...caseState(row),
    responsibility: responsibility(snapshot),
    facts: snapshot.context,
    nextEvents: actor && viewer.role !== 'commissioner' && viewer.role !== 'auditor' ? nextEvents(snapshot, actor, now.toISOString()) : [],
    openedAt: iso(row.openedAt),
    stateEnteredAt: iso(row.stateEnteredAt),
    updatedAt: iso(row.updatedAt),
    closedAt: iso(row.closedAt),
    pathwayVersion: row.pathwayVersion,
    links: { self: `/api/cases/${row.id}`, events: `/api/cases/${row.id}/events` },
  };
}
export type PresentedCase = ReturnType<typeof presentCase>;

/** The list view: projections only, no snapshot, no identifiers. */
export const presentCaseSummary = (row: CaseRow) => ({
  id: row.id,
  reference: row.reference,
  episode: row.episode,
  ...caseState(row),
  leadAgencyId: row.leadAgencyId,
  coordinatorName: row.coordinatorName,
  responsibleAgencyId: row.responsibleAgencyId,
  openedAt: iso(row.openedAt),
  stateEnteredAt: iso(row.stateEnteredAt),
  closedAt: iso(row.closedAt),
  links: { self: `/api/cases/${row.id}` },
});

export const presentEvent = (row: InferSelectModel<typeof caseEvents>, pathwayVersion: number) => ({
  seq: row.seq,
  /** The pathway version that judged the event (for a migration, the version it moved the case to). */
  pathwayVersion,
  type: row.type,
  payload: row.payload as Record<string, unknown>,
  actor: { id: row.actorId, agencyId: row.actorAgencyId, agencyKind: row.actorAgencyKind, role: row.actorRole },
  fromState: row.fromState,
  toState: row.toState,
  at: row.at.toISOString(),
});

/** A case's history, each event with the pathway version that judged it. */
export function presentHistory(rows: InferSelectModel<typeof caseEvents>[], caseVersion: number) {
  let version = startVersionOf(
    rows.map((r) => ({ type: r.type, from: (r.payload as { from?: unknown }).from })),
    caseVersion,
  );
  return rows.map((row) => {
    if (row.type === 'pathway.migrated') version = Number((row.payload as { to: number }).to);
    return presentEvent(row, version);
  });
}

/**
 * The only shapes of a case that leave the server, one per view of the access policy (machines/access.ts): `full`,
 * `restricted` (who the person is and where the case stands, no clinical facts) and `pseudonymised` (no identifiers,
 * no free text).
 */
import type { InferSelectModel } from 'drizzle-orm';
import type { caseEvents, cases, serviceUsers } from '../../db/schema/index.ts';
import { isCareRole } from '../../machines/access.ts';
import { nextEvents } from '../../machines/explain.ts';
import { type Responsibility, responsibility } from '../../machines/responsibility.ts';
import { type PathwaySnapshot, startVersionOf } from '../../machines/snapshot.ts';
import type { CaseAccess } from '../access.ts';
import { actorOf, type Principal } from '../auth.ts';

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

/** The views a case can be shown in. */
export type CaseView = 'full' | 'restricted' | 'pseudonymised';

/** What the response says of the caller's access, so a client can say why it sees what it sees. */
const accessOf = (access: CaseAccess) => ({
  relationship: access.relationship,
  view: access.outcome,
  consent: access.consent,
  until: iso(access.until ?? null),
  breakGlassUntil: iso(access.breakGlassUntil ?? null),
});

/** Responsibility without free text: the referrer's name (a self-referral's is the person's own) is withheld. */
const withoutNames = (r: Responsibility): Responsibility => (r.referrer ? { ...r, referrer: { ...r.referrer, name: '' } } : r);

export function presentCase(
  row: CaseRow,
  snapshot: PathwaySnapshot,
  person: PersonRow | undefined,
  viewer: Principal,
  now: Date,
  access: CaseAccess,
) {
  const view = access.outcome as CaseView;
  const identified = person && view !== 'pseudonymised';
  const actor = actorOf(viewer);
  const r = responsibility(snapshot);
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
    responsibility: view === 'pseudonymised' ? withoutNames(r) : r,
    /** Every clinical fact the case holds: in the full view only. */
    facts: view === 'full' ? snapshot.context : null,
    nextEvents: actor && isCareRole(viewer.role) ? nextEvents(snapshot, actor, now.toISOString()) : [],
    access: accessOf(access),
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

export const presentEvent = (row: InferSelectModel<typeof caseEvents>, pathwayVersion: number, view: CaseView = 'full') => ({
  seq: row.seq,
  /** The pathway version that judged the event (for a migration, the version it moved the case to). */
  pathwayVersion,
  type: row.type,
  /** What the event carried: in the full view only (it holds clinical facts and free text); otherwise empty. */
  payload: view === 'full' ? (row.payload as Record<string, unknown>) : {},
  withheld: view !== 'full',
  actor: { id: row.actorId, agencyId: row.actorAgencyId, agencyKind: row.actorAgencyKind, role: row.actorRole },
  fromState: row.fromState,
  toState: row.toState,
  at: row.at.toISOString(),
});

/** A case's history, each event with the pathway version that judged it, in the caller's view. */
export function presentHistory(rows: InferSelectModel<typeof caseEvents>[], caseVersion: number, view: CaseView = 'full') {
  let version = startVersionOf(
    rows.map((r) => ({ type: r.type, from: (r.payload as { from?: unknown }).from })),
    caseVersion,
  );
  return rows.map((row) => {
    if (row.type === 'pathway.migrated') version = Number((row.payload as { to: number }).to);
    return presentEvent(row, version, view);
  });
}

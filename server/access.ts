/**
 * The access policy (machines/access.ts) applied to a request: the principal's relationship to the case from its ties
 * or an open break-glass access, the person's consent, the decision, and the entry in the access log for every read.
 * Every route about one case goes through `authorizeCase`; routes about many go through `authorizeRoute`.
 */
import { and, desc, eq, gt } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { type AccessAction, accessLog } from '../db/schema/index.ts';
import {
  allows,
  type CaseAction,
  type ConsentState,
  consentFor,
  decide,
  forbiddenBecause,
  isCareRole,
  type Outcome,
  type PrincipalRole,
  principalRoles,
  type Relationship,
  type RouteGrant,
  relationshipOf,
  routeGrants,
  type Tie,
  type Ties,
} from '../machines/access.ts';
import type { ConsentStatus } from '../machines/vocab.ts';
import type { Principal } from './auth.ts';
import { problems } from './problem.ts';

/** What the policy decided for one principal and one case. */
export type CaseAccess = {
  relationship: Relationship;
  consent: ConsentState;
  outcome: Outcome;
  tie?: Tie;
  /** A past tie: the case's history is shown up to this moment, and this event (its number in the history). */
  until?: Date;
  untilSeq?: number;
  /** Break-glass: when the access ends. */
  breakGlassUntil?: Date;
};

/** The parts of a case row the policy reads. */
export type GuardedCase = { id: string; ties: unknown; snapshot: unknown };

const sharingOf = (snapshot: unknown): ConsentStatus =>
  ((snapshot as { context?: { consent?: { sharing?: ConsentStatus } } }).context?.consent?.sharing ?? 'notSought') as ConsentStatus;

const roleOf = (p: Principal): PrincipalRole | null =>
  (principalRoles as readonly string[]).includes(p.role) ? (p.role as PrincipalRole) : null;

/** The break-glass access this principal has open on this case, if any. */
async function openBreakGlass(db: Db | Tx, p: Principal, caseId: string, now: Date): Promise<Date | undefined> {
  const [open] = await db
    .select({ expiresAt: accessLog.expiresAt })
    .from(accessLog)
    .where(
      and(
        eq(accessLog.caseId, caseId),
        eq(accessLog.principalId, p.id),
        eq(accessLog.agencyId, p.agencyId),
        eq(accessLog.action, 'breakGlass'),
        gt(accessLog.expiresAt, now),
      ),
    )
    .orderBy(desc(accessLog.expiresAt))
    .limit(1);
  return open?.expiresAt ?? undefined;
}

/** Decides one action on one case for a principal (without throwing). */
export async function caseAccess(db: Db | Tx, p: Principal, kase: GuardedCase, action: CaseAction, now: Date): Promise<CaseAccess> {
  const consent0 = consentFor(sharingOf(kase.snapshot), undefined);
  // The engine itself (deadlines it fires): no request, no token can carry this role (server/auth.ts).
  if (p.role === 'system') return { relationship: 'none', consent: consent0, outcome: 'full' };
  const role = roleOf(p);
  if (!role) return { relationship: 'none', consent: consent0, outcome: 'forbidden' };
  const { relationship: tied, tie } = relationshipOf((kase.ties ?? {}) as Ties, p.agencyId);
  const consent = consentFor(sharingOf(kase.snapshot), tie);
  let relationship = tied;
  let breakGlassUntil: Date | undefined;
  // Looked up only where an open break-glass would change this decision (a clinician without a full view): nobody
  // else costs a query (sending an event as a service with a part in the case, say).
  if (isCareRole(role) && decide(role, action, tied, consent) !== decide(role, action, 'breakGlass', consent)) {
    breakGlassUntil = await openBreakGlass(db, p, kase.id, now);
    if (breakGlassUntil) relationship = 'breakGlass';
  }
  const access: CaseAccess = { relationship, consent, outcome: decide(role, action, relationship, consent) };
  if (tie) access.tie = tie;
  if (relationship === 'past' && tie?.until) {
    access.until = new Date(tie.until);
    if (tie.untilSeq !== undefined) access.untilSeq = tie.untilSeq;
  }
  if (breakGlassUntil) access.breakGlassUntil = breakGlassUntil;
  return access;
}

/**
 * Decides, and refuses what the policy refuses: a case the principal may not know of is 404 exactly as a case that
 * does not exist; a forbidden action is 403 with the reason.
 */
export async function authorizeCase(db: Db | Tx, p: Principal, kase: GuardedCase, action: CaseAction, now: Date): Promise<CaseAccess> {
  const access = await caseAccess(db, p, kase, action, now);
  if (access.outcome === 'hidden') throw problems.notFound(`No case ${kase.id}`);
  if (access.outcome === 'forbidden') {
    const role = roleOf(p);
    throw problems.forbidden(role ? forbiddenBecause(role, action, access.relationship) : `The role ${p.role} has no access`);
  }
  return access;
}

/** Refuses a principal a route not about one case unless its role holds the grant. */
export function authorizeRoute(p: Principal, grant: RouteGrant): void {
  if (!allows(p.role, grant)) {
    const g = routeGrants[grant];
    throw problems.forbidden(`A ${p.role} cannot ${g.what.split(':')[0]} (${g.route}: ${g.roles.join(', ')})`);
  }
  // Acting on cases needs an agency from the directory (its kind is what the pathway's rules read).
  if ((grant === 'cases.open' || grant === 'webhooks') && !p.agencyKind)
    throw problems.forbidden(`Agency ${p.agencyId} is not in the service directory`);
}

/** One entry of the access log: who read what, when, in which view, and (break-glass) why and until when. */
export type AccessEntry = {
  caseId: string | null;
  action: AccessAction;
  relationship: Relationship;
  view: Outcome;
  reason?: (typeof accessLog.$inferInsert)['reason'];
  note?: string;
  expiresAt?: Date;
  detail?: string;
};

/** Appends to the access log (the table refuses updates and deletes). */
export async function recordAccess(db: Db | Tx, p: Principal, entry: AccessEntry, now: Date): Promise<void> {
  await db.insert(accessLog).values({
    at: now,
    caseId: entry.caseId,
    principalId: p.id,
    principalName: p.name,
    agencyId: p.agencyId,
    role: p.role,
    action: entry.action,
    relationship: entry.relationship,
    view: entry.view,
    reason: entry.reason ?? null,
    note: entry.note ?? null,
    expiresAt: entry.expiresAt ?? null,
    detail: entry.detail ?? null,
  });
}

/** Authorizes a read of one case and records it: the one call every read route makes. */
export async function readCase(db: Db, p: Principal, kase: GuardedCase, action: CaseAction & AccessAction, now: Date): Promise<CaseAccess> {
  const access = await authorizeCase(db, p, kase, action, now);
  await recordAccess(db, p, { caseId: kase.id, action, relationship: access.relationship, view: access.outcome }, now);
  return access;
}

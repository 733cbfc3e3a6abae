/**
 * Who may see and do what with a person's case: one policy, written once, as data. The server asks it for every read
 * and write, the UI for what to offer, and `npm run docs:access` prints it as the matrix in docs/access-matrix.md.
 *
 * A decision rests on three things: the principal's role; the relationship of the principal's agency to the case
 * (its tie, kept with the case and folded from every event by `foldTies`, or an open break-glass access); and the
 * person's consent to share (R-CONSENT: without it, agencies other than the lead see only what a need-to-know ground
 * recorded when they were brought in releases). Unknown agencies and roles never reach it: authentication refuses them.
 */
import type { PathwayContext } from './context.ts';
import type { NeedToKnowGround, Role } from './vocab.ts';

/** People who care for the person: they act on cases and see those their agency has a part in. */
export const careRoles = ['practitioner', 'serviceManager', 'clinicalDirector'] as const satisfies readonly Role[];
/** People who oversee the pathway: they see every case, pseudonymised, and act on none. */
export const oversightRoles = ['commissioner', 'auditor'] as const satisfies readonly Role[];
export const principalRoles = [...careRoles, ...oversightRoles] as const;
export type PrincipalRole = (typeof principalRoles)[number];

export const isCareRole = (role: string): boolean => (careRoles as readonly string[]).includes(role);
export const isOversightRole = (role: string): boolean => (oversightRoles as readonly string[]).includes(role);

/** The parts an agency can have in a case now, strongest first. */
export const tieKinds = ['lead', 'involved', 'pending', 'referrer'] as const;
export type TieKind = (typeof tieKinds)[number];

/**
 * A principal's relationship to a case: its agency's tie now; `past` once that tie ended (the case as it was up to
 * the end); `breakGlass` while an emergency access it opened lasts; `none` otherwise.
 */
export const relationships = [...tieKinds, 'past', 'breakGlass', 'none'] as const;
export type Relationship = (typeof relationships)[number];

export const relationshipMeaning: Record<Relationship, string> = {
  lead: 'the lead agency (R-LEAD-ONE)',
  involved:
    'a supporting service (involvement accepted or active), the service holding an accepted referral before a lead, or a party to a dispute',
  pending: 'the receiver of a referral, lead proposal, handover, involvement request or dispute resolution not yet answered',
  referrer: 'the service that made the referral',
  past: 'an agency whose part in the case has ended: the case as it stands, without its clinical record, and its history up to that end',
  breakGlass:
    'a clinician without a full view of the case (no part in it, or no consent) who stated a reason to open it, for a limited time',
  none: 'no part in the case',
};

/** How the person's consent to share stands for the principal's agency. */
export const consentStates = ['given', 'notGiven', 'groundRecorded'] as const;
export type ConsentState = (typeof consentStates)[number];
export const consentMeaning: Record<ConsentState, string> = {
  given: 'the person consented to share information (R-CONSENT)',
  notGiven: 'consent not sought or refused, and no need-to-know ground recorded for this agency',
  groundRecorded: 'consent not given, but the event that brought this agency in recorded a need-to-know ground',
};

/**
 * What a principal gets. `full`: who the person is and every clinical fact, the whole history, the live stream.
 * `restricted`: who the person is, where the case stands, who is responsible and what this agency is asked to do; the
 * history as event types, dates and agencies only. `pseudonymised`: the reference, states, dates, agencies, codes —
 * never a name, NHS number, date of birth or free text. `hidden`: 404, the case's existence not confirmed.
 * `forbidden`: 403, with the reason.
 */
export const outcomes = ['full', 'restricted', 'pseudonymised', 'hidden', 'forbidden'] as const;
export type Outcome = (typeof outcomes)[number];

/** What can be done with one case, each an API route (docs/access-matrix.md names them). */
export const caseActions = ['read', 'history', 'stream', 'event', 'accessLog', 'breakGlass'] as const;
export type CaseAction = (typeof caseActions)[number];
export const caseActionRoutes: Record<CaseAction, string> = {
  read: 'GET /api/cases/:id',
  history: 'GET /api/cases/:id/events',
  stream: 'GET /api/cases/:id/inspect',
  event: 'POST /api/cases/:id/events',
  accessLog: 'GET /api/cases/:id/access-log',
  breakGlass: 'POST /api/cases/:id/break-glass',
};

/** What a principal sees of a case, before what it may do with it. */
function viewOf(
  role: PrincipalRole,
  relationship: Relationship,
  consent: ConsentState,
): 'full' | 'restricted' | 'pseudonymised' | 'hidden' {
  if (isOversightRole(role)) return 'pseudonymised';
  if (relationship === 'none') return 'hidden';
  if (relationship === 'lead' || relationship === 'breakGlass') return 'full';
  return consent === 'notGiven' ? 'restricted' : 'full';
}

/** The one decision: may this role, so related to the case under this consent, do this, and with what view. */
export function decide(role: PrincipalRole, action: CaseAction, relationship: Relationship, consent: ConsentState): Outcome {
  const view = viewOf(role, relationship, consent);
  switch (action) {
    case 'read':
      // An ended part sees who the person is and where the case stands now, not today's clinical record.
      return relationship === 'past' && view === 'full' ? 'restricted' : view;
    case 'history':
      // …and the history up to its end, in the view consent gives it.
      return view;
    case 'stream':
      // Live updates are for those caring for the person now; an ended part reads the record, it does not follow it.
      if (view === 'hidden') return 'hidden';
      if (relationship === 'past' && isCareRole(role)) return 'forbidden';
      return view === 'full' ? 'full' : 'pseudonymised';
    case 'event':
      // Permitted to try: the statechart's guards then decide whether this agency may do this now.
      if (isOversightRole(role)) return 'forbidden';
      return view === 'hidden' ? 'hidden' : 'full';
    case 'accessLog':
      // "Who looked at my record": the lead agency's managers, and the auditor (data protection) role.
      if (role === 'auditor') return 'full';
      if (view === 'hidden') return 'hidden';
      return relationship === 'lead' && (role === 'serviceManager' || role === 'clinicalDirector') ? 'full' : 'forbidden';
    case 'breakGlass':
      if (isOversightRole(role)) return 'forbidden';
      return view === 'full' ? 'forbidden' : 'full';
  }
}

/** Why an outcome was `forbidden`, in words a caller can act on. */
export function forbiddenBecause(role: PrincipalRole, action: CaseAction, relationship: Relationship): string {
  const a = /^[aeiou]/i.test(role) ? `An ${role}` : `A ${role}`;
  if (action === 'event' && isOversightRole(role)) return `${a} has read-only access`;
  if (action === 'stream') return 'Your agency’s part in this case has ended: its record is readable, its live updates are not';
  if (action === 'accessLog')
    return 'Only the lead agency’s service managers and clinical directors, and auditors, read who looked at a case';
  if (action === 'breakGlass')
    return isOversightRole(role) ? `${a} cannot break glass` : `You already see this case in full (${relationship})`;
  return 'Not permitted';
}

/** Routes that are not about one case: who may use them at all. Anything not listed here is per case, above. */
export const routeGrants = {
  'cases.open': { route: 'POST /api/cases', roles: careRoles, what: 'open a case from a referral' },
  'cases.act': {
    route: 'POST /api/cases/:id/events',
    roles: careRoles,
    what: 'send events to cases (then decided per case by relationship, and by the pathway’s guards)',
  },
  'cases.list': {
    route: 'GET /api/cases',
    roles: principalRoles,
    what: 'care roles: the cases their agency has or had a part in; oversight roles: every case (no identifiers)',
  },
  'inspect.all': {
    route: 'GET /api/inspect',
    roles: principalRoles,
    what: 'live events of every case each subscriber may see, in the view it may see them',
  },
  stats: {
    route: 'GET /api/stats/*',
    roles: principalRoles,
    what: 'the map’s counts and waits per state, and the cases in a state by reference (no identifiers)',
  },
  webhooks: {
    route: '/api/webhooks/*',
    roles: ['serviceManager', 'clinicalDirector'],
    what: 'manage where the agency’s notifications are sent, and their deliveries',
  },
  worklist: { route: 'GET /api/worklist, GET /api/notifications', roles: careRoles, what: 'what awaits the caller’s agency' },
  audits: {
    route: 'GET /api/audits/*',
    roles: ['auditor', 'commissioner', 'serviceManager', 'clinicalDirector'],
    what: 'pathway audits (references, states, agencies, counts)',
  },
  exports: { route: 'GET /api/exports/*', roles: ['auditor', 'commissioner'], what: 'the event log without identifiers or free text' },
  integrity: { route: 'GET /api/integrity', roles: ['auditor'], what: 'verify every history chain and projection' },
  pathwayPlanning: {
    route: 'GET /api/pathway/versions/:to/dry-run',
    roles: ['serviceManager', 'clinicalDirector'],
    what: 'plan a pathway version migration',
  },
} as const satisfies Record<string, { route: string; roles: readonly PrincipalRole[]; what: string }>;
export type RouteGrant = keyof typeof routeGrants;

export const allows = (role: string, grant: RouteGrant): boolean => (routeGrants[grant].roles as readonly string[]).includes(role);

// ————— Ties: each agency's part in a case, folded from its history —————

/**
 * An agency's part in a case: since when, until when (and the event that ended it, by its number in the history) if it
 * ended, and the need-to-know ground it came in on.
 */
export type Tie = { kind: TieKind; since: string; until?: string; untilSeq?: number; ground?: NeedToKnowGround };
export type Ties = Readonly<Record<string, Tie>>;

const strength = (k: TieKind) => tieKinds.indexOf(k);

/** Each agency's part in the case as this context stands (the strongest where it has several). */
export function currentTies(ctx: PathwayContext): Map<string, TieKind> {
  const out = new Map<string, TieKind>();
  const tie = (agencyId: string | undefined | null, kind: TieKind) => {
    if (!agencyId) return;
    const had = out.get(agencyId);
    if (!had || strength(kind) < strength(had)) out.set(agencyId, kind);
  };
  const r = ctx.referral;
  if (r) {
    tie(r.from?.id ?? r.referrer.agencyId, 'referrer');
    if (r.status === 'awaiting') tie(r.to.id, 'pending');
    else if (r.status === 'accepted') tie(r.to.id, 'involved');
  }
  tie(ctx.lead?.agency.id, 'lead');
  tie(ctx.leadProposal?.to.id, 'pending');
  if (ctx.handover) {
    tie(ctx.handover.from.id, 'involved');
    tie(ctx.handover.to.id, 'pending');
  }
  for (const i of ctx.involvements) {
    if (i.status === 'requested') tie(i.agency.id, 'pending');
    else if (i.status === 'accepted' || i.status === 'active') tie(i.agency.id, 'involved');
  }
  const d = ctx.dispute;
  if (d) {
    tie(d.raisedBy.id, 'involved');
    tie(d.proposedLead?.id, 'pending');
    for (const a of d.proposal?.awaiting ?? []) tie(a.id, 'pending');
  }
  return out;
}

/** The need-to-know ground an event recorded for sharing without consent (R-CONSENT), if any. */
export function groundOf(event: object): NeedToKnowGround | undefined {
  const e = event as { needToKnow?: NeedToKnowGround; consent?: { needToKnow?: NeedToKnowGround } };
  return e.needToKnow ?? e.consent?.needToKnow;
}

/**
 * The ties after an event: agencies with a part now keep (or begin) their tie; those whose part ended keep it with
 * its end. A ground recorded by the event goes to the agencies it brought in or whose part it changed.
 */
export function foldTies(previous: Ties, ctx: PathwayContext, event: { at: string }, seq: number): Ties {
  const now = currentTies(ctx);
  const ground = groundOf(event);
  const next: Record<string, Tie> = {};
  let changed = false;
  for (const [agency, kind] of now) {
    const had = previous[agency];
    if (had && !had.until && had.kind === kind) {
      next[agency] = had;
      continue;
    }
    changed = true;
    const tie: Tie = { kind, since: had && !had.until ? had.since : event.at };
    const g = ground ?? (had && !had.until ? had.ground : undefined);
    if (g) tie.ground = g;
    next[agency] = tie;
  }
  for (const [agency, had] of Object.entries(previous)) {
    if (now.has(agency)) continue;
    if (had.until) next[agency] = had;
    else {
      changed = true;
      next[agency] = { ...had, until: event.at, untilSeq: seq };
    }
  }
  return changed ? next : previous;
}

/** The agencies with any tie, current or ended: the case list of a care role is the cases whose list holds its agency. */
export const tiedAgencies = (ties: Ties): string[] => Object.keys(ties).sort();

/** An agency's relationship to a case from its ties (break-glass is decided by the server, which keeps those). */
export function relationshipOf(ties: Ties, agencyId: string): { relationship: Relationship; tie?: Tie } {
  const tie = ties[agencyId];
  if (!tie) return { relationship: 'none' };
  return { relationship: tie.until ? 'past' : tie.kind, tie };
}

/** How consent stands for an agency with this tie. */
export function consentFor(sharing: PathwayContext['consent']['sharing'], tie: Tie | undefined): ConsentState {
  if (sharing === 'given') return 'given';
  return tie?.ground ? 'groundRecorded' : 'notGiven';
}

/** Break-glass reasons a clinician states, with a note in their own words. */
export const breakGlassReasons = ['emergency', 'safeguarding', 'clinicalNeed'] as const;
export type BreakGlassReason = (typeof breakGlassReasons)[number];

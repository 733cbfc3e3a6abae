/** Who is answerable for a person now, in a form a UI can show and words the person can read (R-CLARITY). */
import { currentInvolvements, type PathwayContext, pendingInvolvements, responsibleAgency } from './context.ts';
import type { AgencyRef, Coordinator } from './events.ts';
import type { PathwaySnapshot } from './snapshot.ts';
import type { AgencyKind } from './vocab.ts';

export type Awaiting = {
  what: 'referral' | 'lead' | 'handover' | 'involvement' | 'disputeResolution';
  agency: AgencyRef;
  since: string;
  followUpDue: string;
};

export type Responsibility = {
  open: boolean;
  lead: { agency: AgencyRef; coordinator: Coordinator; since: string } | null;
  /**
   * The agency answerable now (R-CLARITY): the lead; before one, while the referral awaits acceptance, the service that
   * referred (null for a self-referral, see `referrer`), and once accepted the service holding the referral.
   */
  responsible: AgencyRef | null;
  /** While a referral awaits acceptance: who referred, and their service when a service referred (docs/decisions/0011). */
  referrer: { name: string; agency: AgencyRef | null } | null;
  supporting: { agency: AgencyRef; status: 'accepted' | 'active' }[];
  pendingHandover: { from: AgencyRef; to: AgencyRef; requestedAt: string; followUpDue: string } | null;
  awaiting: Awaiting[];
  statement: string;
};

const kindNames: Record<AgencyKind, string> = {
  MHS: 'the mental health service',
  SMS: 'the drug and alcohol service',
  ASC: 'adult social care',
  PRIMARY: 'your GP practice',
  IAPT: 'the talking therapies service',
  WRAPAROUND: 'the community support service',
  CAMHS: 'the children and young people’s mental health service',
  OUT_OF_AREA: 'a service outside Kent and Medway',
};
export const agencyName = (a: AgencyRef): string => a.name ?? kindNames[a.kind];

const list = (names: string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/** What the case awaits from whom now: each request not yet answered. */
export function awaitingOf(ctx: PathwayContext): Awaiting[] {
  const out: Awaiting[] = [];
  if (ctx.referral?.status === 'awaiting')
    out.push({ what: 'referral', agency: ctx.referral.to, since: ctx.referral.madeAt, followUpDue: ctx.referral.followUpDue });
  if (ctx.leadProposal)
    out.push({ what: 'lead', agency: ctx.leadProposal.to, since: ctx.leadProposal.proposedAt, followUpDue: ctx.leadProposal.followUpDue });
  if (ctx.handover)
    out.push({ what: 'handover', agency: ctx.handover.to, since: ctx.handover.requestedAt, followUpDue: ctx.handover.followUpDue });
  for (const i of pendingInvolvements(ctx))
    out.push({ what: 'involvement', agency: i.agency, since: i.requestedAt, followUpDue: i.followUpDue });
  const proposal = ctx.dispute?.proposal;
  if (proposal)
    for (const a of proposal.awaiting)
      out.push({ what: 'disputeResolution', agency: a, since: proposal.at, followUpDue: proposal.followUpDue });
  return out;
}

function statementOf(ctx: PathwayContext, open: boolean, supporting: Responsibility['supporting']): string {
  if (!open) {
    if (!ctx.closure) return 'No referral has been made yet.';
    if (ctx.closure.reason === 'redirectedUnder18')
      return 'Your referral has been passed to the children and young people’s mental health service (CAMHS), who support people under 18.';
    if (ctx.closure.reason === 'referralDeclined' && ctx.referral)
      return `${agencyName(ctx.referral.to)} could not offer you a service and has written to you with the reasons; the person who referred you has their recommendation.`;
    return 'Your case with these services is closed.';
  }
  const parts: string[] = [];
  const resp = responsibleAgency(ctx);
  if (ctx.lead) {
    parts.push(`${agencyName(ctx.lead.agency)} leads your care. Your care coordinator is ${ctx.lead.coordinator.name}.`);
  } else if (ctx.referral?.status === 'awaiting') {
    const from = ctx.referral.from;
    parts.push(
      from === null
        ? `You referred yourself to ${agencyName(ctx.referral.to)}, who will contact you; no service has taken on your care until they accept.`
        : from
          ? `You have been referred to ${agencyName(ctx.referral.to)}, who will contact you; until they accept, ${agencyName(from)}, who referred you, stays responsible for your support.`
          : `You have been referred to ${agencyName(ctx.referral.to)}, who will contact you; until they accept, the service that referred you stays responsible for your support.`,
    );
  } else if (resp) {
    parts.push(`${agencyName(resp)} is assessing your needs and is responsible for your support until a lead service is agreed.`);
  }
  if (supporting.length > 0) parts.push(`${list(supporting.map((s) => agencyName(s.agency)))} also support you.`);
  if (ctx.handover && ctx.lead) {
    parts.push(
      `We have asked ${agencyName(ctx.handover.to)} to take over your care. Until they accept, ${agencyName(ctx.lead.agency)} remains responsible.`,
    );
  }
  if (ctx.leadProposal && resp) {
    parts.push(
      `We have asked ${agencyName(ctx.leadProposal.to)} to lead your care. Until they accept, ${agencyName(resp)} remains responsible.`,
    );
  }
  if (ctx.dispute)
    parts.push(
      ctx.lead
        ? `The services are agreeing who should lead your care; ${agencyName(ctx.lead.agency)} stays responsible in the meantime.`
        : 'The services are agreeing who should lead your care; nothing changes for you in the meantime.',
    );
  return parts.join(' ');
}

export function responsibility(snapshot: PathwaySnapshot): Responsibility {
  const ctx = snapshot.context;
  const open = snapshot.status === 'active' && !snapshot.matches('new');
  const supporting = currentInvolvements(ctx).map((i) => ({ agency: i.agency, status: i.status as 'accepted' | 'active' }));
  return {
    open,
    lead: ctx.lead && open ? { agency: ctx.lead.agency, coordinator: ctx.lead.coordinator, since: ctx.lead.since } : null,
    responsible: open ? responsibleAgency(ctx) : null,
    referrer:
      open && ctx.referral?.status === 'awaiting' && !ctx.lead
        ? { name: ctx.referral.referrer.name, agency: ctx.referral.from ?? null }
        : null,
    supporting: open ? supporting : [],
    pendingHandover: ctx.handover
      ? { from: ctx.handover.from, to: ctx.handover.to, requestedAt: ctx.handover.requestedAt, followUpDue: ctx.handover.followUpDue }
      : null,
    awaiting: open ? awaitingOf(ctx) : [],
    statement: statementOf(ctx, open, supporting),
  };
}

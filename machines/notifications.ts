/**
 * Who must be told of a transition, and what (P21 Appendix 2: "referring without following up is unacceptable"):
 * a pure function of the context before and after an event. The engine writes what it returns in the transition's own
 * statement (the outbox), so a committed transition never lacks its notifications and a refused one has none.
 *
 * A notification is minimal by design: what happened, to which case, whom it awaits — never clinical content. The
 * receiver fetches the case with its own token, under the access policy (machines/access.ts).
 */
import { currentTies } from './access.ts';
import type { PathwayContext } from './context.ts';
import { type Awaiting, awaitingOf } from './responsibility.ts';

export const notificationTypes = [
  /** A referral, lead proposal, handover, involvement request or dispute resolution now awaits this agency. */
  'request.received',
  /** A request this agency sent was answered (accepted, declined) or withdrawn. */
  'request.answered',
  /** A request this agency sent is past its follow-up date, unanswered (R-REF-FOLLOWUP): for its service managers. */
  'followUp.overdue',
  /** The person's risks changed (R-RISK-CHANGE): every service with a part in the case is told. */
  'risk.changed',
  /** A clinician with no part in the case opened it in an emergency: the service answerable for it is told. */
  'access.breakGlass',
] as const;
export type NotificationType = (typeof notificationTypes)[number];

export type Notification = {
  type: NotificationType;
  /** The agency told. */
  agencyId: string;
  /** What the notification is about, with no clinical content. */
  about: {
    what?: Awaiting['what'];
    /** The agency the request awaits (request.*, followUp.overdue). */
    awaiting?: string;
    /** How a request ended (request.answered). */
    outcome?: 'accepted' | 'declined' | 'withdrawn';
    /** Who opened the case and why, as a code (access.breakGlass; the clinician's note stays in the access log). */
    by?: { agencyId: string; role: string };
    reason?: string;
    until?: string;
    followUpDue?: string;
  };
};

const key = (a: Awaiting) => `${a.what}|${a.agency.id}|${a.since}`;

/** Who sent a request: the agency told when it is answered, or overdue. */
function senderOf(what: Awaiting['what'], ctx: PathwayContext): string | null {
  switch (what) {
    case 'referral':
      return ctx.referral?.from?.id ?? ctx.referral?.referrer.agencyId ?? null;
    case 'handover':
      return ctx.handover?.from.id ?? null;
    case 'involvement':
    case 'lead':
      // The service holding the case asked (the lead; before one, the service the referral went to).
      return ctx.lead?.agency.id ?? ctx.referral?.to.id ?? null;
    case 'disputeResolution':
      return ctx.dispute?.proposal?.by.id ?? null;
  }
}

const deadlineWhat: Partial<Record<string, Awaiting['what']>> = {
  referralFollowUp: 'referral',
  leadFollowUp: 'lead',
  handoverFollowUp: 'handover',
  involvementFollowUp: 'involvement',
};

/** The notifications one event gives rise to, from the case's facts before and after it. */
export function notificationsOf(
  before: PathwayContext,
  after: PathwayContext,
  event: { type: string; actor: { agencyId: string }; deadline?: string; ref?: string },
): Notification[] {
  const out: Notification[] = [];
  const was = awaitingOf(before);
  const now = awaitingOf(after);
  const wasKeys = new Set(was.map(key));
  const nowKeys = new Set(now.map(key));
  for (const a of now)
    if (!wasKeys.has(key(a)))
      out.push({
        type: 'request.received',
        agencyId: a.agency.id,
        about: { what: a.what, awaiting: a.agency.id, followUpDue: a.followUpDue },
      });
  for (const a of was) {
    if (nowKeys.has(key(a))) continue;
    const sender = senderOf(a.what, before);
    if (!sender || sender === a.agency.id) continue;
    const outcome = /\.(accept|confirm)$/.test(event.type) ? 'accepted' : /\.decline$/.test(event.type) ? 'declined' : 'withdrawn';
    out.push({ type: 'request.answered', agencyId: sender, about: { what: a.what, awaiting: a.agency.id, outcome } });
  }
  if (event.type === 'deadline.reached' && event.deadline) {
    const what = deadlineWhat[event.deadline];
    const pending =
      what && now.find((a) => a.what === what && (what !== 'involvement' || !event.ref || matchesInvolvement(after, a, event.ref)));
    const sender = what && pending ? senderOf(what, after) : null;
    if (what && pending && sender)
      out.push({
        type: 'followUp.overdue',
        agencyId: sender,
        about: { what, awaiting: pending.agency.id, followUpDue: pending.followUpDue },
      });
  }
  if (event.type === 'risk.change')
    for (const [agencyId, kind] of currentTies(after))
      if (kind !== 'referrer' && agencyId !== event.actor.agencyId) out.push({ type: 'risk.changed', agencyId, about: {} });
  return out;
}

const matchesInvolvement = (ctx: PathwayContext, a: Awaiting, ref: string) =>
  ctx.involvements.some((i) => i.id === ref && i.agency.id === a.agency.id);

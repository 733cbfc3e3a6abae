/** The deadlines a version 1 case has pending (frozen: see machine.ts): they decide when the engine fires deadline.reached. */
import type { DeadlineName } from '../vocab.ts';
import { type PathwayContext, pendingInvolvements } from './context.ts';

export type PendingDeadline = { name: DeadlineName; ref: string; dueAt: string };

export function pendingDeadlines(ctx: PathwayContext, open: boolean): PendingDeadline[] {
  if (!open) return [];
  const out: PendingDeadline[] = [];
  if (ctx.referral?.status === 'awaiting') out.push({ name: 'referralFollowUp', ref: '', dueAt: ctx.referral.followUpDue });
  if (ctx.leadProposal) out.push({ name: 'leadFollowUp', ref: '', dueAt: ctx.leadProposal.followUpDue });
  if (ctx.handover) out.push({ name: 'handoverFollowUp', ref: '', dueAt: ctx.handover.followUpDue });
  for (const i of pendingInvolvements(ctx)) out.push({ name: 'involvementFollowUp', ref: i.id, dueAt: i.followUpDue });
  // A review is due at the start of its due day (dates, not times, in the care plan).
  if (ctx.carePlan) out.push({ name: 'carePlanReview', ref: '', dueAt: `${ctx.carePlan.reviewDue}T00:00:00.000Z` });
  return out;
}

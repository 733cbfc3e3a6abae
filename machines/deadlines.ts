/** The deadlines a case has pending now, derived from its facts; the engine keeps them in the database. */
import { type PathwayContext, pendingInvolvements } from './context.ts';
import type { DeadlineName } from './vocab.ts';

export type PendingDeadline = { name: DeadlineName; ref: string; dueAt: string };

export function pendingDeadlines(ctx: PathwayContext, open: boolean): PendingDeadline[] {
  if (!open) return [];
  const out: PendingDeadline[] = [];
  if (ctx.referral?.status === 'awaiting') out.push({ name: 'referralFollowUp', ref: '', dueAt: ctx.referral.followUpDue });
  if (ctx.leadProposal) out.push({ name: 'leadFollowUp', ref: '', dueAt: ctx.leadProposal.followUpDue });
  if (ctx.handover) out.push({ name: 'handoverFollowUp', ref: '', dueAt: ctx.handover.followUpDue });
  for (const i of pendingInvolvements(ctx)) out.push({ name: 'involvementFollowUp', ref: i.id, dueAt: i.followUpDue });
  // A review is due at the start of its due day (dates, not times, in the care plan). R-REVIEW (second reading): only
  // where the review can be recorded, by a lead (pathway version 2 takes it in every open state once a plan exists).
  if (ctx.carePlan && ctx.lead) out.push({ name: 'carePlanReview', ref: '', dueAt: `${ctx.carePlan.reviewDue}T00:00:00.000Z` });
  return out;
}

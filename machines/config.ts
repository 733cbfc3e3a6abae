/** Time limits the protocol leaves open, declared once as data (docs/0003-deadlines-and-targets.md). */
import type { DeadlineName } from './vocab.ts';

/** Days after which an unanswered request becomes overdue (R-REF-FOLLOWUP, R-REVIEW). */
export const deadlineDays: Record<DeadlineName, number> = {
  referralFollowUp: 14,
  leadFollowUp: 7,
  handoverFollowUp: 14,
  involvementFollowUp: 14,
  carePlanReview: 90,
};

/** Longest expected stay per state, in days; a case there longer is "stalled" in audits. */
export const stateTargetDays: Record<string, number> = {
  'referral.triage': 7,
  'referral.awaitingAcceptance': 14,
  assessment: 28,
  'leadAssignment.deciding': 7,
  'leadAssignment.awaitingAcceptance': 7,
  'handover.required': 7,
  'handover.awaitingAcceptance': 14,
  'dispute.serviceManagers': 14,
  'dispute.clinicalDirectors': 28,
};

const DAY_MS = 86_400_000;

/** Pure date arithmetic on the event's own timestamp: the machine never reads a clock. */
export const addDays = (isoTime: string, days: number): string => new Date(Date.parse(isoTime) + days * DAY_MS).toISOString();

export const dueFrom = (isoTime: string, deadline: DeadlineName): string => addDays(isoTime, deadlineDays[deadline]);

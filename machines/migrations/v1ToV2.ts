/** Pathway version 1 → 2: where each state goes and how the facts change (tested in test/machines/migrations.test.ts). */
import { type Dispute, initialContext, type PathwayContext } from '../context.ts';
import type { Migration } from '../migrate.ts';

/**
 * Version 2 keeps every state of version 1 under its name (it adds history states and takes disputes from more
 * places), so no state moves. The facts version 2 added start empty, except where version 1's facts tell them:
 * - a dispute remembers where it was raised: before any lead (lead assignment), after a step change (the handover
 *   step), otherwise joint care — the only places version 1 took a dispute from;
 * - a referral's sender was not recorded: left unknown (`from` absent), so the receiving service stays named
 *   responsible as it was, rather than guessing;
 * - a safeguarding concern with no recorded decision becomes pending: the case cannot change lead or close until the
 *   decision is recorded (R-SAFEGUARDING, second reading), which is what the second reading asks of open cases.
 */
export const v1ToV2: Migration = {
  from: 1,
  to: 2,
  states: {},
  context: (raw) => {
    const ctx = raw as unknown as PathwayContext;
    const dispute: Dispute | null = ctx.dispute
      ? {
          ...ctx.dispute,
          from: !ctx.dispute.hadLead ? 'leadAssignment' : ctx.stepChange ? 'handover' : 'jointCare',
          proposal: null,
        }
      : null;
    // The facts version 2 added, as a new case starts them; then version 1's facts as they were.
    const added = Object.fromEntries(Object.entries(initialContext).filter(([key]) => !(key in ctx)));
    return { ...added, ...ctx, dispute } as PathwayContext;
  },
};

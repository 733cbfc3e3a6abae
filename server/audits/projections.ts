/** The audit projections of one transition (state stays) and of one refused attempt, written beside the event. */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { cases, refusedAttempts, type stateStays } from '../../db/schema/index.ts';
import { foldTies, type Ties } from '../../machines/access.ts';
import type { PathwayEvent } from '../../machines/events.ts';
import type { Blocker } from '../../machines/rules.ts';
import {
  type HistoryEvent,
  initialSnapshot,
  migrated,
  type PathwaySnapshot,
  responsibleOf,
  statePaths,
  step,
} from '../../machines/snapshot.ts';
import { actorOf, type Principal } from '../auth.ts';
import { ProblemError } from '../problem.ts';

export type StayRow = typeof stateStays.$inferInsert;
export type StayExit = { states: string[]; seq: number; at: Date; to: string[] };
/** What one transition does to a case's stays: the stays it ends and the stays it begins. */
export type StayChanges = { exit: StayExit | null; enter: StayRow[] };

const phaseOf = (path: string): string => path.split('.')[1] ?? path;

/** R-LEAD-ONE: states in which the case must have a lead and a named coordinator. */
const leadExpectedIn = (path: string, snapshot: PathwaySnapshot): boolean => {
  const phase = phaseOf(path);
  return phase === 'jointCare' || phase === 'handover' || (phase === 'dispute' && snapshot.context.dispute?.hadLead === true);
};

/**
 * The stays a transition ends and begins, from the leaf states before and after it. A leaf present on both sides
 * goes on (a care-plan review does not start a new stay in `agreed`). `new` is recorded as a stay of no length.
 */
export function stayChanges(
  caseId: string,
  seq: number,
  event: { at: string },
  from: readonly string[],
  next: PathwaySnapshot,
): StayChanges {
  const at = new Date(event.at);
  const to = statePaths(next.value);
  const left = from.filter((p) => !to.includes(p));
  const entered = to.filter((p) => !from.includes(p) && p !== 'closed');
  const ctx = next.context;
  const agency = responsibleOf(next);
  const stay = (state: string, leftAt: Date | null): StayRow => ({
    caseId,
    state,
    enteredSeq: seq,
    enteredAt: at,
    leftSeq: leftAt ? seq : null,
    leftAt,
    leftTo: leftAt ? to.filter((p) => !from.includes(p)) : null,
    area: ctx.person?.area ?? null,
    quadrant: ctx.quadrant,
    agencyId: agency?.id ?? null,
    agencyKind: agency?.kind ?? null,
    leadAgencyId: ctx.lead?.agency.id ?? null,
    coordinatorId: ctx.lead?.coordinator.id ?? null,
    leadExpected: leadExpectedIn(state, next),
  });
  const opening = from.length === 1 && from[0] === 'new';
  const enter = entered.map((p) => stay(p, null));
  if (opening) enter.unshift(stay('new', at));
  const exit = !opening && left.length > 0 ? { states: left, seq, at, to: to.filter((p) => !from.includes(p)) } : null;
  return { exit, enter };
}

/** Applies stay changes to the stays of one case held in memory (the batch loader builds a case's rows this way). */
export function applyStayChanges(stays: StayRow[], changes: StayChanges): void {
  if (changes.exit) {
    const { states, seq, at, to } = changes.exit;
    for (const s of stays) {
      if (s.leftAt === null && states.includes(s.state)) Object.assign(s, { leftSeq: seq, leftAt: at, leftTo: to });
    }
  }
  stays.push(...changes.enter);
}

export type RefusedRow = typeof refusedAttempts.$inferInsert;
/** R-REF-NOINTOX: the rule whose refusals QS188 statement 2 counts. */
export const forbiddenGroundRule = 'R-REF-NOINTOX';

/** The audit row of an attempt refused on forbidden grounds, or null when the refusal was for other reasons. */
export function refusedAttemptRow(
  c: { id: string; version: number; statePaths: string[]; area: RefusedRow['area']; quadrant: RefusedRow['quadrant'] },
  event: PathwayEvent,
  blockers: readonly Blocker[],
): RefusedRow | null {
  if (!blockers.some((b) => b.rule === forbiddenGroundRule)) return null;
  return {
    caseId: c.id,
    caseVersion: c.version,
    type: event.type,
    reason: 'reason' in event && typeof event.reason === 'string' ? event.reason : null,
    rules: [...new Set(blockers.map((b) => b.rule))],
    actorId: event.actor.id,
    actorAgencyId: event.actor.agencyId,
    actorAgencyKind: event.actor.agencyKind,
    actorRole: event.actor.role,
    state: c.statePaths,
    area: c.area,
    quadrant: c.quadrant,
    at: new Date(event.at),
  };
}

/**
 * The engine's hook for refusals: after the refused transaction has rolled back (nothing about the case changed),
 * records an attempt on forbidden grounds in its own transaction, then answers with the refusal as before.
 * Returns a function for `.catch()` that always rethrows the original error.
 */
export const recordRefusal =
  (db: Db, caseId: string, body: { type: PathwayEvent['type'] } & Record<string, unknown>, principal: Principal, now?: () => Date) =>
  async (error: unknown): Promise<never> => {
    const blockers = error instanceof ProblemError ? error.problem.blockedBy : undefined;
    const actor = actorOf(principal);
    if (blockers?.some((b) => b.rule === forbiddenGroundRule) && actor) {
      try {
        const [c] = await db.select().from(cases).where(eq(cases.id, caseId));
        const event = { ...body, at: (now?.() ?? new Date()).toISOString(), actor } as PathwayEvent;
        const row = c && refusedAttemptRow(c, event, blockers);
        if (row) await db.insert(refusedAttempts).values(row);
      } catch {
        // The person sending the event must hear the refusal even if the audit record could not be written.
      }
    }
    throw error;
  };

/**
 * A case's history replayed (through any pathway migration) with the stays each step records and the agencies' ties,
 * as the engine wrote them: the rebuild of databases that predate stays and the integrity check share it. Throws at an event that does
 * not apply.
 */
export function replayStays(
  caseId: string,
  history: readonly HistoryEvent[],
  startVersion: number,
): { snapshot: PathwaySnapshot; stays: StayRow[]; ties: Ties } {
  let snapshot = initialSnapshot(startVersion);
  const stays: StayRow[] = [];
  let ties: Ties = {};
  for (const [i, event] of history.entries()) {
    let next: PathwaySnapshot;
    if (event.type === 'pathway.migrated') next = migrated(snapshot, event.to);
    else {
      const stepped = step(snapshot, event);
      if (!stepped.changed) throw new Error(`event ${i + 1} (${event.type}) does not apply`);
      next = stepped.next;
    }
    applyStayChanges(stays, stayChanges(caseId, i + 1, event, statePaths(snapshot.value), next));
    ties = foldTies(ties, next.context, event, i + 1);
    snapshot = next;
  }
  return { snapshot, stays, ties };
}

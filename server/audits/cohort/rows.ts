/**
 * The rows one generated case puts in the database, made by the engine's own functions: event and deadline rows by
 * the builders the engine's write uses, stays and refused attempts by the audit projections, the case row by
 * `projectionsOf` and `persist` — so a batch-loaded case is the case the engine would have written.
 */
import type { caseDeadlines, caseEvents, cases, serviceUsers } from '../../../db/schema/index.ts';
import { foldTies, type Ties, tiedAgencies } from '../../../machines/access.ts';
import type { PathwayEvent } from '../../../machines/events.ts';
import { explainRefusal } from '../../../machines/explain.ts';
import { type PathwaySnapshot, persist, statePaths, versionOf } from '../../../machines/snapshot.ts';
import { projectionsOf, sameStates } from '../../engine/projections.ts';
import { deadlineRows, eventRow } from '../../engine/transitionWrite.ts';
import { applyStayChanges, type RefusedRow, refusedAttemptRow, type StayRow, stayChanges } from '../projections.ts';
import { type CohortWindow, type GeneratedCase, generateCase, slotUuid } from './journey.ts';

export type CaseRows = {
  person: typeof serviceUsers.$inferInsert | null;
  kase: typeof cases.$inferInsert;
  events: (typeof caseEvents.$inferInsert)[];
  deadlines: (typeof caseDeadlines.$inferInsert)[];
  stays: StayRow[];
  refused: RefusedRow[];
};

type Step = { event: PathwayEvent; from: string[]; to: string[] };

/** Generates one slot's case and the rows it writes. */
export async function generateRows(seed: number, slot: number, w: CohortWindow): Promise<{ generated: GeneratedCase; rows: CaseRows }> {
  const caseId = slotUuid('case', seed, slot);
  const steps: Step[] = [];
  const stays: StayRow[] = [];
  const refused: RefusedRow[] = [];
  let ties: Ties = {};
  const generated = generateCase(seed, slot, w, {
    step: (event, from, next) => {
      steps.push({ event, from, to: statePaths(next.value) });
      applyStayChanges(stays, stayChanges(caseId, steps.length, event, from, next));
      ties = foldTies(ties, next.context, event, steps.length);
    },
    refused: (event, snapshot: PathwaySnapshot) => {
      const p = projectionsOf(snapshot);
      const row = refusedAttemptRow(
        { id: caseId, version: steps.length, statePaths: p.statePaths, area: p.area, quadrant: p.quadrant },
        event,
        explainRefusal(snapshot, event),
      );
      if (row) refused.push(row);
    },
  });
  const out: CaseRows = { person: null, kase: {} as CaseRows['kase'], events: [], deadlines: [], stays, refused };
  let stateEnteredAt = '';
  for (const [i, s] of steps.entries()) {
    out.events.push(eventRow(caseId, i + 1, s.event, s.from, s.to, undefined));
    if (i === 0 || !sameStates(s.to, s.from)) stateEnteredAt = s.event.at;
  }
  const final = generated.snapshot;
  out.deadlines.push(...deadlineRows(caseId, final));
  for (const d of out.deadlines) {
    // The sweeper marks a deadline fired when it sends `deadline.reached`; a deadline that moved since is new.
    const fired = generated.fired.get(`${d.name}|${d.ref ?? ''}|${(d.dueAt as Date).getTime()}`);
    d.firedAt = fired ? new Date(fired) : null;
  }
  const first = steps[0]?.event.at as string;
  const last = steps[steps.length - 1]?.event.at as string;
  const p = projectionsOf(final);
  out.kase = {
    ...p,
    id: caseId,
    reference: generated.reference,
    personId: generated.person.id,
    episode: generated.episode,
    snapshot: persist(final),
    version: steps.length,
    stateEnteredAt: new Date(stateEnteredAt),
    openedAt: new Date(first),
    updatedAt: new Date(last),
    closedAt: p.status === 'closed' ? new Date(last) : null,
    pathwayVersion: versionOf(final),
    ties,
    agencies: tiedAgencies(ties),
  };
  if (generated.episode === 1) {
    const { id, dateOfBirth, area, givenName, familyName } = generated.person;
    out.person = { id, dateOfBirth, area, givenName, familyName, nhsNumber: null, synthetic: 'synthetic' };
  }
  return { generated, rows: out };
}

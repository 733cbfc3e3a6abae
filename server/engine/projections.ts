/** The columns a case row keeps beside its snapshot, derived from the snapshot in the same transaction. */
import { type PathwaySnapshot, responsibleOf, statePaths } from '../../machines/snapshot.ts';

export const phaseOf = (paths: readonly string[]): string => {
  const first = paths[0] ?? 'new';
  return first.startsWith('active.') ? (first.split('.')[1] ?? 'active') : first;
};

export function projectionsOf(snapshot: PathwaySnapshot) {
  const ctx = snapshot.context;
  // Sorted: a snapshot restored from jsonb lists parallel regions in another order, and the same state must compare equal.
  const paths = statePaths(snapshot.value).sort();
  const closed = snapshot.status === 'done';
  return {
    statePaths: paths,
    phase: phaseOf(paths),
    status: closed ? ('closed' as const) : ('open' as const),
    leadAgencyId: ctx.lead?.agency.id ?? null,
    leadAgencyKind: ctx.lead?.agency.kind ?? null,
    coordinatorId: ctx.lead?.coordinator.id ?? null,
    coordinatorName: ctx.lead?.coordinator.name ?? null,
    responsibleAgencyId: closed ? null : (responsibleOf(snapshot)?.id ?? null),
    quadrant: ctx.quadrant,
    area: ctx.person?.area ?? null,
  };
}

export const sameStates = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((p, i) => p === b[i]);

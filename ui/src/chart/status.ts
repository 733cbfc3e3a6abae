import type { StateDefinition } from '../../../machines/definition.ts';

/** A state's target in days, as the pathway definition declares it. */
export const targetOf = (def: Pick<StateDefinition, 'targetDays'>): number | null => def.targetDays;

/** How a state's dwell compares with its target: a word for everyone, a colour as well. */
export type DwellStatus = 'within' | 'near' | 'over' | 'none' | 'empty';

export function dwellStatus(medianDays: number | null | undefined, targetDays: number | null): DwellStatus {
  if (targetDays === null || medianDays === null || medianDays === undefined) return 'none';
  if (medianDays > targetDays) return 'over';
  return medianDays > targetDays * 0.75 ? 'near' : 'within';
}

export const statusText: Record<DwellStatus, string> = {
  within: 'Within target',
  near: 'Near target',
  over: 'Over target',
  none: 'No target set',
  empty: 'No cases',
};

/**
 * A state now: over target if any case in it is; near if the longest wait is past three quarters of the target;
 * "No cases" where there are none, "No target set" only where neither it nor a state under it has a target.
 */
export function waitStatus(s: { open: number; overTarget: number | null; maxDays: number | null; targetDays: number | null }): DwellStatus {
  if (s.open === 0) return 'empty';
  if (s.overTarget === null) return 'none';
  if (s.overTarget > 0) return 'over';
  if (s.targetDays !== null && s.maxDays !== null && s.maxDays > s.targetDays * 0.75) return 'near';
  return 'within';
}

/** `awaitingAcceptance` → `Awaiting acceptance`. */
export const humanise = (key: string): string => {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** `active.jointCare.carePlan.agreed` → `Joint care › Care plan › Agreed`. */
export const stateLabel = (path: string): string =>
  path
    .split('.')
    .filter((p) => p !== 'active')
    .map(humanise)
    .join(' › ');

export const days = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : `${n} ${n === 1 ? 'day' : 'days'}`);

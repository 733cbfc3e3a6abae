/** Snapshots of the pathway: the pure transition the engine calls, restore, and replay. */
import { createActor, getInitialSnapshot, type SnapshotFrom, transition } from 'xstate';
import type { PathwayEvent } from './events.ts';
import { pathwayMachine } from './pathwayMachine.ts';

export type PathwaySnapshot = SnapshotFrom<typeof pathwayMachine>;
export type PersistedSnapshot = ReturnType<PathwaySnapshot['toJSON']> & Record<string, unknown>;

export const initialSnapshot = (): PathwaySnapshot => getInitialSnapshot(pathwayMachine);

/** Restores a persisted snapshot without starting an actor (ARCHITECTURE: never `resolveState`, which loses history). */
export const restore = (persisted: unknown): PathwaySnapshot =>
  createActor(pathwayMachine, { snapshot: persisted as PathwaySnapshot }).getSnapshot();

/** The machine's pure step; `changed` is false when the event was refused (the snapshot is returned as it was). */
export function step(snapshot: PathwaySnapshot, event: PathwayEvent): { next: PathwaySnapshot; changed: boolean } {
  if (snapshot.status !== 'active' || !snapshot.can(event)) return { next: snapshot, changed: false };
  const [next] = transition(pathwayMachine, snapshot, event);
  return { next, changed: true };
}

/** Rebuilds a case from its events; every event of a stored history must apply. */
export function replay(events: readonly PathwayEvent[]): PathwaySnapshot {
  let snapshot = initialSnapshot();
  for (const [i, event] of events.entries()) {
    const { next, changed } = step(snapshot, event);
    if (!changed) throw new Error(`replay: event ${i + 1} (${event.type}) is not allowed in ${JSON.stringify(snapshot.value)}`);
    snapshot = next;
  }
  return snapshot;
}

/**
 * The persisted form of a snapshot (plain JSON, as the database stores it). History entries are
 * sorted: XState records them in the order of its internal node list, which differs between a live
 * snapshot and a restored one, and the same case must always persist the same way.
 */
export function persist(snapshot: PathwaySnapshot): PersistedSnapshot {
  const persisted = JSON.parse(JSON.stringify(pathwayMachine.getPersistedSnapshot(snapshot))) as PersistedSnapshot & {
    historyValue?: Record<string, { id: string }[]>;
  };
  for (const entries of Object.values(persisted.historyValue ?? {})) entries.sort((a, b) => a.id.localeCompare(b.id));
  return persisted;
}

/** The current state as dotted paths of leaf states, e.g. `active.jointCare.carePlan.agreed`. */
export function statePaths(value: PathwaySnapshot['value']): string[] {
  if (typeof value === 'string') return [value];
  return Object.entries(value).flatMap(([k, v]) =>
    v === undefined ? [k] : statePaths(v as PathwaySnapshot['value']).map((p) => `${k}.${p}`),
  );
}

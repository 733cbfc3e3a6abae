/** Snapshots of the pathway: the pure transition the engine calls, restore, and replay — each on a case's own version. */
import { createActor, getInitialSnapshot, type SnapshotFrom, transition } from 'xstate';
import type { PathwayEvent } from './events.ts';
import { migratePersisted, migrationFrom } from './migrate.ts';
import type { StateValue } from './paths.ts';
import { statePaths as pathsOf } from './paths.ts';
import { currentVersion, type PathwayMachine, pathwayVersion, versionOfMachine } from './versions.ts';

export type PathwaySnapshot = SnapshotFrom<PathwayMachine>;
export type PersistedSnapshot = ReturnType<PathwaySnapshot['toJSON']> & Record<string, unknown>;

/** The history entry a migration leaves: not a machine event, but replay must pass through it. */
export type MigratedEvent = { type: 'pathway.migrated'; from: number; to: number; reason: string; at: string };
export type HistoryEvent = PathwayEvent | (MigratedEvent & { actor: PathwayEvent['actor'] });

export const initialSnapshot = (version: number = currentVersion): PathwaySnapshot => getInitialSnapshot(pathwayVersion(version).machine);

/** The pathway version a snapshot belongs to. */
export const versionOf = (snapshot: PathwaySnapshot): number => versionOfMachine(snapshot.machine);

/** The deadlines pending in a snapshot, as its own version reckons them. */
export const deadlinesOf = (snapshot: PathwaySnapshot) =>
  pathwayVersion(versionOf(snapshot)).pendingDeadlines(snapshot.context, snapshot.status === 'active');

/** The agency answerable for a case now, as its own version reckons it (projections and stays record this). */
export const responsibleOf = (snapshot: PathwaySnapshot) => pathwayVersion(versionOf(snapshot)).responsibleAgency(snapshot.context);

/** Restores a persisted snapshot on its version's machine, without starting an actor (never `resolveState`, which loses history). */
export const restore = (persisted: unknown, version: number): PathwaySnapshot =>
  createActor(pathwayVersion(version).machine, { snapshot: persisted as PathwaySnapshot }).getSnapshot();

/** The machine's pure step; `changed` is false when the event was refused (the snapshot is returned as it was). */
export function step(snapshot: PathwaySnapshot, event: PathwayEvent): { next: PathwaySnapshot; changed: boolean } {
  if (snapshot.status !== 'active' || !snapshot.can(event)) return { next: snapshot, changed: false };
  const [next] = transition(snapshot.machine, snapshot, event);
  return { next, changed: true };
}

/** A snapshot moved one version on by its migration; throws when it cannot move (a stored migration always could). */
export function migrated(snapshot: PathwaySnapshot, to: number): PathwaySnapshot {
  const from = versionOf(snapshot);
  const m = migrationFrom(from);
  if (!m || m.to !== to) throw new Error(`No migration from pathway version ${from} to ${to}`);
  const outcome = migratePersisted(persist(snapshot), m);
  if (!outcome.ok) throw new Error(`Migration to pathway version ${to}: ${outcome.reason}`);
  return restore(outcome.persisted, to);
}

/**
 * Rebuilds a case from its history, starting on the version its first event was judged by; every event must apply,
 * and a `pathway.migrated` entry moves the snapshot to the next version as the migration did.
 */
export function replay(events: readonly HistoryEvent[], version: number): PathwaySnapshot {
  let snapshot = initialSnapshot(version);
  for (const [i, event] of events.entries()) {
    if (event.type === 'pathway.migrated') {
      snapshot = migrated(snapshot, event.to);
      continue;
    }
    const { next, changed } = step(snapshot, event);
    if (!changed) {
      throw new Error(
        `replay: event ${i + 1} (${event.type}) is not allowed in ${JSON.stringify(snapshot.value)} (pathway version ${versionOf(snapshot)})`,
      );
    }
    snapshot = next;
  }
  return snapshot;
}

/** The version a history starts on: the `from` of its first migration, or the version the case is on now. */
export const startVersionOf = (events: readonly { type: string; from?: unknown }[], current: number): number => {
  const first = events.find((e) => e.type === 'pathway.migrated');
  return first ? Number(first.from) : current;
};

/**
 * The persisted form of a snapshot (plain JSON, as the database stores it). History entries are
 * sorted: XState records them in the order of its internal node list, which differs between a live
 * snapshot and a restored one, and the same case must always persist the same way.
 */
export function persist(snapshot: PathwaySnapshot): PersistedSnapshot {
  const persisted = JSON.parse(JSON.stringify(snapshot.machine.getPersistedSnapshot(snapshot))) as PersistedSnapshot & {
    historyValue?: Record<string, { id: string }[]>;
  };
  for (const entries of Object.values(persisted.historyValue ?? {})) entries.sort((a, b) => a.id.localeCompare(b.id));
  return persisted;
}

/** The current state as dotted paths of leaf states, e.g. `active.jointCare.carePlan.agreed`. */
export const statePaths = (value: PathwaySnapshot['value']): string[] => pathsOf(value as StateValue);

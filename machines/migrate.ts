/**
 * Migrations between pathway versions, as data (which leaf state goes where) plus code (how the facts change). Pure:
 * the engine's dry run and real run (server/engine/migrate.ts) and replay of a migrated history all use these.
 */
import type { PathwayContext } from './context.ts';
import { v1ToV2 } from './migrations/v1ToV2.ts';
import { type StateValue, statePaths, stateValueOf } from './paths.ts';
import { pathwayVersion } from './versions.ts';

export type Migration = {
  from: number;
  to: number;
  /** Leaf states (paths below the machine, as statePaths gives them) that move or have no place; others keep their path. */
  states: Readonly<Record<string, string | null>>;
  /** The facts as the new version keeps them, from the old ones. */
  context: (ctx: Record<string, unknown>) => PathwayContext;
  /** Why a case in this snapshot cannot move (beyond states with no place), or null. */
  blocks?: (ctx: Record<string, unknown>, paths: readonly string[]) => string | null;
};

export const migrations: readonly Migration[] = [v1ToV2];

export const migrationFrom = (from: number): Migration | undefined => migrations.find((m) => m.from === from);

/** The persisted form of a snapshot (as the database stores it). */
type Persisted = {
  status: string;
  value: StateValue;
  context: Record<string, unknown>;
  historyValue?: Record<string, { id: string }[]>;
} & Record<string, unknown>;

export type MigrationOutcome =
  | { ok: true; persisted: Persisted; from: readonly string[]; to: string[] }
  | { ok: false; reason: string; from: readonly string[] };

const machineId = 'pathway';
const fullId = (path: string) => `${machineId}.${path}`;

/**
 * One step of migration: a persisted snapshot of version `m.from` as version `m.to` would have it. Fails (nothing
 * produced) when the case is closed, a state has no place in the new version, or the migration's own check says so.
 */
export function migratePersisted(persisted: unknown, m: Migration): MigrationOutcome {
  const p = persisted as Persisted;
  const from = statePaths(p.value).sort();
  if (p.status !== 'active') return { ok: false, reason: 'The case is closed: closed cases keep the version they closed under', from };
  const target = pathwayVersion(m.to).machine;
  const exists = (path: string) => {
    try {
      target.getStateNodeById(fullId(path));
      return true;
    } catch {
      return false;
    }
  };
  const mapPath = (path: string): string | null => (path in m.states ? (m.states[path] ?? null) : path);
  const to: string[] = [];
  for (const path of from) {
    const mapped = mapPath(path);
    if (mapped === null || !exists(mapped)) {
      return { ok: false, reason: `The state ${path} has no place in pathway version ${m.to}`, from };
    }
    to.push(mapped);
  }
  const blocked = m.blocks?.(p.context, from) ?? null;
  if (blocked) return { ok: false, reason: blocked, from };
  // Remembered states (history) move with the states they remember.
  const historyValue: Record<string, { id: string }[]> = {};
  for (const [historyId, entries] of Object.entries(p.historyValue ?? {})) {
    const historyPath = historyId.slice(machineId.length + 1);
    const mappedHistory = mapPath(historyPath);
    if (mappedHistory === null || !exists(mappedHistory)) continue;
    const mapped = entries.map((e) => mapPath(e.id.slice(machineId.length + 1)));
    if (mapped.some((e) => e === null || !exists(e))) continue;
    historyValue[fullId(mappedHistory)] = (mapped as string[]).map((e) => ({ id: fullId(e) })).sort((a, b) => a.id.localeCompare(b.id));
  }
  return {
    ok: true,
    persisted: { ...p, value: stateValueOf(to), context: m.context(p.context) as unknown as Record<string, unknown>, historyValue },
    from,
    to: to.sort(),
  };
}

/** Every step from one version to a later one, or the first version with no way on. */
export function migrationPath(from: number, to: number): Migration[] | { missing: number } {
  const path: Migration[] = [];
  for (let v = from; v < to; ) {
    const m = migrationFrom(v);
    if (!m) return { missing: v };
    path.push(m);
    v = m.to;
  }
  return path;
}

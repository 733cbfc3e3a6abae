/** "What can I do now, and why not": the guards of the statechart, read back with their rules. */
import type { AnyMachineSnapshot } from 'xstate';
import { catalogBlocker } from './catalogBlocker.ts';
import type { Actor, EventType, PathwayEvent } from './events.ts';
import { type GuardName, type GuardSpec, guardMessage } from './guards.ts';
import { type Blocker, blocker } from './rules.ts';
import { type PathwaySnapshot, versionOf } from './snapshot.ts';
import { pathwayVersion } from './versions.ts';

type TransitionLike = { guard?: unknown };

/** The named guards inside a transition's guard (a name, or `and([...names])`). */
function namesIn(guard: TransitionLike['guard']): GuardName[] {
  if (!guard) return [];
  if (typeof guard === 'string') return [guard as GuardName];
  const nested = (guard as { guards?: TransitionLike['guard'][] }).guards;
  if (nested) return nested.flatMap(namesIn);
  const type = (guard as { type?: string }).type;
  return type ? [type as GuardName] : [];
}

/** Transitions belong to the machine and never change: their guard names are read once. */
const guardNamesOf = new WeakMap<TransitionLike, GuardName[]>();
export function guardNames(t: TransitionLike): GuardName[] {
  const known = guardNamesOf.get(t);
  if (known) return known;
  const names = namesIn(t.guard);
  guardNamesOf.set(t, names);
  return names;
}

/** The guards of the snapshot's own pathway version. */
const guardsOf = (snapshot: PathwaySnapshot): Readonly<Record<GuardName, GuardSpec>> =>
  pathwayVersion(versionOf(snapshot)).guards as Record<GuardName, GuardSpec>;

type ActiveNode = { transitions: Map<string, TransitionLike[]> };

/** The active state nodes, deepest first. `_nodes` is XState's list of them; the public API has no other way to reach them. */
const activeNodes = (snapshot: AnyMachineSnapshot): ActiveNode[] => [...(snapshot as unknown as { _nodes: ActiveNode[] })._nodes].reverse();

/** The transitions the machine would consider for an event, deepest active state first. */
const candidates = (nodes: ActiveNode[], type: EventType): TransitionLike[] => nodes.flatMap((n) => n.transitions.get(type) ?? []);

/**
 * The blockers for an event: for each transition whose route guards pass, the rule guards that fail.
 * With `payload: false` guards that read the event's own fields are not judged (nothing to judge).
 */
function evaluate(snapshot: PathwaySnapshot, event: PathwayEvent, payload: boolean, nodes = activeNodes(snapshot)): Blocker[] {
  if (snapshot.status === 'done') return [blocker('R-CLOSE-FINAL', 'The case is closed: a new referral opens a new episode')];
  const found = candidates(nodes, event.type);
  if (found.length === 0) return [catalogBlocker(event.type)];
  const guards = guardsOf(snapshot);
  const failures = new Map<GuardName, Blocker>();
  for (const t of found) {
    const names = guardNames(t).filter((n) => payload || guards[n].needs !== 'payload');
    const routes = names.filter((n) => 'route' in guards[n]);
    if (!routes.every((n) => guards[n].test(snapshot.context, event))) continue;
    const failed = names.filter((n) => !('route' in guards[n]) && !guards[n].test(snapshot.context, event));
    if (failed.length === 0) return [];
    for (const n of failed) failures.set(n, blocker(guards[n].rule, guardMessage(guards[n], snapshot.context, event), n));
  }
  return [...failures.values()];
}

/** The rules that block one concrete event now; empty when the machine would take it. */
export function explainRefusal(snapshot: PathwaySnapshot, event: PathwayEvent): Blocker[] {
  const blockers = evaluate(snapshot, event, true);
  // The machine is the judge: if it would take the event, nothing blocks it.
  if (blockers.length > 0 || snapshot.can(event)) return blockers;
  return [catalogBlocker(event.type)];
}

export type NextEvent =
  | { type: EventType; allowed: true; conditions: Blocker[] }
  | { type: EventType; allowed: false; blockedBy: Blocker[] };

/**
 * Every event type of the pathway for one actor: allowed (with the rules its details must still meet)
 * or blocked (with the rules that block it whatever details are given).
 */
export function nextEvents(snapshot: PathwaySnapshot, actor: Actor, at = new Date(0).toISOString()): NextEvent[] {
  const nodes = activeNodes(snapshot);
  const { eventTypes } = pathwayVersion(versionOf(snapshot));
  const guards = guardsOf(snapshot);
  return eventTypes.map((type) => {
    const probe = { type, actor, at } as PathwayEvent;
    const blockedBy = evaluate(snapshot, probe, false, nodes);
    if (blockedBy.length > 0) return { type, allowed: false, blockedBy };
    const conditions = new Map<string, Blocker>();
    for (const t of candidates(nodes, type)) {
      for (const n of guardNames(t)) {
        const spec = guards[n];
        if (spec.needs === 'payload' && !('route' in spec) && typeof spec.message === 'string') {
          conditions.set(n, blocker(spec.rule, spec.message, n));
        }
      }
    }
    return { type, allowed: true, conditions: [...conditions.values()] };
  });
}

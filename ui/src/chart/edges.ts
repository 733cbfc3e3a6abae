/** The drawn transitions of the statechart, and which drawn edge a move between two leaf states belongs to. */
import type { PathwayDefinition } from '../../../machines/definition.ts';
import type { EventType } from '../../../machines/events.ts';

export type ChartEdge = { id: string; source: string; target: string; events: EventType[] };

/** One edge per source → target pair, listing the events that take it; self-loops and machine-level events are left out. */
export function chartEdges(def: PathwayDefinition): ChartEdge[] {
  const byId = new Map<string, ChartEdge>();
  for (const t of def.transitions) {
    if (!t.source) continue;
    for (const target of t.targets) {
      if (target === t.source) continue;
      const id = `${t.source}->${target}`;
      const edge = byId.get(id) ?? { id, source: t.source, target, events: [] };
      if (!edge.events.includes(t.event)) edge.events.push(t.event);
      byId.set(id, edge);
    }
  }
  return [...byId.values()];
}

const within = (leaf: string, state: string) => leaf === state || leaf.startsWith(`${state}.`);
/** A history pseudo-state stands for any state of its parent. */
const targetCovers = (target: string, leaf: string) =>
  within(leaf, target.endsWith('.history') ? target.slice(0, -'.history'.length) : target);

/** The most specific drawn edge from a leaf state to a leaf state, if any. */
export function matchEdge(edges: readonly ChartEdge[], from: string, to: string): ChartEdge | undefined {
  let best: ChartEdge | undefined;
  let score = -1;
  for (const e of edges) {
    if (!within(from, e.source) || !targetCovers(e.target, to)) continue;
    const s = e.source.length * 1000 + e.target.length;
    if (s > score) {
      best = e;
      score = s;
    }
  }
  return best;
}

/** The moves of one event between leaf states: each newly entered leaf, from a leaf that was left (or stayed). */
export function movesOf(fromState: readonly string[], toState: readonly string[]): [string, string][] {
  const left = fromState.filter((s) => !toState.includes(s));
  const entered = toState.filter((s) => !fromState.includes(s));
  const sources = left.length > 0 ? left : fromState;
  return entered.map((to) => {
    // Prefer a source in the same top-level region as the target (a parallel region's own move).
    const region = to.split('.').slice(0, 3).join('.');
    return [sources.find((s) => s.startsWith(region)) ?? sources[0] ?? 'new', to];
  });
}

/** Every ancestor of the given leaf states, and the leaves themselves. */
export function withAncestors(leaves: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const leaf of leaves) {
    const parts = leaf.split('.');
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('.'));
  }
  return out;
}

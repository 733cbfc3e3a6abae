/** A case's history replayed with the real machine in the browser, and its path as chart overlays. */
import type { PathwayEvent } from '../../../machines/events.ts';
import { type HistoryEvent, type PathwaySnapshot, replay, startVersionOf, statePaths } from '../../../machines/snapshot.ts';
import type { EventRow } from '../api/types.ts';
import { type ChartEdge, matchEdge, movesOf, withAncestors } from '../chart/edges.ts';
import type { EdgeOverlay } from '../chart/PathwayChart.tsx';
import type { StateOverlay } from '../chart/StateNode.tsx';

/** An event as the machine received it: the body, the engine's stamp. */
export const asPathwayEvent = (e: EventRow): PathwayEvent => ({ type: e.type, ...e.payload, at: e.at, actor: e.actor }) as PathwayEvent;

/**
 * The snapshot after the first `upTo` events, replayed on the version the history began on (through any migration);
 * null when the stored history does not replay.
 */
export function snapshotAt(events: EventRow[], upTo: number, caseVersion: number): PathwaySnapshot | null {
  try {
    const history = events.map((e) => asPathwayEvent(e) as HistoryEvent);
    return replay(history.slice(0, upTo), startVersionOf(history, caseVersion));
  } catch {
    return null;
  }
}

/** Current states highlighted, visited states and taken transitions numbered by step. */
export function pathOverlays(events: EventRow[], upTo: number, current: string[], edges: ChartEdge[]) {
  const states: Record<string, StateOverlay> = {};
  const edgeSteps = new Map<string, number[]>();
  const mark = (id: string, step: number) => {
    const o = states[id] ?? {};
    o.visits = [...(o.visits ?? []), step].filter((v, i, a) => a.indexOf(v) === i);
    states[id] = o;
  };
  events.slice(0, upTo).forEach((e, i) => {
    const step = i + 1;
    for (const s of withAncestors(e.toState.filter((t) => !e.fromState.includes(t)))) mark(s, step);
    for (const [from, to] of movesOf(e.fromState, e.toState)) {
      const edge = matchEdge(edges, from, to);
      if (edge) edgeSteps.set(edge.id, [...(edgeSteps.get(edge.id) ?? []), step]);
    }
  });
  for (const s of withAncestors(current)) states[s] = { ...states[s], current: true };
  const edgeOverlay: Record<string, EdgeOverlay> = {};
  for (const [id, steps] of edgeSteps) edgeOverlay[id] = { label: `Step ${steps.join(', ')}`, highlight: true };
  for (const e of edges) edgeOverlay[e.id] ??= { label: '' };
  return { states, edges: edgeOverlay };
}

export const leafStates = (s: PathwaySnapshot | null): string[] => (s ? (s.status === 'done' ? ['closed'] : statePaths(s.value)) : []);

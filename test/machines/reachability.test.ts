/**
 * Every state node of the pathway can be reached from a new case with real, valid, stamped events.
 *
 * The list of state nodes comes from the machine itself, so a state added later that no path reaches fails here.
 * The traversal (xstate/graph) offers, in each snapshot, the plausible next steps built from its context (referral
 * to each agency kind and route, the receiver answering, assessments for each quadrant, the lead acting, step-up and
 * step-down, handovers, disputes, closure), stamped as the engine stamps them. Snapshots are told apart by state
 * value, history and the context fields that decide which of those steps apply, so the traversal terminates.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { getAdjacencyMap, getShortestPaths, type StatePath } from 'xstate/graph';
import {
  currentVersion,
  type EventType,
  type PathwayEvent,
  type PathwaySnapshot,
  pathwayMachine,
  pendingInvolvements,
  replay,
  statePaths,
} from '../../machines/index.ts';
import { activeStateIds, configurationKey, plausibleMoves, stateConfigurations, stateNodeIds } from '../support/arbitraries.ts';
import { stamp } from '../support/pathwayFactory.ts';

const AT = '2026-01-05T09:00:00.000Z';

/** The events the traversal offers: the journey itself, without side business that leaves the state as it is. */
const graphEventTypes = new Set<EventType>([
  'referral.make',
  'referral.accept',
  'referral.decline',
  'referral.redirect',
  'assessment.record',
  'lead.assign',
  'lead.propose',
  'lead.accept',
  'lead.decline',
  'careplan.agree',
  'careplan.review',
  'detox.plan',
  'detox.start',
  'detox.complete',
  'assessment.review',
  'handover.request',
  'handover.accept',
  'handover.decline',
  'handover.withdraw',
  'lead.retain',
  'dispute.raise',
  'dispute.escalate',
  'dispute.propose',
  'dispute.confirm',
  'case.close',
]);

const stamped = new Map<string, PathwayEvent>();
/** Valid events for this snapshot, stamped once each (every event of the traversal carries the same time). */
function eventsFor(snapshot: PathwaySnapshot): PathwayEvent[] {
  return plausibleMoves(snapshot, { sideBusiness: false })
    .filter((m) => graphEventTypes.has(m.body.type))
    .map((m) => {
      const key = JSON.stringify([m.body, m.actor]);
      let event = stamped.get(key);
      if (!event) {
        event = stamp(m.body, m.actor, AT);
        stamped.set(key, event);
      }
      return event;
    });
}

const kindOf = (a: { kind: string; service?: string } | undefined) => a && `${a.kind}/${a.service ?? ''}`;

/** State value, history, and the context fields the offered events depend on. */
function serializeState(snapshot: PathwaySnapshot): string {
  const c = snapshot.context;
  const history = Object.fromEntries(Object.entries(snapshot.historyValue).map(([id, nodes]) => [id, nodes.map((n) => n.id).sort()]));
  return JSON.stringify([
    snapshot.status,
    snapshot.value,
    history,
    c.lead ? null : c.referral?.to.id,
    c.referral?.status,
    c.quadrant,
    kindOf(c.lead?.agency),
    c.leadProposal?.to.id,
    kindOf(c.handover?.to),
    c.stepChange?.to,
    c.dispute?.level,
    c.dispute?.hadLead,
    c.dispute?.proposal && [c.dispute.proposal.lead?.id ?? null, c.dispute.proposal.awaiting.map((a) => a.id)],
    !!c.detox?.planAgreedAt,
  ]);
}

/** Event types the traversal actually applied somewhere (the event set is not dead weight). */
const appliedTypes = new Set<string>();
const traversal = {
  events: eventsFor,
  serializeState,
  /** Only events the engine would apply: a refused event is no edge. */
  filterEvents: (snapshot: PathwaySnapshot, event: PathwayEvent) => {
    const ok = snapshot.status === 'active' && snapshot.can(event);
    if (ok) appliedTypes.add(event.type);
    return ok;
  },
  limit: 100_000,
};

type Path = StatePath<PathwaySnapshot, PathwayEvent>;

/** The events of a path: its steps after the first, which stands for the initial snapshot (`xstate.init`). */
const eventsOf = (path: Path): PathwayEvent[] => path.steps.slice(1).map((s) => s.event);

describe('reachability of the pathway statechart', () => {
  const ids = stateNodeIds();
  let paths: Path[] = [];
  /** The shortest path to each state node. */
  const shortestTo = new Map<string, Path>();

  beforeAll(() => {
    paths = getShortestPaths(pathwayMachine, traversal);
    for (const path of [...paths].sort((a, b) => a.weight - b.weight)) {
      for (const id of activeStateIds(path.state)) if (!shortestTo.has(id)) shortestTo.set(id, path);
    }
  });

  it('derives the state nodes from the machine (history pseudo-states excluded)', () => {
    expect(ids).toContain('new');
    expect(ids).toContain('closed');
    expect(ids).toContain('active.jointCare.detox.underway');
    expect(ids.some((id) => id.endsWith('.history'))).toBe(false);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reaches every state node from the initial state', () => {
    expect(ids.filter((id) => !shortestTo.has(id))).toEqual([]);
  });

  it('reaches every configuration of the chart (each combination of parallel regions)', () => {
    const reached = new Set(paths.map((p) => configurationKey(statePaths(p.state.value))));
    expect(stateConfigurations().filter((c) => !reached.has(c))).toEqual([]);
  });

  it('applies every event type of the traversal somewhere', () => {
    expect([...graphEventTypes].filter((t) => !appliedTypes.has(t))).toEqual([]);
  });

  it.each(ids)('the shortest path to %s replays to the state it claims', (id) => {
    const path = shortestTo.get(id);
    expect(path, `no path reaches ${id}`).toBeDefined();
    if (!path) return;
    const snapshot = replay(eventsOf(path), currentVersion);
    expect(activeStateIds(snapshot)).toContain(id);
    expect(snapshot.value).toEqual(path.state.value);
    expect(serializeState(snapshot)).toBe(serializeState(path.state));
  });

  it('every shortest path found replays with replay() to the state it claims', () => {
    expect(paths.length).toBeGreaterThan(ids.length);
    const wrong = paths.filter((path) => {
      const snapshot = replay(eventsOf(path), currentVersion);
      return serializeState(snapshot) !== serializeState(path.state) || JSON.stringify(snapshot.value) !== JSON.stringify(path.state.value);
    });
    expect(wrong.map((p) => eventsOf(p).map((e) => e.type))).toEqual([]);
  }, 120_000); // version 2's larger graph replays in about 25 s on two busy cores

  it('[T-REACH-01] R-CLOSE-ACCEPTED: no edge of the traversal closes a case while a referral, lead proposal, handover or involvement awaits acceptance', () => {
    const adjacency = getAdjacencyMap(pathwayMachine, traversal);
    const closings: string[] = [];
    for (const { state, transitions } of Object.values(adjacency)) {
      if (state.status === 'done') expect(Object.keys(transitions)).toEqual([]);
      const edges: { event: PathwayEvent; state: PathwaySnapshot }[] = Object.values(transitions);
      for (const { event, state: next } of edges) {
        if (next.status !== 'done') continue;
        closings.push(event.type);
        const c = state.context;
        expect(c.referral?.status === 'awaiting' && event.type !== 'referral.decline').toBe(false);
        expect([c.leadProposal, c.handover, ...pendingInvolvements(c)]).toEqual([null, null]);
      }
    }
    expect(new Set(closings)).toEqual(new Set(['referral.make', 'referral.decline', 'case.close']));
  });
});

/**
 * The headline guarantee on every path of the statechart up to a depth (R-LEAD-ACCEPTED, R-CLOSE-GAPLESS).
 *
 * A breadth-first walk over the machine's own `transition()` (through `step()`), from a new case. In each snapshot it
 * sends, stamped as the engine stamps them:
 * - every plausible next step built from the context (test/support/arbitraries.ts `plausibleMoves`, side business
 *   included), and each spoilt one way (`spoilsOf`: forbidden reasons, missing content, another agency named…);
 * - each of those steps sent by every other actor in reach: practitioner and service manager of every agency in the case
 *   and of one outsider, a clinical director,
 *   a commissioner, an auditor and the engine;
 * - generated bodies of every event type of the current version (`bodyArbitraries`), from the responsible service and
 *   from the outsider, so no event type is left out.
 * A refused event is no edge. The properties are folds with a small memory (test/support/guarantee.ts), so a snapshot
 * reached with the same memory by two paths is judged alike from there on: the walk expands each (snapshot, memory)
 * once per depth and counts the paths through it, which checks every path up to the depth.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Actor,
  type AgencyRef,
  currentVersion,
  type EventBody,
  initialSnapshot,
  type PathwayEvent,
  type PathwaySnapshot,
  pathwayVersion,
  persist,
  responsibleAgency,
  step,
} from '../../machines/index.ts';
import { actorFor, allAgencies, bodyArbitraries, plausibleMoves, spoilsOf } from '../support/arbitraries.ts';
import {
  type Counterexample,
  checkHistory,
  describeCounterexample,
  emptyMemory,
  type GuaranteeMemory,
  historyOf,
  memoryKey,
  observe,
} from '../support/guarantee.ts';
import { agencies, stamp, systemActor } from '../support/pathwayFactory.ts';

/** The depth of the walk: every path of up to this many events, every event type, snapshots told apart whole. */
const EXACT_DEPTH = 3;
const AT = '2026-01-05T09:00:00.000Z';
const eventTypes = pathwayVersion(currentVersion).eventTypes;

const stamped = new Map<string, PathwayEvent>();
/** Each body and actor stamped once (every event of the walk carries the same time). */
function stampOnce(body: EventBody, actor: Actor): PathwayEvent {
  const key = JSON.stringify([body, actor]);
  let event = stamped.get(key);
  if (!event) {
    event = stamp(body, actor, AT);
    stamped.set(key, event);
  }
  return event;
}

/** Bodies of every event type, generated once: one per type, from a fixed seed. */
const noise: EventBody[] = eventTypes.flatMap((type) => {
  const arb = bodyArbitraries[type] as fc.Arbitrary<EventBody> | undefined;
  return arb ? fc.sample(arb, { numRuns: 1, seed: 13 }) : [];
});

/** The agencies a snapshot involves, and one it does not. */
function agenciesInReach(snapshot: PathwaySnapshot): AgencyRef[] {
  const c = snapshot.context;
  const inCase = [
    c.referral?.to,
    c.lead?.agency,
    c.leadProposal?.to,
    c.handover?.to,
    c.dispute?.raisedBy,
    c.dispute?.proposedLead,
    ...c.involvements.map((i) => i.agency),
  ].filter((a): a is AgencyRef => !!a);
  const outsider = allAgencies.find((a) => !inCase.some((b) => b.id === a.id)) ?? agencies.asc;
  return [...new Map([...inCase, outsider].map((a) => [a.id, a])).values()];
}

/** Everyone in reach: practitioner and service manager of each agency in reach; a clinical director, commissioner and auditor; the engine. */
function actorsInReach(snapshot: PathwaySnapshot): Actor[] {
  const reach = agenciesInReach(snapshot);
  const first = reach[0] ?? agencies.gp;
  return [
    ...reach.flatMap((a) => [actorFor(a, 'practitioner'), actorFor(a, 'serviceManager')]),
    ...(['clinicalDirector', 'commissioner', 'auditor'] as const).map((r) => actorFor(first, r)),
    systemActor,
  ];
}

/** Every event the walk sends in a snapshot: valid, spoilt, by every actor in reach, and every event type. */
function eventsAt(snapshot: PathwaySnapshot): PathwayEvent[] {
  const out: PathwayEvent[] = [];
  const actors = actorsInReach(snapshot);
  const outsider = agenciesInReach(snapshot).at(-1) ?? agencies.asc;
  for (const move of plausibleMoves(snapshot)) {
    const body = move.body;
    for (const actor of [move.actor, ...actors]) out.push(stampOnce(body, actor));
    const spoilt = spoilsOf(move, {
      actor: actorFor(outsider),
      role: 'commissioner',
      reason: 'substanceUse',
      score: 99,
      age: 15,
      agency: outsider,
    });
    for (const b of spoilt.bodies) out.push(stampOnce(b, move.actor));
  }
  const resp = responsibleAgency(snapshot.context);
  for (const body of noise) {
    if (resp) out.push(stampOnce(body, actorFor(resp)));
    out.push(stampOnce(body, actorFor(outsider)));
  }
  return out;
}

type Node = {
  snapshot: PathwaySnapshot;
  memory: GuaranteeMemory;
  /** Paths from the new case that end here at this depth. */
  paths: number;
  /** One path here, for the report. */
  via: { parent: Node; event: PathwayEvent } | null;
};

const pathTo = (node: Node): PathwayEvent[] => {
  const events: PathwayEvent[] = [];
  for (let n: Node | null = node; n?.via; n = n.via.parent) events.unshift(n.via.event);
  return events;
};

type Walk = {
  depth: number;
  /** What tells two snapshots apart; with the memory, nodes of one key are expanded once per depth. */
  key: (snapshot: PathwaySnapshot) => string;
  events: (snapshot: PathwaySnapshot) => PathwayEvent[];
};

/** Breadth-first, depth by depth: each edge judged by the properties, paths counted through each node. */
function walk({ depth: maxDepth, key, events }: Walk) {
  const started = Date.now();
  let frontier = new Map<string, Node>([['', { snapshot: initialSnapshot(), memory: emptyMemory, paths: 1, via: null }]]);
  const stats = { paths: 0, nodes: 0, sent: 0, edges: 0, typesSent: new Set<string>(), typesApplied: new Set<string>(), seconds: 0 };
  /** The first path found for each kind of counterexample (rule, clause, event, reason without agency names). */
  const found = new Map<string, { counterexample: Counterexample; path: PathwayEvent[] }>();
  for (let depth = 1; depth <= maxDepth; depth++) {
    const next = new Map<string, Node>();
    for (const node of frontier.values()) {
      if (node.snapshot.status !== 'active') continue;
      for (const event of events(node.snapshot)) {
        stats.sent++;
        stats.typesSent.add(event.type);
        const { next: after, changed } = step(node.snapshot, event);
        if (!changed) continue;
        stats.edges++;
        stats.typesApplied.add(event.type);
        const judged = observe(node.memory, { seq: depth, event, before: node.snapshot, after });
        for (const c of judged.counterexamples) {
          const kind = `${c.rule}|${c.clause ?? ''}|${c.event}|${c.why.replace(/[\w-]+ \((?:MHS|SMS|ASC|PRIMARY|IAPT|WRAPAROUND|CAMHS|OUT_OF_AREA)\)|(?:practitioner|serviceManager|clinicalDirector|commissioner|auditor|system) of [\w-]+|[a-z]+-[\w-]+/g, '…')}`;
          if (!found.has(kind)) found.set(kind, { counterexample: c, path: [...pathTo(node), event] });
        }
        const k = `${key(after)}|${memoryKey(judged.memory)}`;
        const child = next.get(k);
        if (child) child.paths += node.paths;
        else next.set(k, { snapshot: after, memory: judged.memory, paths: node.paths, via: { parent: node, event } });
      }
    }
    for (const n of next.values()) stats.paths += n.paths;
    stats.nodes += next.size;
    frontier = next;
  }
  stats.seconds = (Date.now() - started) / 1000;
  return { stats, found };
}

/** Each counterexample replays from its path to the same verdict; the report gives it in words with the path. */
function reportOf(found: ReturnType<typeof walk>['found']): string[] {
  return [...found.values()].map(({ counterexample, path }) => {
    const replayed = checkHistory(historyOf(path)).map(describeCounterexample);
    expect(replayed).toContain(describeCounterexample(counterexample));
    const events = path.map((e, i) => `    ${i + 1}. ${e.type} by ${e.actor.role} of ${e.actor.agencyId}`).join('\n');
    return `${describeCounterexample(counterexample)}\n${events}`;
  });
}

const n = (x: number) => x.toLocaleString('en-GB');

describe('the headline guarantee on every path of the statechart', () => {
  it(`[T-GUAR-04] R-LEAD-ACCEPTED and R-CLOSE-GAPLESS hold on every path of up to ${EXACT_DEPTH} events (valid and hostile events of every type, every actor in reach; snapshots told apart whole)`, () => {
    const { stats, found } = walk({ depth: EXACT_DEPTH, key: (s) => JSON.stringify(persist(s)), events: eventsAt });
    console.info(
      `[T-GUAR-04] depth ${EXACT_DEPTH}: ${n(stats.paths)} paths through ${n(stats.nodes)} nodes; ${n(stats.edges)} applied edges of ${n(stats.sent)} events sent; ${stats.typesApplied.size} of ${eventTypes.length} event types applied; ${found.size} kinds of counterexample; ${stats.seconds.toFixed(1)} s`,
    );
    // Every event type of the version was sent somewhere: the walk is blind to none of them.
    expect(eventTypes.filter((t) => !stats.typesSent.has(t))).toEqual([]);
    expect(stats.paths).toBeGreaterThan(stats.nodes);
    const report = reportOf(found);
    expect(report, `counterexamples, each with the first path found:\n${report.join('\n')}`).toEqual([]);
  }, 300_000);
});

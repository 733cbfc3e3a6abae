/**
 * Properties of the pathway machine over random event sequences (fast-check).
 *
 * A run is a list of choices, each turned into one stamped event against the snapshot it meets:
 * - `next`: a plausible next step built from the context (the receiving agency answering, the lead acting…);
 * - `nearMiss`: the same, spoilt one way (wrong actor or role, forbidden decline reason, missing content…);
 * - `noise`: any schema-valid body from any actor (every factory agency, every role, the engine).
 * Every event goes through `step()` as the engine sends it; the invariants are checked after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Actor,
  currentVersion,
  type EventBody,
  eventBodies,
  explainRefusal,
  initialSnapshot,
  type PathwayEvent,
  type PathwaySnapshot,
  pathwayVersion,
  pendingInvolvements,
  persist,
  replay,
  restore,
  roles,
  statePaths,
  step,
} from '../../machines/index.ts';
import {
  activeStateIds,
  actorArb,
  allActors,
  allAgencies,
  anyBodyArb,
  bodyArbitraries,
  configurationKey,
  type Move,
  pickMove,
  plausibleMoves,
  referralMoves,
  type Spoiler,
  spoil,
  spoilerArb,
  stateConfigurations,
  stateNodeIds,
  transitionEventTypes,
} from '../support/arbitraries.ts';
import { checkHistory, describeCounterexample, type HistoryStep } from '../support/guarantee.ts';
import { stamp } from '../support/pathwayFactory.ts';

type Choice =
  | { kind: 'next'; pick: number; minutes: number }
  | { kind: 'nearMiss'; pick: number; spoiler: Spoiler; minutes: number }
  | { kind: 'noise'; body: EventBody; actor: Actor; minutes: number };

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
/** Mostly hours to days between events; sometimes weeks, so follow-up deadlines fall due. */
const minutesArb = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 0, max: 3 * DAY_MINUTES }) },
  { weight: 1, arbitrary: fc.integer({ min: 14 * DAY_MINUTES, max: 120 * DAY_MINUTES }) },
);
const choiceArb: fc.Arbitrary<Choice> = fc.oneof(
  { weight: 14, arbitrary: fc.record({ kind: fc.constant('next' as const), pick: fc.nat(), minutes: minutesArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('nearMiss' as const), pick: fc.nat(), spoiler: spoilerArb, minutes: minutesArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('noise' as const), body: anyBodyArb, actor: actorArb, minutes: minutesArb }) },
);
const runArb = fc.record({
  choices: fc.array(choiceArb, { minLength: 1, maxLength: 40, size: 'max' }),
  restoreAt: fc.nat(),
});

const START = Date.parse('2026-01-05T09:00:00.000Z');

/** The event a choice stands for in this snapshot. */
function eventFor(snapshot: PathwaySnapshot, choice: Choice, at: string): PathwayEvent {
  if (choice.kind === 'noise') return stamp(choice.body, choice.actor, at);
  // A closed case meets the steps that would open it: a new referral (R-CLOSE-FINAL says no).
  const moves: Move[] = snapshot.status === 'active' ? plausibleMoves(snapshot) : referralMoves.map((m) => ({ ...m, weight: 1 }));
  const move = pickMove(moves, choice.pick);
  if (!move) throw new Error(`no plausible move in ${JSON.stringify(snapshot.value)}`);
  const chosen = choice.kind === 'nearMiss' ? spoil(move, choice.spoiler) : move;
  return stamp(chosen.body, chosen.actor, at);
}

const persisted = (s: PathwaySnapshot) => JSON.stringify(persist(s));

const inState = (s: PathwaySnapshot, path: string) => statePaths(s.value).some((p) => p === path || p.startsWith(`${path}.`));

/** What awaits acceptance in a snapshot, other than what the closing event itself answers. */
function awaitingAcceptance(s: PathwaySnapshot, closing: PathwayEvent): string[] {
  const c = s.context;
  return [
    c.referral?.status === 'awaiting' && closing.type !== 'referral.decline' ? 'referral' : null,
    c.leadProposal ? 'lead proposal' : null,
    c.handover ? 'handover' : null,
    ...pendingInvolvements(c).map((i) => `involvement ${i.id}`),
  ].filter((x): x is string => x !== null);
}

let stepsChecked = 0;
let eventsApplied = 0;

/** One line per event sent so far, for the failure message of a shrunk counterexample. */
const describeTrace = (trace: readonly { event: PathwayEvent; changed: boolean; value: unknown }[]): string =>
  trace
    .map(({ event, changed, value }, i) => {
      const { type, actor, at: _at, ...payload } = event;
      const outcome = changed ? `→ ${JSON.stringify(value)}` : 'refused';
      return `  ${i + 1}. ${type} by ${actor.role}@${actor.agencyId} ${JSON.stringify(payload)} ${outcome}`;
    })
    .join('\n');

function checkRun(choices: readonly Choice[], restoreAt: number): void {
  let snapshot = initialSnapshot();
  let now = START;
  let leadSeen = false;
  const applied: PathwayEvent[] = [];
  const trace: { event: PathwayEvent; changed: boolean; value: unknown }[] = [];
  const cut = restoreAt % (choices.length + 1);
  let restored: PathwaySnapshot | null = null;
  let appliedAtCut = 0;
  let persistedAtCut = '';
  /** Fails with the property broken and the events that broke it. */
  const check = (ok: boolean, what: () => string) => {
    if (!ok) throw new Error(`${what()}\nEvents (restored from persist() before event ${cut + 1}):\n${describeTrace(trace)}`);
  };

  for (const [i, choice] of choices.entries()) {
    if (i === cut) {
      restored = restore(persist(snapshot), currentVersion);
      appliedAtCut = applied.length;
      persistedAtCut = persisted(snapshot);
      check(persisted(restored) === persistedAtCut, () => 'restore(persist(s)) does not persist as s');
    }
    now += choice.minutes * MINUTE;
    const event = eventFor(snapshot, choice, new Date(now).toISOString());
    const before = snapshot;
    const { next, changed } = step(before, event);
    const blockers = explainRefusal(before, event);
    trace.push({ event, changed, value: next.value });
    stepsChecked++;

    // A refused event leaves the snapshot as it was and is explained; an applied one has nothing blocking it.
    if (changed) {
      check(blockers.length === 0, () => `${event.type} was applied but explainRefusal blames ${JSON.stringify(blockers)}`);
    } else {
      check(next === before, () => `refused ${event.type} changed the snapshot`);
      check(
        blockers.length > 0 && blockers.every((b) => b.message.trim().length > 0),
        () => `${event.type} refused in ${JSON.stringify(before.value)} without a reason: ${JSON.stringify(blockers)}`,
      );
    }

    // (4) A closed case accepts no event, and says so (R-CLOSE-FINAL).
    if (before.status === 'done') {
      check(!changed, () => `closed case accepted ${event.type}`);
      check(
        blockers.some((b) => b.rule === 'R-CLOSE-FINAL'),
        () => `refusal in a closed case does not name R-CLOSE-FINAL: ${JSON.stringify(blockers)}`,
      );
    }

    // (3) No transition into `closed` while anything awaits acceptance (R-CLOSE-ACCEPTED).
    if (changed && next.status === 'done') {
      const waiting = awaitingAcceptance(before, event);
      check(waiting.length === 0, () => `closed by ${event.type} while ${waiting.join(', ')} awaited acceptance`);
    }

    // (2) Who may become lead, and how, is the headline guarantee (R-LEAD-ACCEPTED): its own test below, for every event.

    // (1) Once a lead is assigned, an active case always has exactly one lead and a named coordinator (R-LEAD-ONE);
    // joint care, handover and a dispute over an existing lead always have one, the earlier states never.
    if (next.status === 'active') {
      const lead = next.context.lead;
      leadSeen ||= lead !== null;
      check(!leadSeen || (!!lead && lead.agency.id.trim() !== '' && lead.coordinator.name.trim() !== ''), () => {
        return `no lead with a named coordinator after ${event.type} in ${JSON.stringify(next.value)}: ${JSON.stringify(lead)}`;
      });
      const shouldLead =
        inState(next, 'active.jointCare') ||
        inState(next, 'active.handover') ||
        (inState(next, 'active.dispute') && !!next.context.dispute?.hadLead);
      check((lead !== null) === shouldLead, () => `lead ${lead ? 'present' : 'missing'} in ${JSON.stringify(next.value)}`);
    }

    // (5b) A restored snapshot answers every later event exactly as the original.
    if (restored) {
      const other = step(restored, event);
      check(other.changed === changed, () => `restored snapshot ${other.changed ? 'took' : 'refused'} ${event.type}`);
      const mine = persisted(next);
      const theirs = persisted(other.next);
      check(mine === theirs, () => `restored snapshot answered ${event.type} differently:\n  original ${mine}\n  restored ${theirs}`);
      restored = other.next;
    }

    if (changed) {
      applied.push(event);
      eventsApplied++;
    }
    snapshot = next;
  }

  // (5a) Replaying the applied events gives the same persisted snapshot, at the restore point and at the end.
  if (cut < choices.length) {
    check(
      persisted(replay(applied.slice(0, appliedAtCut), currentVersion)) === persistedAtCut,
      () => 'replay differs at the restore point',
    );
  }
  const replayed = persisted(replay(applied, currentVersion));
  const original = persisted(snapshot);
  check(replayed === original, () => `replay differs:\n  original ${original}\n  replayed ${replayed}`);
}

/** The history a run lives through: its applied events, each with the snapshots before and after (test/support/guarantee.ts). */
function historyOfRun(choices: readonly Choice[]): {
  history: HistoryStep[];
  trace: { event: PathwayEvent; changed: boolean; value: unknown }[];
} {
  let snapshot = initialSnapshot();
  let now = START;
  const history: HistoryStep[] = [];
  const trace: { event: PathwayEvent; changed: boolean; value: unknown }[] = [];
  for (const choice of choices) {
    now += choice.minutes * MINUTE;
    const event = eventFor(snapshot, choice, new Date(now).toISOString());
    const { next, changed } = step(snapshot, event);
    trace.push({ event, changed, value: next.value });
    if (changed) history.push({ seq: history.length + 1, event, before: snapshot, after: next });
    snapshot = next;
  }
  return { history, trace };
}

const GUARANTEE_RUNS = 10_000;
const versionEventTypes = pathwayVersion(currentVersion).eventTypes;

describe('pathway machine properties (random event sequences)', () => {
  it(`[T-GUAR-02] every event type of the current pathway version has a generator, and its bodies pass their zod schemas`, () => {
    // An event added to the machine without a generator here would never be sent by the property runs: it fails here.
    expect(versionEventTypes.filter((type) => !bodyArbitraries[type])).toEqual([]);
    for (const type of versionEventTypes) {
      const arb = bodyArbitraries[type];
      if (!arb) continue;
      fc.assert(
        fc.property(arb, (body) => {
          const { type: _t, ...rest } = body;
          expect(body.type).toBe(type);
          expect(eventBodies[type].safeParse(rest).success).toBe(true);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('[T-GUAR-06] hostile actors: every role of every agency, and the engine, can send any event', () => {
    const pairs = new Set(allActors.map((a) => `${a.agencyId}/${a.role}`));
    for (const agency of allAgencies)
      for (const role of roles.filter((r) => r !== 'system')) expect(pairs).toContain(`${agency.id}/${role}`);
    expect(allActors.some((a) => a.role === 'system')).toBe(true);
  });

  it('[T-PROP-01] R-LEAD-ONE, R-HANDOVER-ACCEPT, R-CLOSE-ACCEPTED, R-CLOSE-FINAL: one lead once assigned, closes only when nothing awaits acceptance, stays closed; replay and restore are exact', () => {
    fc.assert(
      fc.property(runArb, ({ choices, restoreAt }) => checkRun(choices, restoreAt)),
      { numRuns: 10_000 },
    );
    expect(stepsChecked).toBeGreaterThan(100_000);
    expect(eventsApplied).toBeGreaterThan(stepsChecked / 4);
  }, 300_000); // 10,000 runs take about 30 s on a quiet 2-core machine; the limit only guards against a hang.

  it(`[T-GUAR-01] R-LEAD-ACCEPTED and R-CLOSE-GAPLESS hold over ${GUARANTEE_RUNS.toLocaleString('en-GB')} random histories of valid and hostile events of every type`, () => {
    const sent = new Map<string, number>();
    const applied = new Map<string, number>();
    let histories = 0;
    fc.assert(
      fc.property(runArb, ({ choices }) => {
        const { history, trace } = historyOfRun(choices);
        histories++;
        for (const { event, changed } of trace) {
          sent.set(event.type, (sent.get(event.type) ?? 0) + 1);
          if (changed) applied.set(event.type, (applied.get(event.type) ?? 0) + 1);
        }
        const broken = checkHistory(history);
        if (broken.length > 0) {
          throw new Error(
            `${broken.map(describeCounterexample).join('\n')}\nEvents sent (seq counts the applied ones):\n${describeTrace(trace)}`,
          );
        }
      }),
      { numRuns: GUARANTEE_RUNS, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true },
    );
    const steps = [...sent.values()].reduce((a, b) => a + b, 0);
    const kept = [...applied.values()].reduce((a, b) => a + b, 0);
    console.info(
      `[T-GUAR-01] ${histories.toLocaleString('en-GB')} histories, ${steps.toLocaleString('en-GB')} events sent, ${kept.toLocaleString('en-GB')} applied, ${applied.size} of ${versionEventTypes.length} event types applied`,
    );
    // Every event type of the version was sent; the coverage test below asks that each was also applied somewhere.
    expect(versionEventTypes.filter((t) => !sent.has(t))).toEqual([]);
  }, 300_000);

  it('[T-GUAR-03] random runs reach every state node and every configuration of the chart, and apply every event type the current version takes', () => {
    const nodes = new Set<string>();
    const configurations = new Set<string>();
    const applied = new Set<string>();
    for (const { choices } of fc.sample(runArb, { numRuns: 3_000, seed: 20261130 })) {
      let snapshot = initialSnapshot();
      let now = START;
      for (const choice of choices) {
        now += choice.minutes * MINUTE;
        const event = eventFor(snapshot, choice, new Date(now).toISOString());
        const { next, changed } = step(snapshot, event);
        if (changed) applied.add(event.type);
        snapshot = next;
        for (const id of activeStateIds(snapshot)) nodes.add(id);
        configurations.add(configurationKey(statePaths(snapshot.value)));
      }
    }
    expect(stateNodeIds().filter((id) => !nodes.has(id))).toEqual([]);
    expect(stateConfigurations().filter((c) => !configurations.has(c))).toEqual([]);
    // Every event type a transition of the current version takes is applied somewhere; the others are only refused.
    const taken = transitionEventTypes(pathwayVersion(currentVersion).machine);
    expect(taken.filter((t) => !(versionEventTypes as readonly string[]).includes(t))).toEqual([]);
    expect(versionEventTypes.filter((t) => taken.includes(t) && !applied.has(t))).toEqual([]);
  }, 300_000);
});

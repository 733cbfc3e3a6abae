/** Pathway version 1 → 2: open cases move with their facts, and keep working under the second reading's rules. */
import { describe, expect, it } from 'vitest';
import {
  type Actor,
  type EventBody,
  initialSnapshot,
  migrated,
  type PathwaySnapshot,
  persist,
  replay,
  responsibility,
  statePaths,
  step,
  versionOf,
} from '../../machines/index.ts';
import { actorOf, agencies, bodies, body, clock, journeys, type Step, stamp } from '../support/pathwayFactory.ts';

/** Plays steps on a version's machine; every step must apply. */
function onVersion(version: number, steps: readonly Step[]) {
  const time = clock();
  let snapshot: PathwaySnapshot = initialSnapshot(version);
  const send = (b: EventBody, a: Actor) => {
    time.advanceDays(1);
    const { next, changed } = step(snapshot, stamp(b, a, time.now()));
    if (!changed) throw new Error(`${b.type} refused on version ${version}`);
    snapshot = next;
  };
  for (const [b, a] of steps) send(b, a);
  return {
    get snapshot() {
      return snapshot;
    },
    send,
    time,
  };
}

const sms = actorOf('sms');

describe('migration from pathway version 1 to 2', () => {
  it('moves a case in dispute with where it was raised, and the dispute then needs both sides', () => {
    const v1 = onVersion(1, [...journeys.stepUpRequired(), [bodies.raiseDispute(), sms]]);
    const moved = migrated(v1.snapshot, 2);
    expect(versionOf(moved)).toBe(2);
    expect(statePaths(moved.value)).toEqual(['active.dispute.serviceManagers']);
    expect(moved.context.dispute).toMatchObject({ from: 'handover', proposal: null });
    expect(moved.context).toMatchObject({ safeguardingDecisions: [], handoversAccepted: [], incidents: [], household: null });
    // Version 1 let one manager resolve; version 2 does not take dispute.resolve.
    expect(moved.can(stamp(bodies.resolveDispute(agencies.sms), actorOf('sms', 'serviceManager'), v1.time.now()))).toBe(false);
  });

  it('keeps the receiving service responsible for a version 1 referral whose sender was not recorded', () => {
    const v1 = onVersion(1, journeys.referredToSms());
    const moved = migrated(v1.snapshot, 2);
    expect(moved.context.referral?.from).toBeUndefined();
    expect(responsibility(moved).responsible).toEqual(agencies.sms);
  });

  it('holds a version 1 case with an undecided safeguarding concern until the decision is recorded', () => {
    const v1 = onVersion(1, [...journeys.smsLedQ3(), [bodies.safeguarding(), sms]]);
    const moved = migrated(v1.snapshot, 2);
    const close = stamp(body.close(), sms, v1.time.now());
    expect(moved.can(close)).toBe(false);
    const decided = step(moved, stamp(bodies.safeguardingDecision(), sms, v1.time.now()));
    expect(decided.changed).toBe(true);
    expect(decided.next.can(close)).toBe(true);
  });

  it('replays a history that migrated, through the migration entry', () => {
    const v1 = onVersion(1, journeys.smsLedQ3());
    const moved = migrated(v1.snapshot, 2);
    expect(persist(moved).context).toMatchObject({ lead: { agency: agencies.sms } });
    const events = [...journeys.smsLedQ3()].map(([b, a], i) =>
      stamp(b, a, new Date(Date.parse('2026-01-06T09:00:00.000Z') + i * 86_400_000).toISOString()),
    );
    const replayed = replay(
      [...events, { type: 'pathway.migrated', from: 1, to: 2, reason: 'second reading', at: '2026-02-01T00:00:00.000Z', actor: sms }],
      1,
    );
    expect(versionOf(replayed)).toBe(2);
    expect(replayed.context.lead?.agency).toEqual(agencies.sms);
  });
});

/**
 * Pathway versions side by side (docs/decisions/0010-pathway-versions.md): version 1 is frozen, each case is judged by
 * its own version, and a migration is pure data plus code that replay passes through.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  currentVersion,
  explainRefusal,
  type HistoryEvent,
  type Migration,
  migrated,
  migratePersisted,
  migrationPath,
  nextEvents,
  pathwayDefinition,
  pathwayVersion,
  pathwayVersions,
  persist,
  replay,
  restore,
  startVersionOf,
  statePaths,
  stateValueOf,
  versionOf,
} from '../../machines/index.ts';
import { canonicalSnapshot } from '../../server/engine/replayCase.ts';
import { releaseV1Cases } from '../support/releaseV1.ts';

const fixture = releaseV1Cases();

describe('the version registry', () => {
  it('numbers each version as its machine does, lists events that only grow, and releases in order', () => {
    expect(pathwayVersions.map((v) => v.version)).toEqual(pathwayVersions.map((_, i) => i + 1));
    for (const v of pathwayVersions) expect(Number(v.machine.version)).toBe(v.version);
    for (const [i, v] of pathwayVersions.entries()) {
      const before = pathwayVersions[i - 1];
      if (!before) continue;
      expect(v.released >= before.released).toBe(true);
      for (const type of before.eventTypes) expect(v.eventTypes).toContain(type);
    }
    expect(currentVersion).toBe(pathwayVersions.at(-1)?.version);
  });

  it('has a migration path from every earlier version to the current one', () => {
    for (const v of pathwayVersions.slice(0, -1)) {
      const path = migrationPath(v.version, currentVersion);
      expect(Array.isArray(path), `no way from version ${v.version}`).toBe(true);
    }
  });

  it('draws each version with its own guards, every guard named in a transition known to that version', () => {
    for (const v of pathwayVersions) {
      const def = pathwayDefinition(v.version);
      expect(def.version).toBe(v.version);
      for (const t of def.transitions)
        for (const g of t.guards) expect(v.guards[g.name], `${g.name} in version ${v.version}`).toBeDefined();
    }
  });
});

describe('version 1 is frozen', () => {
  it(`replays every history the release before versions wrote (${fixture.length} cases) to exactly the snapshot it stored`, () => {
    expect(fixture.length).toBeGreaterThan(20);
    for (const { row, events } of fixture) {
      const replayed = persist(replay(events, 1));
      expect(isDeepStrictEqual(canonicalSnapshot(replayed), canonicalSnapshot(row.snapshot)), `case ${row.reference}`).toBe(true);
    }
  });

  it('judges a version 1 snapshot with version 1: its next events are version 1 events', () => {
    const open = fixture.find(({ row }) => row.status === 'open');
    if (!open) throw new Error('the fixture has no open case');
    const snapshot = restore(open.row.snapshot, 1);
    expect(versionOf(snapshot)).toBe(1);
    const actor = { id: 'x', agencyId: 'cgl-west-kent', agencyKind: 'SMS' as const, role: 'practitioner' as const };
    expect(nextEvents(snapshot, actor).map((e) => e.type)).toEqual([...pathwayVersion(1).eventTypes]);
  });
});

describe('state values and paths', () => {
  it('stateValueOf inverts statePaths for every configuration the fixture reached', () => {
    for (const { row } of fixture) {
      const value = (row.snapshot as { value: Parameters<typeof statePaths>[0] }).value;
      expect(stateValueOf(statePaths(value))).toEqual(value);
    }
  });
});

describe('migrations', () => {
  const cases = fixture.filter(({ row }) => row.status === 'open');

  it('moves every open version 1 case to the current version: a snapshot the current machine restores and can judge', () => {
    for (const { row } of cases) {
      let snapshot = restore(row.snapshot, 1);
      for (let v = 1; v < currentVersion; v++) snapshot = migrated(snapshot, v + 1);
      expect(versionOf(snapshot)).toBe(currentVersion);
      expect(snapshot.status).toBe('active');
      const actor = { id: 'x', agencyId: 'cgl-west-kent', agencyKind: 'SMS' as const, role: 'practitioner' as const };
      expect(nextEvents(snapshot, actor).length).toBe(pathwayVersion(currentVersion).eventTypes.length);
    }
  });

  it('replays a migrated history through its pathway.migrated entry to the migrated snapshot', () => {
    for (const { row, events } of cases) {
      const marker: HistoryEvent = {
        type: 'pathway.migrated',
        from: 1,
        to: 2,
        reason: 'test',
        at: '2026-11-30T00:00:00.000Z',
        actor: { id: 'pathway-migration', agencyId: 'pathway-engine', agencyKind: 'OUT_OF_AREA', role: 'system' },
      };
      const history = [...events, marker];
      expect(startVersionOf(history, 2)).toBe(1);
      const replayed = replay(history, startVersionOf(history, 2));
      expect(versionOf(replayed)).toBe(2);
      expect(persist(replayed)).toEqual(persist(migrated(restore(row.snapshot, 1), 2)));
    }
  });

  it('refuses to move a closed case: it keeps the version it closed under', () => {
    const closed = fixture.find(({ row }) => row.status === 'closed');
    if (!closed) throw new Error('the fixture has no closed case');
    const [m] = migrationPath(1, 2) as Migration[];
    if (!m) throw new Error('no migration 1 → 2');
    expect(migratePersisted(closed.row.snapshot, m)).toMatchObject({ ok: false, reason: expect.stringMatching(/closed/) });
  });

  describe('as data: states moved, states with no place, remembered states, blocks', () => {
    const joint = cases.find(({ row }) => (row.state_paths as string[]).some((p) => p.startsWith('active.jointCare.carePlan.agreed')));
    if (!joint) throw new Error('the fixture has no case in joint care with an agreed plan');
    const base = { from: 1, to: 2, context: (c: Record<string, unknown>) => c as never };

    it('maps a leaf to another leaf of the new version, and the remembered states with it', () => {
      const m: Migration = { ...base, states: { 'active.jointCare.carePlan.agreed': 'active.jointCare.carePlan.unplanned' } };
      const out = migratePersisted(joint.row.snapshot, m);
      if (!out.ok) throw new Error(out.reason);
      expect(out.to).toContain('active.jointCare.carePlan.unplanned');
      expect(out.to).not.toContain('active.jointCare.carePlan.agreed');
      for (const entries of Object.values(out.persisted.historyValue ?? {})) {
        expect(entries.map((e) => e.id)).not.toContain('pathway.active.jointCare.carePlan.agreed');
      }
      const snapshot = restore(out.persisted, 2);
      expect(statePaths(snapshot.value).sort()).toEqual(out.to);
    });

    it('fails, naming the state, when a leaf has no place or maps to a state the new version lacks', () => {
      const none: Migration = { ...base, states: { 'active.jointCare.carePlan.agreed': null } };
      expect(migratePersisted(joint.row.snapshot, none)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/carePlan.agreed has no place/),
      });
      const missing: Migration = { ...base, states: { 'active.jointCare.carePlan.agreed': 'active.nowhere' } };
      expect(migratePersisted(joint.row.snapshot, missing)).toMatchObject({ ok: false, reason: expect.stringMatching(/no place/) });
    });

    it('fails with the migration’s own reason when it blocks a case', () => {
      const blocked: Migration = { ...base, states: {}, blocks: () => 'needs a clinician to look first' };
      expect(migratePersisted(joint.row.snapshot, blocked)).toEqual({
        ok: false,
        reason: 'needs a clinician to look first',
        from: [...(joint.row.state_paths as string[])].sort(),
      });
    });
  });

  it('explains a refusal on a migrated snapshot with the new version’s rules', () => {
    const open = cases[0];
    if (!open) throw new Error('no open case');
    const snapshot = migrated(restore(open.row.snapshot, 1), 2);
    const event = {
      type: 'referral.make',
      at: '2026-11-30T00:00:00.000Z',
      actor: { id: 'x', agencyId: 'cgl-west-kent', agencyKind: 'SMS', role: 'practitioner' },
    } as never;
    expect(explainRefusal(snapshot, event).length).toBeGreaterThan(0);
  });
});

/** The inspector UI's pure logic: SSE parsing, the chart's edges and layout, path overlays, generated event forms. */
import { describe, expect, it } from 'vitest';
import { pathwayDefinition } from '../../machines/definition.ts';
import { currentVersion } from '../../machines/versions.ts';
import { parseSse } from '../../ui/src/api/sse.ts';
import type { EventRow } from '../../ui/src/api/types.ts';
import { pathOverlays } from '../../ui/src/case/path.ts';
import { chartEdges, matchEdge, movesOf } from '../../ui/src/chart/edges.ts';
import { layoutChart } from '../../ui/src/chart/layout.ts';
import { dwellStatus, targetOf, waitStatus } from '../../ui/src/chart/status.ts';
import { initialRaw, type RawObject, schemaOf, toBody } from '../../ui/src/forms/schema.ts';
import { stateRows } from '../../ui/src/map/overlay.ts';

const def = pathwayDefinition();
const edges = chartEdges(def);

describe('parseSse', () => {
  it('should parse complete events and keep a partial one for later', () => {
    const { messages, rest } = parseSse('event: @xstate.snapshot\nid: 1\ndata: {"a":1}\n\n: keep-alive\n\nevent: x\ndata: par');
    expect(messages).toEqual([{ event: '@xstate.snapshot', id: '1', data: '{"a":1}' }]);
    expect(rest).toBe('event: x\ndata: par');
  });
});

describe('chart edges', () => {
  it('should draw each source → target once, without self-loops', () => {
    expect(new Set(edges.map((e) => e.id)).size).toBe(edges.length);
    expect(edges.every((e) => e.source !== e.target)).toBe(true);
  });

  it('should put a move between leaf states on the most specific drawn transition', () => {
    expect(matchEdge(edges, 'active.referral.awaitingAcceptance', 'active.assessment')?.source).toBe('active.referral.awaitingAcceptance');
    expect(matchEdge(edges, 'active.jointCare.carePlan.agreed', 'active.handover.awaitingAcceptance')?.source).toBe('active.jointCare');
    expect(movesOf(['active.assessment'], ['active.leadAssignment.deciding'])).toEqual([
      ['active.assessment', 'active.leadAssignment.deciding'],
    ]);
  });

  it('should lay every state out inside its parent', async () => {
    const layout = await layoutChart(def, currentVersion);
    expect(layout.states.map((s) => s.def.id).sort()).toEqual(def.states.map((s) => s.id).sort());
    const byId = new Map(layout.states.map((s) => [s.def.id, s]));
    for (const s of layout.states) {
      const parent = s.def.parent ? byId.get(s.def.parent) : undefined;
      if (!parent) continue;
      expect(s.x + s.width).toBeLessThanOrEqual(parent.width);
      expect(s.y + s.height).toBeLessThanOrEqual(parent.height);
    }
  });
});

describe('dwell against target', () => {
  it('should say within, near or over target, with the target the pathway definition declares', () => {
    const assessment = pathwayDefinition().states.find((s) => s.id === 'active.assessment');
    expect(assessment && targetOf(assessment)).toBe(28);
    expect([dwellStatus(10, 28), dwellStatus(25, 28), dwellStatus(30, 28), dwellStatus(5, null)]).toEqual([
      'within',
      'near',
      'over',
      'none',
    ]);
  });
});

describe('path overlays', () => {
  it('should number visited states and taken transitions, and mark the current state', () => {
    const row = (seq: number, from: string[], to: string[]): EventRow =>
      ({
        seq,
        type: 'referral.accept',
        payload: {},
        actor: { id: 'a', agencyId: 'x', agencyKind: 'SMS', role: 'practitioner' },
        fromState: from,
        toState: to,
        at: '',
      }) as EventRow;
    const events = [
      row(1, ['new'], ['active.referral.awaitingAcceptance']),
      row(2, ['active.referral.awaitingAcceptance'], ['active.assessment']),
    ];
    const o = pathOverlays(events, 2, ['active.assessment'], edges);
    expect(o.states['active.referral']?.visits).toEqual([1]);
    expect(o.states['active.assessment']).toMatchObject({ visits: [2], current: true });
    expect(o.edges['active.referral.awaitingAcceptance->active.assessment']).toEqual({ label: 'Step 2', highlight: true });
  });
});

describe('generated event forms', () => {
  it('should turn typed values into the body the schema takes', () => {
    const schema = schemaOf('referral.decline');
    const raw = {
      ...(initialRaw(schema, true) as RawObject),
      reason: 'substanceUse',
      explanation: '  drinking  ',
      recommendationToReferrer: '',
    };
    expect(toBody(schema, raw, [])).toEqual({ reason: 'substanceUse', explanation: 'drinking', writtenToPerson: false });
  });

  it('should fill an agency from the directory and split lists by line', () => {
    const schema = schemaOf('careplan.agree');
    const raw = {
      ...(initialRaw(schema, true) as RawObject),
      relapseIndicators: 'missed appointments\n\nreturn to use',
      roles: [{ agencyId: 'cgl', responsibility: 'lead' }],
    };
    const body = toBody(schema, raw, []) as Record<string, unknown>;
    expect(body.relapseIndicators).toEqual(['missed appointments', 'return to use']);
    expect(body.roles).toEqual([{ agencyId: 'cgl', responsibility: 'lead' }]);
    const handover = schemaOf('handover.request');
    const to = toBody(handover, { to: 'kmpt-cmht-medway' }, [
      { id: 'kmpt-cmht-medway', name: 'Medway CMHT', kind: 'MHS', area: 'MEDWAY' },
    ]) as Record<string, unknown>;
    expect(to.to).toEqual({ id: 'kmpt-cmht-medway', kind: 'MHS', name: 'Medway CMHT' });
  });
});

describe('the map’s current waits against target', () => {
  it('should say no cases, no target set, over, near or within from the open cases now', () => {
    const at = (open: number, overTarget: number | null, maxDays: number | null, targetDays: number | null) =>
      waitStatus({ open, overTarget, maxDays, targetDays });
    expect([at(0, 0, null, 7), at(3, null, 40, null), at(3, 1, 9, 7), at(3, 0, 6, 7), at(3, 0, 2, 7), at(2, 0, 3, null)]).toEqual([
      'empty',
      'none',
      'over',
      'near',
      'within',
      'within',
    ]);
  });

  it('should give every state a row, "no target set" only where neither it nor a state under it has one', () => {
    const rows = stateRows(def, {
      asOf: '2026-03-01T00:00:00.000Z',
      open: 1,
      pathwayVersion: currentVersion,
      onEarlierVersions: 0,
      states: [
        {
          state: 'active.referral',
          compound: true,
          open: 1,
          onEarlierVersions: 0,
          targetDays: null,
          overTarget: 1,
          medianDays: 20,
          maxDays: 20,
        },
      ],
    });
    const row = (id: string) => rows.find((r) => r.id === id);
    expect(row('active.referral')).toMatchObject({ compound: true, open: 1, overTarget: 1, status: 'over' });
    expect(row('active.referral.triage')).toMatchObject({ open: 0, overTarget: 0, status: 'empty' });
    expect(row('active.jointCare.carePlan')).toMatchObject({ region: true, overTarget: null, status: 'empty' });
    expect(rows.some((r) => r.id === 'new' || r.id === 'closed')).toBe(false);
  });
});

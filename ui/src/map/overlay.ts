/** Turns the map's data (current waits per state; optionally the period's dwell and flow) into what the chart draws. */
import type { PathwayDefinition } from '../../../machines/definition.ts';
import type { AuditResult, Stats } from '../api/types.ts';
import type { ChartEdge } from '../chart/edges.ts';
import { matchEdge } from '../chart/edges.ts';
import type { EdgeOverlay } from '../chart/PathwayChart.tsx';
import type { StateOverlay } from '../chart/StateNode.tsx';
import { type DwellStatus, waitStatus } from '../chart/status.ts';

export type StateRow = {
  id: string;
  compound: boolean;
  /** A region of a parallel state: its figures are its own subset of the parallel state's cases. */
  region: boolean;
  open: number;
  overTarget: number | null;
  medianDays: number | null;
  maxDays: number | null;
  targetDays: number | null;
  /** The period's median stay (closed and open stays), when that optional layer is on; leaves only. */
  periodMedianDays?: number | null;
  status: DwellStatus;
};

const num = (v: unknown): number | null => (typeof v === 'number' ? v : v === null || v === undefined ? null : Number(v));

/**
 * Every state on the chart (not the start, the end or history markers), with the same measure for every role: open
 * cases now, over target, median and longest current wait. With `dwell`, the period's median stay as well.
 */
export function stateRows(def: PathwayDefinition, stats: Stats | undefined, dwell?: AuditResult): StateRow[] {
  const dwellRows = dwell?.sections.find((s) => s.name === 'states')?.rows;
  const byId = new Map(def.states.map((s) => [s.id, s]));
  const compound = new Set(def.states.map((s) => s.parent).filter((p): p is string => !!p));
  const shown = def.states.filter((s) => s.type !== 'history' && s.id !== 'new' && s.id !== 'closed');
  return shown.map((s) => {
    const now = stats?.states.find((x) => x.state === s.id);
    const isCompound = compound.has(s.id);
    // A compound state without a target of its own speaks for the targets under it; with none there, it has none.
    const targetsUnder = def.states.some((d) => d.id.startsWith(`${s.id}.`) && d.targetDays !== null);
    const row = {
      id: s.id,
      compound: isCompound,
      region: s.parent !== null && byId.get(s.parent)?.type === 'parallel',
      open: now?.open ?? 0,
      overTarget: now ? now.overTarget : s.targetDays !== null || targetsUnder ? 0 : null,
      medianDays: now?.medianDays ?? null,
      maxDays: now?.maxDays ?? null,
      targetDays: s.targetDays,
    };
    const period = dwellRows && !isCompound ? { periodMedianDays: num(dwellRows.find((r) => r.state === s.id)?.median_days) } : {};
    return { ...row, ...period, status: waitStatus(row) };
  });
}

export function stateOverlays(rows: StateRow[]): Record<string, StateOverlay> {
  return Object.fromEntries(
    rows.map((r) => [
      r.id,
      {
        open: r.open,
        overTarget: r.overTarget,
        medianDays: r.medianDays,
        maxDays: r.maxDays,
        status: r.status,
        ...(r.periodMedianDays !== undefined ? { periodMedianDays: r.periodMedianDays } : {}),
      },
    ]),
  );
}

/** Flow audit edges (leaf → leaf) counted on the drawn transitions they belong to. */
export function flowOverlays(edges: ChartEdge[], flow: AuditResult | undefined): Record<string, EdgeOverlay> {
  if (!flow) return {};
  const counts = new Map<string, number>();
  for (const row of flow.sections.find((s) => s.name === 'edges')?.rows ?? []) {
    const e = matchEdge(edges, String(row.from_state), String(row.to_state));
    if (e) counts.set(e.id, (counts.get(e.id) ?? 0) + (num(row.cases) ?? 0));
  }
  return Object.fromEntries(edges.map((e) => [e.id, { label: `${e.events.join(', ')} · ${counts.get(e.id) ?? 0} cases` }]));
}

/** Turns the map's data (open counts, dwell and flow audits) into what the chart draws on each state and edge. */
import type { PathwayDefinition } from '../../../machines/definition.ts';
import type { AuditResult, Stats } from '../api/types.ts';
import type { ChartEdge } from '../chart/edges.ts';
import { matchEdge } from '../chart/edges.ts';
import type { EdgeOverlay } from '../chart/PathwayChart.tsx';
import type { StateOverlay } from '../chart/StateNode.tsx';
import { dwellStatus, targetOf } from '../chart/status.ts';

export type StateRow = {
  id: string;
  open: number;
  medianDays: number | null;
  targetDays: number | null;
  status: ReturnType<typeof dwellStatus>;
};

const num = (v: unknown): number | null => (typeof v === 'number' ? v : v === null || v === undefined ? null : Number(v));

/** Per leaf state: open now (stats), median dwell (the dwell audit when readable, else the current waits). */
export function stateRows(def: PathwayDefinition, stats: Stats | undefined, dwell: AuditResult | undefined): StateRow[] {
  const dwellRows = dwell?.sections.find((s) => s.name === 'states')?.rows ?? [];
  const leaves = def.states.filter((s) => (s.type === 'atomic' || s.type === 'final') && s.id !== 'new' && s.id !== 'closed');
  return leaves.map((s) => {
    const open = stats?.states.find((x) => x.state === s.id);
    const d = dwellRows.find((r) => r.state === s.id);
    const medianDays = d ? num(d.median_days) : (open?.medianDays ?? null);
    return { id: s.id, open: open?.open ?? 0, medianDays, targetDays: targetOf(s), status: dwellStatus(medianDays, targetOf(s)) };
  });
}

export function stateOverlays(def: PathwayDefinition, rows: StateRow[]): Record<string, StateOverlay> {
  const out: Record<string, StateOverlay> = {};
  for (const r of rows) out[r.id] = { open: r.open, medianDays: r.medianDays, status: r.status };
  // A compound state holds every case in its leaves.
  for (const s of def.states) {
    if (out[s.id] || s.type === 'history' || s.id === 'new' || s.id === 'closed') continue;
    out[s.id] = { open: rows.filter((r) => r.id.startsWith(`${s.id}.`)).reduce((n, r) => n + r.open, 0) };
  }
  return out;
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

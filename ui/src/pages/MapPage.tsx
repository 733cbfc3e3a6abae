/** Pathway map: the statechart with open cases, median dwell against target and flow; filters; a state's cases on click. */
import { useMemo, useRef, useState } from 'react';
import { pathwayDefinition } from '../../../machines/definition.ts';
import { qs } from '../api/client.ts';
import type { AuditResult, Stats } from '../api/types.ts';
import { useApi } from '../api/useApi.ts';
import { chartEdges } from '../chart/edges.ts';
import { PathwayChart } from '../chart/PathwayChart.tsx';
import { days, stateLabel, statusText } from '../chart/status.ts';
import { LiveBadge } from '../components/LiveBadge.tsx';
import { useInspection } from '../live/useInspection.ts';
import { Filters, type FilterValues, filterParams, noFilters } from '../map/Filters.tsx';
import { flowOverlays, stateOverlays, stateRows } from '../map/overlay.ts';
import { StateCases } from '../map/StateCases.tsx';

const definition = pathwayDefinition();
const edges = chartEdges(definition);

export function MapPage() {
  const [filters, setFilters] = useState<FilterValues>(noFilters);
  const [selected, setSelected] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const params = filterParams(filters);
  const stats = useApi<Stats>(`/api/stats/states${qs({ ...params, from: undefined, v: version })}`);
  const dwell = useApi<AuditResult>(`/api/audits/dwell${qs({ ...params, v: version })}`);
  const flow = useApi<AuditResult>(`/api/audits/flow${qs({ ...params, v: version })}`);

  // Many events may arrive together (a sweep): reload once per burst.
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const live = useInspection('/api/inspect', (e) => {
    if (e.type !== '@xstate.snapshot') return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setVersion((v) => v + 1), 150);
  });

  const rows = useMemo(() => stateRows(definition, stats.data, dwell.data), [stats.data, dwell.data]);
  const overlays = useMemo(() => stateOverlays(definition, rows), [rows]);
  const flows = useMemo(() => flowOverlays(edges, flow.data), [flow.data]);
  const auditsHidden = dwell.error?.status === 403;

  return (
    <>
      <h1>Pathway map</h1>
      <p className="nhsuk-lede-text">
        Where people are on the pathway now: open cases and median time in each state against its target, and how many cases took each step.
      </p>
      <LiveBadge status={live.status} received={live.received} />
      <Filters value={filters} onChange={setFilters} />
      {stats.error && <p>Could not load the counts: {stats.error.message}</p>}
      <p data-testid="open-total">
        <strong>{stats.data?.open ?? '…'}</strong> open cases
        {stats.data ? ` as of ${new Date(stats.data.asOf).toLocaleString('en-GB')}` : ''}.
        {auditsHidden && ' Median dwell shows current waits; the period audits are for oversight roles.'}
      </p>
      {stats.data && stats.data.onEarlierVersions > 0 && (
        <p data-testid="earlier-versions">
          The map draws pathway version {stats.data.pathwayVersion}. {stats.data.onEarlierVersions} of these cases still run on an earlier
          version until they are migrated; they are counted in the state of the same name.
        </p>
      )}
      <PathwayChart
        title="The pathway statechart with open cases per state"
        states={overlays}
        edges={flows}
        selected={selected}
        onSelect={setSelected}
        height={1300}
      />
      {selected && <StateCases state={selected} filters={filters} version={version} />}
      <h2>States</h2>
      <table className="nhsuk-table" data-testid="state-table">
        <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">Open cases and median dwell per state</caption>
        <thead className="nhsuk-table__head">
          <tr>
            <th scope="col">State</th>
            <th scope="col">Open now</th>
            <th scope="col">Median dwell</th>
            <th scope="col">Target</th>
            <th scope="col">Against target</th>
            <th scope="col">
              <span className="nhsuk-u-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="nhsuk-table__body">
          {rows.map((r) => (
            <tr key={r.id} data-testid={`row-${r.id}`}>
              <td>{stateLabel(r.id)}</td>
              <td data-testid={`open-${r.id}`}>{r.open}</td>
              <td>{days(r.medianDays)}</td>
              <td>{days(r.targetDays)}</td>
              <td>
                <span className={`app-tag app-tag--${r.status}`}>{statusText[r.status]}</span>
              </td>
              <td>
                <button type="button" className="app-link-button" onClick={() => setSelected(r.id)}>
                  Show cases<span className="nhsuk-u-visually-hidden"> in {stateLabel(r.id)}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Pathway map: the statechart with each state's open cases and current waits against target; filters; a state's cases on click. */
import { useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'wouter';
import { allows } from '../../../machines/access.ts';
import { pathwayDefinition } from '../../../machines/definition.ts';
import { qs } from '../api/client.ts';
import type { AuditResult, Stats } from '../api/types.ts';
import { useApi } from '../api/useApi.ts';
import type { Session } from '../auth/session.ts';
import { chartEdges } from '../chart/edges.ts';
import { PathwayChart } from '../chart/PathwayChart.tsx';
import { days, stateLabel, statusText } from '../chart/status.ts';
import { LiveBadge } from '../components/LiveBadge.tsx';
import { useInspection } from '../live/useInspection.ts';
import { Filters, type FilterValues, filterParams, filtersFromSearch, withFilters } from '../map/Filters.tsx';
import { flowOverlays, stateOverlays, stateRows } from '../map/overlay.ts';
import { StateCases } from '../map/StateCases.tsx';

const definition = pathwayDefinition();
const edges = chartEdges(definition);

export function MapPage({ session }: { session: Session }) {
  // Filters, the chosen state and the period layer live in the address: a reload or a shared link shows the same.
  const [search, setSearch] = useSearchParams();
  const filters = filtersFromSearch(search);
  const setFilters = (f: FilterValues) => setSearch((prev) => withFilters(prev, f), { replace: true });
  const selected = search.get('state');
  const setSelected = (state: string) =>
    setSearch((prev) => {
      const next = new URLSearchParams(prev);
      next.set('state', state);
      return next;
    });
  const [version, setVersion] = useState(0);
  // The period's median stays and flow are an optional layer, for the roles that may read the audits.
  const periodAllowed = allows(session.role, 'audits');
  const periodLayer = search.get('layer') === 'period';
  const setPeriodLayer = (on: boolean) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (on) next.set('layer', 'period');
        else next.delete('layer');
        return next;
      },
      { replace: true },
    );
  const showPeriod = periodAllowed && periodLayer;
  const params = filterParams(filters);
  const stats = useApi<Stats>(`/api/stats/states${qs({ ...params, from: undefined, v: version })}`);
  const dwell = useApi<AuditResult>(showPeriod ? `/api/audits/dwell${qs({ ...params, v: version })}` : null);
  const flow = useApi<AuditResult>(showPeriod ? `/api/audits/flow${qs({ ...params, v: version })}` : null);

  // Many events may arrive together (a sweep): reload once per burst.
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const live = useInspection('/api/inspect', (e) => {
    if (e.type !== '@xstate.snapshot') return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setVersion((v) => v + 1), 150);
  });

  const period = showPeriod ? dwell.data : undefined;
  const rows = useMemo(() => stateRows(definition, stats.data, period), [stats.data, period]);
  const overlays = useMemo(() => stateOverlays(rows), [rows]);
  const flows = useMemo(() => flowOverlays(edges, showPeriod ? flow.data : undefined), [flow.data, showPeriod]);

  return (
    <>
      <h1>Pathway map</h1>
      <p className="nhsuk-lede-text">
        Where people are on the pathway now: in each state, the open cases, how many are over target, and how long they have waited there
        (median and longest), the same for every role.
      </p>
      <LiveBadge status={live.status} received={live.received} />
      <Filters value={filters} onChange={setFilters} />
      {periodAllowed && (
        <div className="nhsuk-checkboxes nhsuk-checkboxes--small app-layer">
          <div className="nhsuk-checkboxes__item">
            <input
              className="nhsuk-checkboxes__input"
              id="period-layer"
              type="checkbox"
              checked={periodLayer}
              onChange={(e) => setPeriodLayer(e.target.checked)}
            />
            <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor="period-layer">
              Also show the period: median stay of every stay in it, and how many cases took each step
            </label>
          </div>
        </div>
      )}
      {stats.error && <p>Could not load the counts: {stats.error.message}</p>}
      <p data-testid="open-total">
        <strong>{stats.data?.open ?? '…'}</strong> open cases
        {stats.data ? ` as of ${new Date(stats.data.asOf).toLocaleString('en-GB')}` : ''}. A case in two regions of a parallel state counts
        once there; each region shows its own.
      </p>
      {stats.data && stats.data.onEarlierVersions > 0 && (
        <p data-testid="earlier-versions">
          The map draws pathway version {stats.data.pathwayVersion}. {stats.data.onEarlierVersions} of these cases still run on an earlier
          version until they are migrated; they are counted in the state of the same name.
        </p>
      )}
      <PathwayChart
        title="The pathway statechart with open cases and current waits per state"
        states={overlays}
        edges={flows}
        selected={selected}
        onSelect={setSelected}
        height={1300}
      />
      {selected && <StateCases state={selected} filters={filters} version={version} />}
      <h2>States</h2>
      <table className="nhsuk-table" data-testid="state-table">
        <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">Open cases, over target and current waits per state</caption>
        <thead className="nhsuk-table__head">
          <tr>
            <th scope="col">State</th>
            <th scope="col">Open now</th>
            <th scope="col">Over target</th>
            <th scope="col">Median wait now</th>
            <th scope="col">Longest wait now</th>
            <th scope="col">Target</th>
            <th scope="col">Against target</th>
            {showPeriod && <th scope="col">Period median stay</th>}
            <th scope="col">
              <span className="nhsuk-u-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="nhsuk-table__body">
          {rows.map((r) => (
            <tr key={r.id} data-testid={`row-${r.id}`} className={r.compound ? 'app-row--compound' : undefined}>
              <td>
                {stateLabel(r.id) || 'Active (all open cases)'}
                {r.region && <span className="app-note"> (region: its own cases)</span>}
              </td>
              <td data-testid={`open-${r.id}`}>{r.open}</td>
              <td data-testid={`over-${r.id}`}>{r.overTarget ?? '—'}</td>
              <td data-testid={`median-${r.id}`}>{days(r.medianDays)}</td>
              <td data-testid={`max-${r.id}`}>{days(r.maxDays)}</td>
              <td>
                {r.targetDays !== null ? days(r.targetDays) : r.compound && r.overTarget !== null ? 'Those of the states within' : '—'}
              </td>
              <td>
                <span className={`app-tag app-tag--${r.status}`}>{statusText[r.status]}</span>
              </td>
              {showPeriod && <td data-testid={`period-${r.id}`}>{r.compound ? '—' : days(r.periodMedianDays)}</td>}
              <td>
                {r.open > 0 && (
                  <button type="button" className="app-link-button" onClick={() => setSelected(r.id)}>
                    Show cases<span className="nhsuk-u-visually-hidden"> in {stateLabel(r.id) || 'Active'}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The open cases in one state, each once, longest-waiting first (pseudonymised references only). */
import { Link } from 'wouter';
import { qs } from '../api/client.ts';
import { agencyName, useDirectory } from '../api/directory.ts';
import type { StateCase } from '../api/types.ts';
import { useApi } from '../api/useApi.ts';
import { days, stateLabel } from '../chart/status.ts';
import type { FilterValues } from './Filters.tsx';

export function StateCases({ state, filters, version }: { state: string; filters: FilterValues; version: number }) {
  const directory = useDirectory();
  const path = `/api/stats/cases${qs({ state, area: filters.area, lead: filters.lead, quadrant: filters.quadrant, v: version })}`;
  const { data, error } = useApi<{ items: StateCase[] }>(path);
  return (
    <section aria-labelledby="state-cases-title" data-testid="state-cases">
      <h2 id="state-cases-title">Cases in {stateLabel(state)}</h2>
      {error && <p>Could not load the cases: {error.message}</p>}
      {data && data.items.length === 0 && <p>No open cases are in this state.</p>}
      {data && data.items.length > 0 && (
        <table className="nhsuk-table">
          <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">
            Open cases in {stateLabel(state)}, longest-waiting first
          </caption>
          <thead className="nhsuk-table__head">
            <tr>
              <th scope="col">Case</th>
              <th scope="col">State</th>
              <th scope="col">Waiting</th>
              <th scope="col">Held by</th>
              <th scope="col">Area</th>
              <th scope="col">Quadrant</th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {data.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link href={`/cases/${c.id}`}>{c.reference}</Link>
                </td>
                <td>{(c.leaves.length ? c.leaves : [c.state]).map(stateLabel).join('; ')}</td>
                <td>{days(c.daysInState)}</td>
                <td>{agencyName(directory, c.leadAgencyId ?? c.responsibleAgencyId)}</td>
                <td>{c.area ?? '—'}</td>
                <td>{c.quadrant ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

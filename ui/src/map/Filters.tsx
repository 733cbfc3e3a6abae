/** The map's and audits' filters: area, lead agency, quadrant, period. */

import { areas, quadrants } from '../../../machines/vocab.ts';
import { useDirectory } from '../api/directory.ts';
import { humanise } from '../chart/status.ts';

export type FilterValues = { area: string; lead: string; quadrant: string; period: string };
export const noFilters: FilterValues = { area: '', lead: '', quadrant: '', period: '90' };

const periods = ['30', '90', '365', '1825'];

/** The filters as the page's address keeps them (so a reload or a shared link shows the same): defaults left out. */
export function filtersFromSearch(search: URLSearchParams, periodKey = 'period', periodDefault = noFilters.period): FilterValues {
  const period = search.get(periodKey);
  return {
    area: search.get('area') ?? '',
    lead: search.get('lead') ?? '',
    quadrant: search.get('quadrant') ?? '',
    period: period !== null && (periods.includes(period) || period === '') ? period : periodDefault,
  };
}

/** `search` with these filters written into it; `periodKey` names where the period goes. */
export function withFilters(
  search: URLSearchParams,
  f: FilterValues,
  periodKey = 'period',
  periodDefault = noFilters.period,
): URLSearchParams {
  const next = new URLSearchParams(search);
  for (const k of ['area', 'lead', 'quadrant'] as const) {
    if (f[k]) next.set(k, f[k]);
    else next.delete(k);
  }
  if (f.period === periodDefault) next.delete(periodKey);
  else next.set(periodKey, f.period);
  return next;
}

/** The query parameters the server takes for these filters (`from` is the period's start date; none for "any time"). */
export function filterParams(f: FilterValues, now = new Date()) {
  const from = f.period ? new Date(now.getTime() - Number(f.period) * 86_400_000).toISOString().slice(0, 10) : undefined;
  return { area: f.area || undefined, lead: f.lead || undefined, quadrant: f.quadrant || undefined, from };
}

function Select({
  id,
  label,
  value,
  onChange,
  options,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: [string, string][];
}) {
  return (
    <div className="nhsuk-form-group app-filters__item">
      <label className="nhsuk-label" htmlFor={id}>
        {label}
      </label>
      <select className="nhsuk-select" id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** `anyTime`: offer no period at all (the "now" audits: every open case, whenever it entered its state). */
export function Filters({
  value,
  onChange,
  anyTime = false,
}: {
  value: FilterValues;
  onChange: (v: FilterValues) => void;
  anyTime?: boolean;
}) {
  const directory = useDirectory();
  const set = (k: keyof FilterValues) => (v: string) => onChange({ ...value, [k]: v });
  return (
    <form className="app-filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <Select
        id="filter-area"
        label="Area"
        value={value.area}
        onChange={set('area')}
        options={[
          ['', 'All areas'],
          ...areas.map((a): [string, string] => [a, humanise(a.toLowerCase().replace(/_(\w)/g, (_, c: string) => c.toUpperCase()))]),
        ]}
      />
      <Select
        id="filter-lead"
        label="Lead agency"
        value={value.lead}
        onChange={set('lead')}
        options={[['', 'All agencies'], ...directory.map((a): [string, string] => [a.id, a.name])]}
      />
      <Select
        id="filter-quadrant"
        label="Quadrant"
        value={value.quadrant}
        onChange={set('quadrant')}
        options={[['', 'All quadrants'], ...quadrants.map((q): [string, string] => [q, q])]}
      />
      <Select
        id="filter-period"
        label="Period"
        value={value.period}
        onChange={set('period')}
        options={[
          ...(anyTime ? [['', 'Any time (all open now)'] as [string, string]] : []),
          ['30', 'Last 30 days'],
          ['90', 'Last 90 days'],
          ['365', 'Last 12 months'],
          ['1825', 'Last 5 years'],
        ]}
      />
    </form>
  );
}

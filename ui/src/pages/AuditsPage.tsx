/** Audits: each audit's sections as charts and tables, filtered like the map, with CSV downloads from the server. */
import { lazy, Suspense, useState } from 'react';
import { useSearchParams } from 'wouter';
import { qs } from '../api/client.ts';
import type { AuditInfo, AuditResult } from '../api/types.ts';
import { useApi } from '../api/useApi.ts';
import { downloadCsv } from '../audits/csv.ts';
import { SectionTable } from '../audits/SectionTable.tsx';
import { Filters, type FilterValues, filterParams, filtersFromSearch, withFilters } from '../map/Filters.tsx';

// The charting library is loaded when an audit is first shown, not with the rest of the UI.
const AuditCharts = lazy(() => import('../audits/Charts.tsx').then((m) => ({ default: m.AuditCharts })));

export function AuditsPage() {
  const list = useApi<{ items: AuditInfo[] }>('/api/audits');
  // The audit shown and the filters live in the address: a reload or a shared link shows the same.
  const [search, setSearch] = useSearchParams();
  const name = search.get('audit') ?? 'dwell';
  const setName = (audit: string) =>
    setSearch((prev) => {
      const next = new URLSearchParams(prev);
      next.set('audit', audit);
      return next;
    });
  const filters = filtersFromSearch(search);
  // The "now" audits look at every open case unless a period is chosen for them (`nowPeriod`): a case that entered its
  // state before the period is still stalled, and often the worst.
  const nowPeriod = filtersFromSearch(search, 'nowPeriod', '').period;
  const now = list.data?.items.find((a) => a.name === name)?.now ?? false;
  const shown = now ? { ...filters, period: nowPeriod } : filters;
  const onFilters = (v: FilterValues) =>
    setSearch(
      (prev) => (now ? withFilters(withFilters(prev, { ...v, period: filters.period }), v, 'nowPeriod', '') : withFilters(prev, v)),
      { replace: true },
    );
  const params = filterParams(shown);
  // Wait for the list: it says whether this audit measures the present.
  const result = useApi<AuditResult>(list.data ? `/api/audits/${name}${qs(params)}` : null);
  const [downloadError, setDownloadError] = useState<string>();
  const csv = (section?: string) =>
    downloadCsv(`/api/audits/${name}${qs({ ...params, format: 'csv', section })}`, `${name}${section ? `-${section}` : ''}.csv`).catch(
      (e: Error) => setDownloadError(e.message),
    );

  if (list.error) return <p>Could not load the audits: {list.error.message}</p>;
  return (
    <>
      <h1>Audits</h1>
      <nav aria-label="Audits" className="app-tabs">
        <ul className="app-tabs__list">
          {list.data?.items.map((a) => (
            <li key={a.name}>
              <button
                type="button"
                className={`app-tabs__tab${a.name === name ? ' app-tabs__tab--current' : ''}`}
                aria-pressed={a.name === name}
                onClick={() => setName(a.name)}
              >
                {a.title}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <p>{list.data?.items.find((a) => a.name === name)?.description}</p>
      <Filters value={shown} onChange={onFilters} anyTime={now} />
      {downloadError && <p role="alert">{downloadError}</p>}
      {result.error && <p>Could not run the audit: {result.error.message}</p>}
      {result.data && (
        <section aria-labelledby="audit-title" data-testid={`audit-${name}`}>
          <h2 id="audit-title">{result.data.title}</h2>
          <p className="nhsuk-body-s" data-testid="audit-period">
            {now && !result.data.period.given
              ? `Every open case as of ${new Date(result.data.period.asOf).toLocaleDateString('en-GB')}, whenever it entered its state`
              : `${new Date(result.data.period.from).toLocaleDateString('en-GB')} to ${new Date(result.data.period.to).toLocaleDateString('en-GB')}`}
          </p>
          <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => csv()}>
            Download all as CSV
          </button>
          <Suspense fallback={<p>Loading the charts…</p>}>
            <AuditCharts result={result.data} />
          </Suspense>
          {result.data.sections.map((s) => (
            <div key={s.name}>
              <SectionTable section={s} />
              <button type="button" className="app-link-button" onClick={() => csv(s.name)}>
                Download “{s.title}” as CSV
              </button>
            </div>
          ))}
        </section>
      )}
    </>
  );
}

/** Case inspector: the chart with this case's path, time travel through its history, timeline, responsibility, next events; live. */
import { useMemo, useState } from 'react';
import { pathwayDefinition } from '../../../machines/definition.ts';
import { responsibility } from '../../../machines/responsibility.ts';
import type { CaseView, EventRow } from '../api/types.ts';
import { useApi } from '../api/useApi.ts';
import { acts, type Session } from '../auth/session.ts';
import { AccessBanner, AccessLog, BreakGlass } from '../case/Access.tsx';
import { NextEvents } from '../case/NextEvents.tsx';
import { leafStates, pathOverlays, snapshotAt } from '../case/path.ts';
import { ResponsibilityPanel } from '../case/ResponsibilityPanel.tsx';
import { Timeline, when } from '../case/Timeline.tsx';
import { chartEdges } from '../chart/edges.ts';
import { PathwayChart } from '../chart/PathwayChart.tsx';
import { stateLabel } from '../chart/status.ts';
import { LiveBadge } from '../components/LiveBadge.tsx';
import { useInspection } from '../live/useInspection.ts';

export function CasePage({ id, session }: { id: string; session: Session }) {
  const kase = useApi<CaseView>(`/api/cases/${id}`);
  const history = useApi<{ items: EventRow[] }>(`/api/cases/${id}/events`);
  /** The time-travel position: how many events are applied; null follows the latest. */
  const [position, setPosition] = useState<number | null>(null);
  const [notice, setNotice] = useState<string>();
  const live = useInspection(`/api/cases/${id}/inspect`, (e) => {
    if (e.type !== '@xstate.snapshot') return;
    kase.reload();
    history.reload();
    setNotice(`Updated live at ${new Date().toLocaleTimeString('en-GB')}: ${e.event?.type ?? 'a change'}`);
  });

  const events = history.data?.items ?? [];
  const upTo = position === null ? events.length : Math.min(position, events.length);
  const view = kase.data;
  const version = view?.pathwayVersion;
  const edges = useMemo(() => chartEdges(pathwayDefinition(version)), [version]);
  // A history whose payloads are withheld from this view cannot be replayed: its steps' states are shown instead.
  const withheld = events.some((e) => e.withheld);
  const replayed = useMemo(() => (version && !withheld ? snapshotAt(events, upTo, version) : null), [events, upTo, version, withheld]);
  const latest = upTo === events.length;
  const current =
    latest && view
      ? view.status === 'closed'
        ? ['closed']
        : view.state
      : withheld
        ? (events[upTo - 1]?.toState ?? [])
        : leafStates(replayed);
  const overlays = useMemo(() => pathOverlays(events, upTo, current, edges), [events, upTo, current, edges]);

  if (kase.error?.status === 404)
    return (
      <>
        <h1>No case you can see</h1>
        <p>There is no case with this address that your service has a part in.</p>
        {acts(session) && (
          <BreakGlass
            caseId={id}
            onOpened={() => {
              kase.reload();
              history.reload();
            }}
          />
        )}
      </>
    );
  if (kase.error) return <p>Could not load the case: {kase.error.message}</p>;
  if (!view) return <p>Loading the case…</p>;
  const shownResponsibility = latest || !replayed ? view.responsibility : responsibility(replayed);

  return (
    <>
      <span className="nhsuk-caption-l">Case {view.episode > 1 ? `(episode ${view.episode})` : ''}</span>
      <h1 data-testid="case-reference">{view.reference}</h1>
      <LiveBadge status={live.status} received={live.received} />
      <p className="nhsuk-u-visually-hidden" aria-live="polite" data-testid="live-notice">
        {notice}
      </p>
      {notice && <p className="nhsuk-body-s">{notice}</p>}
      <AccessBanner access={view.access} />
      {view.person ? (
        <dl className="nhsuk-summary-list" data-testid="identifiers">
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Name</dt>
            <dd className="nhsuk-summary-list__value">
              {view.person.givenName} {view.person.familyName}
            </dd>
          </div>
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">NHS number</dt>
            <dd className="nhsuk-summary-list__value">{view.person.nhsNumber ?? 'Not recorded'}</dd>
          </div>
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Date of birth</dt>
            <dd className="nhsuk-summary-list__value">{view.person.dateOfBirth}</dd>
          </div>
        </dl>
      ) : (
        <p className="nhsuk-body-s" data-testid="pseudonymised">
          Pseudonymised: identifiers are shown only to the agencies involved in this case.
        </p>
      )}
      {(session.role === 'auditor' ||
        (view.access.relationship === 'lead' && (session.role === 'serviceManager' || session.role === 'clinicalDirector'))) && (
        <AccessLog caseId={id} />
      )}
      <p>
        <strong>Now:</strong>{' '}
        <span data-testid="current-state">{view.status === 'closed' ? 'Closed' : view.state.map(stateLabel).join(' + ')}</span> · version{' '}
        {view.version} · {view.area ?? 'area not recorded'} · {view.quadrant ?? 'quadrant not assessed'} · opened {when(view.openedAt)}
      </p>

      <div className="nhsuk-form-group app-slider">
        <label className="nhsuk-label" htmlFor="time-travel">
          Time travel: showing the case after step {upTo} of {events.length}
          {latest ? ' (now)' : ''}
        </label>
        <input
          id="time-travel"
          type="range"
          min={0}
          max={events.length}
          value={upTo}
          onChange={(e) => {
            const n = Number(e.target.value);
            setPosition(n >= events.length ? null : n);
          }}
          aria-valuetext={`Step ${upTo} of ${events.length}${upTo > 0 ? `: ${events[upTo - 1]?.type}` : ': before the referral'}`}
        />
        {!latest && (
          <p className="nhsuk-body-s" data-testid="replayed-state">
            {withheld ? 'After that step' : 'Replayed in your browser'}:{' '}
            {(withheld ? current : leafStates(replayed)).map(stateLabel).join(' + ') || 'Before the referral'}{' '}
            <button type="button" className="app-link-button" onClick={() => setPosition(null)}>
              Back to now
            </button>
          </p>
        )}
      </div>
      <PathwayChart
        title={`Pathway version ${view.pathwayVersion} with the path of case ${view.reference}`}
        version={view.pathwayVersion}
        states={overlays.states}
        edges={overlays.edges}
        height={1100}
      />

      <div className="nhsuk-grid-row">
        <div className="nhsuk-grid-column-one-half">
          <ResponsibilityPanel r={shownResponsibility} />
          {latest && (
            <NextEvents
              view={view}
              canAct={acts(session)}
              onSent={() => {
                kase.reload();
                history.reload();
              }}
              onStale={() => kase.reload()}
            />
          )}
        </div>
        <div className="nhsuk-grid-column-one-half">
          <h2>Timeline</h2>
          <Timeline events={events} upTo={upTo} />
        </div>
      </div>
    </>
  );
}

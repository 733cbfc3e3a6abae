/** Acting on one worklist case: the events possible now (read fresh, with the version for If-Match) and the form for one. */
import { useState } from 'react';
import { eventCatalog } from '../../../machines/catalog.ts';
import type { EventType } from '../../../machines/events.ts';
import type { CaseView } from '../api/types.ts';
import { useApi } from '../api/useApi.ts';
import { stateLabel } from '../chart/status.ts';
import { EventForm } from '../forms/EventForm.tsx';

export function ActPanel({ caseId, onSent }: { caseId: string; onSent: (c: CaseView) => void }) {
  const kase = useApi<CaseView>(`/api/cases/${caseId}`);
  const [type, setType] = useState<EventType | ''>('');
  if (kase.error) return <p>Could not load the case: {kase.error.message}</p>;
  const view = kase.data;
  if (!view) return <p>Loading…</p>;
  const allowed = view.nextEvents.filter((e) => e.allowed && e.type !== 'deadline.reached');
  const chosen = allowed.find((e) => e.type === type);
  return (
    <div className="app-act" data-testid={`act-${view.reference}`}>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor={`event-${caseId}`}>
          What happened? (the case is at version {view.version})
        </label>
        <select className="nhsuk-select" id={`event-${caseId}`} value={type} onChange={(e) => setType(e.target.value as EventType | '')}>
          <option value="">Choose an event</option>
          {allowed.map((e) => (
            <option key={e.type} value={e.type}>
              {eventCatalog[e.type].label}
            </option>
          ))}
        </select>
      </div>
      {chosen?.allowed && (
        <EventForm
          key={`${chosen.type}-${view.version}`}
          caseId={caseId}
          version={view.version}
          type={chosen.type}
          conditions={chosen.conditions}
          onSent={(c) => {
            setType('');
            kase.reload();
            onSent(c);
          }}
          onStale={() => kase.reload()}
        />
      )}
      <p className="nhsuk-body-s">Now in {view.state.map(stateLabel).join(' + ')}.</p>
    </div>
  );
}

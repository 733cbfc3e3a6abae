/** What can be done now, and for each event that cannot, the rule and clause that block it. */
import { useState } from 'react';
import { eventCatalog } from '../../../machines/catalog.ts';
import type { NextEvent } from '../../../machines/explain.ts';
import type { CaseView } from '../api/types.ts';
import { EventForm } from '../forms/EventForm.tsx';

type Props = { view: CaseView; canAct: boolean; onSent: (c: CaseView) => void; onStale: () => void };

export function NextEvents({ view, canAct, onSent, onStale }: Props) {
  const [open, setOpen] = useState<NextEvent | null>(null);
  const allowed = view.nextEvents.filter((e) => e.allowed && e.type !== 'deadline.reached');
  const blocked = view.nextEvents.filter((e): e is Extract<NextEvent, { allowed: false }> => !e.allowed);
  if (!canAct) return <p>Your role reads cases; the agencies involved act on them.</p>;
  return (
    <section aria-labelledby="next-title" data-testid="next-events">
      <h2 id="next-title">What can be done now</h2>
      <ul className="nhsuk-list app-actions">
        {allowed.map((e) => (
          <li key={e.type}>
            <button
              type="button"
              className="nhsuk-button nhsuk-button--secondary nhsuk-button--small"
              aria-expanded={open?.type === e.type}
              onClick={() => setOpen(open?.type === e.type ? null : e)}
            >
              {eventCatalog[e.type].label}
            </button>
          </li>
        ))}
      </ul>
      {open?.allowed && (
        <EventForm
          key={`${open.type}-${view.version}`}
          caseId={view.id}
          version={view.version}
          type={open.type}
          conditions={open.conditions}
          onSent={(c) => {
            setOpen(null);
            onSent(c);
          }}
          onStale={onStale}
        />
      )}
      <details className="nhsuk-details">
        <summary className="nhsuk-details__summary">
          <span className="nhsuk-details__summary-text">Not possible now, and why ({blocked.length})</span>
        </summary>
        <div className="nhsuk-details__text">
          <table className="nhsuk-table" data-testid="blocked-events">
            <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">
              Events not possible now, with the rules that block them
            </caption>
            <thead className="nhsuk-table__head">
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Rule</th>
                <th scope="col">Clause</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {blocked.flatMap((e) =>
                e.blockedBy.map((b, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: one event's blockers, in the server's order
                  <tr key={`${e.type}-${b.rule}-${i}`}>
                    <td>{i === 0 ? eventCatalog[e.type].label : ''}</td>
                    <td>{b.rule}</td>
                    <td>{b.clause}</td>
                    <td>{b.message}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

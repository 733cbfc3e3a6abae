/** The case's events, oldest first: what, who, which agency, when. Steps after the time-travel position are dimmed. */
import { eventCatalog } from '../../../machines/catalog.ts';
import { agencyName, useDirectory } from '../api/directory.ts';
import type { EventRow } from '../api/types.ts';
import { humanise, stateLabel } from '../chart/status.ts';

export const when = (iso: string) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function Timeline({ events, upTo }: { events: EventRow[]; upTo: number }) {
  const directory = useDirectory();
  return (
    <ol className="app-timeline" data-testid="timeline">
      {events.map((e, i) => (
        <li
          key={e.seq}
          className={i < upTo ? 'app-timeline__item' : 'app-timeline__item app-timeline__item--future'}
          aria-current={i + 1 === upTo ? 'step' : undefined}
        >
          <p className="app-timeline__what">
            <span className="app-timeline__step">Step {i + 1}</span> {eventCatalog[e.type]?.label ?? e.type} <code>{e.type}</code>
          </p>
          <p className="nhsuk-body-s app-timeline__meta">
            {when(e.at)} · {humanise(e.actor.role)} {e.actor.id} · {agencyName(directory, e.actor.agencyId)} ({e.actor.agencyKind})
          </p>
          <p className="nhsuk-body-s app-timeline__meta">→ {e.toState.map(stateLabel).join(' + ') || 'Closed'}</p>
        </li>
      ))}
    </ol>
  );
}

/** Worklist: my agency's cases that need action — requests awaiting our answer, overdue reviews, stalled cases — with forms to act. */
import { useState } from 'react';
import { Link } from 'wouter';
import { agencyName, useDirectory } from '../api/directory.ts';
import type { BreakGlassNotice, CaseView, WorkItem } from '../api/types.ts';
import { useApi } from '../api/useApi.ts';
import type { Session } from '../auth/session.ts';
import { when } from '../case/Timeline.tsx';
import { stateLabel } from '../chart/status.ts';
import { LiveBadge } from '../components/LiveBadge.tsx';
import { useInspection } from '../live/useInspection.ts';
import { ActPanel } from '../worklist/ActPanel.tsx';
import { Notifications } from '../worklist/Notifications.tsx';

export function WorklistPage({ session }: { session: Session }) {
  const directory = useDirectory();
  const list = useApi<{ items: WorkItem[]; breakGlass: BreakGlassNotice[] }>('/api/worklist');
  const [open, setOpen] = useState<string | null>(null);
  const [sent, setSent] = useState<string>();
  const live = useInspection('/api/inspect', (e) => {
    if (e.type === '@xstate.snapshot') list.reload();
  });
  const onSent = (c: CaseView) => {
    setSent(
      `Sent. Case ${c.reference} is now in ${c.status === 'closed' ? 'Closed' : c.state.map(stateLabel).join(' + ')} (version ${c.version}).`,
    );
    list.reload();
  };
  return (
    <>
      <h1>Worklist</h1>
      <p className="nhsuk-lede-text">Cases that need action from {agencyName(directory, session.agency)}.</p>
      <LiveBadge status={live.status} received={live.received} />
      {sent && (
        <div className="nhsuk-inset-text" role="status" data-testid="sent">
          <p>{sent}</p>
        </div>
      )}
      {list.error && <p>Could not load the worklist: {list.error.message}</p>}
      <Notifications />
      {list.data && list.data.breakGlass.length > 0 && (
        <section data-testid="break-glass-notices">
          <h2>Emergency access to your cases (last 14 days)</h2>
          <ul className="nhsuk-list">
            {list.data.breakGlass.map((b) => (
              <li key={`${b.caseId}-${b.at}`} className="nhsuk-card">
                <div className="nhsuk-card__content">
                  <p className="nhsuk-body-s">
                    <Link href={`/cases/${b.caseId}`}>{b.reference}</Link> opened {when(b.at)} by {b.principalName} ({b.role},{' '}
                    {agencyName(directory, b.agencyId)}) until {when(b.expiresAt)}: {b.reason} — {b.note}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {list.data && list.data.items.length === 0 && <p>Nothing needs your agency’s action now.</p>}
      <ul className="nhsuk-list app-worklist" data-testid="worklist">
        {list.data?.items.map((item) => (
          <li key={item.id} className="nhsuk-card app-work-item" data-testid={`work-${item.reference}`}>
            <div className="nhsuk-card__content">
              <h2 className="nhsuk-card__heading nhsuk-heading-s">
                <Link href={`/cases/${item.id}`}>{item.reference}</Link>
                {item.person && (
                  <span className="app-person">
                    {' '}
                    · {item.person.givenName} {item.person.familyName} · NHS {item.person.nhsNumber ?? 'not recorded'}
                  </span>
                )}
              </h2>
              <p className="nhsuk-body-s">
                {item.state.map(stateLabel).join(' + ')} since {when(item.stateEnteredAt)} · {item.area ?? '—'} ·{' '}
                {item.quadrant ?? 'not assessed'}
              </p>
              <ul className="nhsuk-list app-reasons">
                {item.reasons.map((r) => (
                  <li key={r.kind + r.detail}>
                    <span className={`app-tag ${r.overdue ? 'app-tag--over' : 'app-tag--near'}`}>{r.overdue ? 'Overdue' : 'Due'}</span>{' '}
                    {r.detail}
                    {r.due ? ` (follow up by ${r.due.length > 10 ? when(r.due) : r.due})` : ''}
                  </li>
                ))}
              </ul>
              <button
                type="button"
                className="nhsuk-button nhsuk-button--secondary nhsuk-button--small"
                aria-expanded={open === item.id}
                onClick={() => setOpen(open === item.id ? null : item.id)}
              >
                {open === item.id ? 'Close' : `Act on ${item.reference}`}
              </button>
              {open === item.id && <ActPanel caseId={item.id} onSent={onSent} />}
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

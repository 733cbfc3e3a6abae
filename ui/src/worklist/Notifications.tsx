/** What the agency has been told (machines/notifications.ts): newest first, each with a link to its case. */
import { Link } from 'wouter';
import { agencyName, useDirectory } from '../api/directory.ts';
import { useApi } from '../api/useApi.ts';
import { when } from '../case/Timeline.tsx';

type Notice = { id: string; type: string; caseId: string; version: number; about: Record<string, unknown>; at: string };

const whatNames: Record<string, string> = {
  referral: 'A referral',
  lead: 'A request to lead',
  handover: 'A handover',
  involvement: 'A request to be involved',
  disputeResolution: 'A dispute resolution',
};

function sentence(n: Notice, name: (id: string) => string): string {
  const what = whatNames[String(n.about.what)] ?? 'A request';
  switch (n.type) {
    case 'request.received':
      return `${what} awaits your answer`;
    case 'request.answered':
      return `${what} you sent was ${String(n.about.outcome)} by ${name(String(n.about.awaiting))}`;
    case 'followUp.overdue':
      return `${what} you sent to ${name(String(n.about.awaiting))} is past its follow-up date, unanswered`;
    case 'risk.changed':
      return 'The person’s risks changed';
    case 'access.breakGlass': {
      const by = n.about.by as { agencyId: string; role: string } | undefined;
      return `Opened in an emergency by a ${by?.role ?? 'clinician'} of ${by ? name(by.agencyId) : 'another service'} (${String(n.about.reason)})`;
    }
    default:
      return n.type;
  }
}

export function Notifications() {
  const directory = useDirectory();
  const list = useApi<{ items: Notice[] }>('/api/notifications?limit=20');
  if (!list.data || list.data.items.length === 0) return null;
  return (
    <details className="nhsuk-details" data-testid="notifications">
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">What your service was told ({list.data.items.length} latest)</span>
      </summary>
      <div className="nhsuk-details__text">
        <ul className="nhsuk-list">
          {list.data.items.map((n) => (
            <li key={n.id}>
              {when(n.at)}: <Link href={`/cases/${n.caseId}`}>{sentence(n, (id) => agencyName(directory, id))}</Link>
            </li>
          ))}
        </ul>
      </div>
    </details>
  );
}

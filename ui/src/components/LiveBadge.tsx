/** Says whether the page is receiving live changes (words, not only a colour). */
import type { LiveStatus } from '../live/useInspection.ts';

const text: Record<LiveStatus, string> = {
  live: 'Live: updates as cases change',
  connecting: 'Connecting to live updates…',
  retrying: 'Live updates interrupted: reconnecting…',
};

export function LiveBadge({ status, received = 0 }: { status: LiveStatus; received?: number }) {
  return (
    <p className={`app-live app-live--${status}`} role="status" data-testid="live-status" data-status={status} data-received={received}>
      <span aria-hidden="true" className="app-live__dot" /> {text[status]}
    </p>
  );
}

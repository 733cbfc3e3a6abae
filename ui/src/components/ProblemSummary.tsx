/** An error summary in the NHS pattern, with the protocol's rules when the server refused an event. */
import type { ApiError } from '../api/client.ts';

export function ProblemSummary({ error, title }: { error: ApiError; title?: string }) {
  const p = error.problem;
  const stale = p.status === 412;
  return (
    <div className="nhsuk-error-summary" aria-labelledby="problem-title" role="alert" tabIndex={-1} data-testid="problem">
      <h2 className="nhsuk-error-summary__title" id="problem-title">
        {title ?? p.title}
      </h2>
      <div className="nhsuk-error-summary__body">
        <p>
          {stale ? 'Someone else changed this case after you opened it. Reload the case, check what changed, then send again.' : p.detail}
        </p>
        {p.blockedBy && p.blockedBy.length > 0 && (
          <ul className="nhsuk-list nhsuk-error-summary__list">
            {p.blockedBy.map((b) => (
              <li key={`${b.rule}-${b.message}`} data-testid="blocking-rule">
                <strong>{b.rule}</strong> ({b.clause}): {b.message}
              </li>
            ))}
          </ul>
        )}
        {p.errors && p.errors.length > 0 && (
          <ul className="nhsuk-list nhsuk-error-summary__list">
            {p.errors.map((e) => (
              <li key={`${e.path}-${e.message}`}>
                {e.path}: {e.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** Why the caller sees what it sees of a case, the break-glass form, and who looked at the case (machines/access.ts). */
import { useState } from 'react';
import { breakGlassReasons } from '../../../machines/access.ts';
import { ApiError, request } from '../api/client.ts';
import { agencyName, useDirectory } from '../api/directory.ts';
import type { AccessLogEntry, CaseAccess } from '../api/types.ts';
import { useApi } from '../api/useApi.ts';
import { ProblemSummary } from '../components/ProblemSummary.tsx';
import { when } from './Timeline.tsx';

const reasonLabels: Record<(typeof breakGlassReasons)[number], string> = {
  emergency: 'Emergency',
  safeguarding: 'Safeguarding',
  clinicalNeed: 'Clinical need',
};

/** One line on the caller's view: restricted, past, break-glass or pseudonymised; nothing for a full current view. */
export function AccessBanner({ access }: { access: CaseAccess }) {
  let text: string | null = null;
  if (access.relationship === 'breakGlass')
    text = `Emergency access until ${when(access.breakGlassUntil ?? '')}. It is recorded and shown to the lead agency’s managers.`;
  else if (access.view === 'pseudonymised')
    text = 'Pseudonymised: no names, NHS numbers, dates of birth or free text. Identifiers are for the services caring for the person.';
  else if (access.view === 'restricted')
    text =
      'Restricted: the person has not consented to share information and no need-to-know ground was recorded for your service (R-CONSENT). You see who the person is and what your service is asked to do, not the clinical record.';
  if (access.relationship === 'past' && access.until)
    text = `${text ? `${text} ` : ''}Your service’s part in this case ended ${when(access.until)}: the record is shown up to then.`;
  if (!text) return null;
  return (
    <div className="nhsuk-inset-text" data-testid="access-banner">
      <p>{text}</p>
    </div>
  );
}

/** Shown to a clinician for a case it cannot see: state a reason to open it for a limited time. */
export function BreakGlass({ caseId, onOpened }: { caseId: string; onOpened: () => void }) {
  const [reason, setReason] = useState<(typeof breakGlassReasons)[number]>('emergency');
  const [note, setNote] = useState('');
  const [error, setError] = useState<ApiError>();
  const [sending, setSending] = useState(false);
  return (
    <form
      className="nhsuk-form-group"
      data-testid="break-glass"
      onSubmit={async (e) => {
        e.preventDefault();
        setSending(true);
        try {
          await request(`/api/cases/${caseId}/break-glass`, { method: 'POST', body: { reason, note } });
          setError(undefined);
          onOpened();
        } catch (err) {
          setError(err instanceof ApiError ? err : new ApiError({ title: 'Network error', status: 0, detail: String(err) }));
        } finally {
          setSending(false);
        }
      }}
    >
      <h2>Open this case in an emergency</h2>
      <p>
        Your service has no part in this case. If you need it to care for the person now, state why: the access lasts a limited time, is
        recorded, and the lead agency’s managers are told.
      </p>
      {error && <ProblemSummary error={error} title="The case was not opened" />}
      <fieldset className="nhsuk-fieldset">
        <legend className="nhsuk-fieldset__legend">Reason</legend>
        <div className="nhsuk-radios">
          {breakGlassReasons.map((r) => (
            <div className="nhsuk-radios__item" key={r}>
              <input
                className="nhsuk-radios__input"
                id={`break-glass-${r}`}
                type="radio"
                name="reason"
                value={r}
                checked={reason === r}
                onChange={() => setReason(r)}
              />
              <label className="nhsuk-label nhsuk-radios__label" htmlFor={`break-glass-${r}`}>
                {reasonLabels[r]}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      <label className="nhsuk-label" htmlFor="break-glass-note">
        Why you need it now (at least 10 characters)
      </label>
      <textarea
        className="nhsuk-textarea"
        id="break-glass-note"
        rows={3}
        minLength={10}
        maxLength={1000}
        required
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <button type="submit" className="nhsuk-button nhsuk-button--warning" disabled={sending}>
        Open the case
      </button>
    </form>
  );
}

/** Who looked at this case, newest first: for the lead agency's managers and auditors. */
export function AccessLog({ caseId }: { caseId: string }) {
  const directory = useDirectory();
  const log = useApi<{ items: AccessLogEntry[] }>(`/api/cases/${caseId}/access-log`);
  if (log.error) return null;
  return (
    <details className="nhsuk-details" data-testid="access-log">
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">Who looked at this case ({log.data?.items.length ?? '…'})</span>
      </summary>
      <div className="nhsuk-details__text">
        <table className="nhsuk-table">
          <thead className="nhsuk-table__head">
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {log.data?.items.map((e) => (
              <tr key={e.id}>
                <td>{when(e.at)}</td>
                <td>
                  {e.principal.name} ({e.principal.role}, {agencyName(directory, e.principal.agencyId)})
                </td>
                <td>
                  {e.action} · {e.view}
                </td>
                <td>{e.reason ? `${reasonLabels[e.reason as keyof typeof reasonLabels] ?? e.reason}: ${e.note ?? ''}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** Sends one event to a case: a form generated from the event's schema, If-Match with the version read, refusals shown with their rules. */
import { type FormEvent, useMemo, useState } from 'react';
import { eventCatalog } from '../../../machines/catalog.ts';
import { type EventType, eventBodies } from '../../../machines/events.ts';
import type { Blocker } from '../../../machines/rules.ts';
import { ApiError, request } from '../api/client.ts';
import { useDirectory } from '../api/directory.ts';
import type { CaseView } from '../api/types.ts';
import { ProblemSummary } from '../components/ProblemSummary.tsx';
import { fieldId, SchemaField } from './SchemaField.tsx';
import { initialRaw, type RawObject, schemaOf, toBody } from './schema.ts';

type Props = {
  caseId: string;
  version: number;
  type: EventType;
  conditions?: Blocker[];
  onSent: (c: CaseView) => void;
  onStale?: () => void;
};

export function EventForm({ caseId, version, type, conditions = [], onSent, onStale }: Props) {
  const schema = useMemo(() => schemaOf(type), [type]);
  const agencies = useDirectory();
  const [raw, setRaw] = useState<RawObject>(() => initialRaw(schema, true) as RawObject);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<ApiError>();
  const [sending, setSending] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = toBody(schema, raw, agencies) as Record<string, unknown>;
    // A first check in the browser with the same schema the server uses, so mistakes are shown beside their fields.
    const checked = eventBodies[type].safeParse(body);
    if (!checked.success) {
      setErrors(Object.fromEntries(checked.error.issues.map((i) => [i.path.join('.'), i.message])));
      setProblem(undefined);
      return;
    }
    setErrors({});
    setSending(true);
    try {
      const { data } = await request<CaseView>(`/api/cases/${caseId}/events`, {
        method: 'POST',
        body: { type, ...body },
        headers: { 'If-Match': `"${version}"`, 'Idempotency-Key': crypto.randomUUID() },
      });
      setProblem(undefined);
      onSent(data);
    } catch (err) {
      if (err instanceof ApiError) setProblem(err);
    } finally {
      setSending(false);
    }
  };

  const errorList = Object.entries(errors);
  return (
    <form onSubmit={submit} noValidate className="app-event-form" aria-labelledby={`form-${type}-title`} data-testid="event-form">
      <h3 id={`form-${type}-title`}>{eventCatalog[type].label}</h3>
      {conditions.length > 0 && (
        <div className="nhsuk-inset-text">
          <p>The details must still meet:</p>
          <ul>
            {conditions.map((c) => (
              <li key={c.rule + c.message}>
                <strong>{c.rule}</strong> ({c.clause}): {c.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {problem && (
        <>
          <ProblemSummary error={problem} title={problem.status === 412 ? 'This case has changed' : undefined} />
          {problem.status === 412 && onStale && (
            <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={onStale}>
              Reload the case
            </button>
          )}
        </>
      )}
      {errorList.length > 0 && (
        <div className="nhsuk-error-summary" role="alert" aria-labelledby={`errors-${type}`} tabIndex={-1}>
          <h2 className="nhsuk-error-summary__title" id={`errors-${type}`}>
            There is a problem
          </h2>
          <ul className="nhsuk-list nhsuk-error-summary__list">
            {errorList.map(([path, message]) => (
              <li key={path}>
                <a href={`#${fieldId(path.split('.'))}`}>
                  {path}: {message}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
      {Object.entries(schema.properties ?? {}).map(([k, p]) => (
        <SchemaField
          key={k}
          name={k}
          path={[k]}
          schema={p}
          required={schema.required?.includes(k) ?? false}
          value={raw[k]}
          onChange={(v) => setRaw((r) => ({ ...r, [k]: v }))}
          errors={errors}
          agencies={agencies}
        />
      ))}
      <button className="nhsuk-button" type="submit" disabled={sending}>
        {sending ? 'Sending…' : `Send: ${eventCatalog[type].label}`}
      </button>
    </form>
  );
}

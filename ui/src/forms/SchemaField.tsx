/** One generated field (and, for objects and lists, the fields inside it), labelled and with its error, NHS styles. */
import type { Agency } from '../api/types.ts';
import { humanise } from '../chart/status.ts';
import { initialRaw, isAgencyRef, isLongText, type JsonSchema, type Raw, type RawObject, unwrap } from './schema.ts';

type Props = {
  name: string;
  path: string[];
  schema: JsonSchema;
  required: boolean;
  value: Raw;
  onChange: (v: Raw) => void;
  errors: Record<string, string>;
  agencies: Agency[];
};

export const fieldId = (path: string[]) => `field-${path.join('-')}`;

function Wrapper({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: React.ReactNode;
}) {
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <label className="nhsuk-label" htmlFor={id}>
        {label}
      </label>
      {hint && (
        <div className="nhsuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <span className="nhsuk-error-message" id={`${id}-error`}>
          <span className="nhsuk-u-visually-hidden">Error:</span> {error}
        </span>
      )}
      {children}
    </div>
  );
}

export function SchemaField({ name, path, schema, required, value, onChange, errors, agencies }: Props) {
  const s = unwrap(schema);
  const id = fieldId(path);
  const error = errors[path.join('.')];
  const label = `${humanise(name)}${required ? '' : ' (optional)'}`;
  const described = [error ? `${id}-error` : '', isLongText(s) ? '' : ''].filter(Boolean).join(' ') || undefined;

  if (isAgencyRef(s))
    return (
      <Wrapper id={id} label={label} error={error}>
        <select
          className="nhsuk-select"
          id={id}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value || undefined)}
          aria-describedby={described}
        >
          <option value="">Choose a service</option>
          {agencies.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.kind})
            </option>
          ))}
        </select>
      </Wrapper>
    );

  if (s.type === 'object') {
    const obj = (value ?? undefined) as RawObject | undefined;
    return (
      <fieldset className="nhsuk-fieldset app-fieldset">
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{label}</legend>
        {!required && (
          <div className="nhsuk-checkboxes__item">
            <input
              className="nhsuk-checkboxes__input"
              type="checkbox"
              id={`${id}-include`}
              checked={obj !== undefined}
              onChange={(e) => onChange(e.target.checked ? initialRaw(s, true) : undefined)}
            />
            <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={`${id}-include`}>
              Include {humanise(name).toLowerCase()}
            </label>
          </div>
        )}
        {obj !== undefined &&
          Object.entries(s.properties ?? {}).map(([k, p]) => (
            <SchemaField
              key={k}
              name={k}
              path={[...path, k]}
              schema={p}
              required={s.required?.includes(k) ?? false}
              value={obj[k]}
              onChange={(v) => onChange({ ...obj, [k]: v })}
              errors={errors}
              agencies={agencies}
            />
          ))}
      </fieldset>
    );
  }

  if (s.type === 'array' && s.items?.type === 'object') {
    const list = Array.isArray(value) ? value : [];
    const items = s.items;
    return (
      <fieldset className="nhsuk-fieldset app-fieldset">
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{label}</legend>
        {list.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: list items have no identity of their own; position is what the form edits
          <div key={`${id}-${i}`} className="app-repeat">
            <SchemaField
              name={`${humanise(name)} ${i + 1}`}
              path={[...path, String(i)]}
              schema={items}
              required
              value={item}
              onChange={(v) => onChange(list.map((x, j) => (j === i ? v : x)))}
              errors={errors}
              agencies={agencies}
            />
            <button
              type="button"
              className="nhsuk-button nhsuk-button--secondary nhsuk-button--small"
              onClick={() => onChange(list.filter((_, j) => j !== i))}
            >
              Remove {humanise(name).toLowerCase()} {i + 1}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="nhsuk-button nhsuk-button--secondary nhsuk-button--small"
          onClick={() => onChange([...list, initialRaw(items, true)])}
        >
          Add {list.length ? 'another' : 'a'} {humanise(name).toLowerCase()}
        </button>
      </fieldset>
    );
  }

  if (s.type === 'boolean')
    return (
      <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
        {error && (
          <span className="nhsuk-error-message" id={`${id}-error`}>
            <span className="nhsuk-u-visually-hidden">Error:</span> {error}
          </span>
        )}
        <div className="nhsuk-checkboxes__item">
          <input
            className="nhsuk-checkboxes__input"
            type="checkbox"
            id={id}
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
            aria-describedby={described}
          />
          <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={id}>
            {humanise(name)}
          </label>
        </div>
      </div>
    );

  const text = typeof value === 'string' ? value : '';
  const set = (v: string) => onChange(v);
  if (s.enum)
    return (
      <Wrapper id={id} label={label} error={error}>
        <select className="nhsuk-select" id={id} value={text} onChange={(e) => set(e.target.value)} aria-describedby={described}>
          <option value="">Choose</option>
          {s.enum.map((o) => (
            <option key={o} value={o}>
              {humanise(o)}
            </option>
          ))}
        </select>
      </Wrapper>
    );
  if (s.type === 'array')
    return (
      <Wrapper id={id} label={label} error={error} hint="One per line">
        <textarea
          className="nhsuk-textarea"
          id={id}
          rows={3}
          value={text}
          onChange={(e) => set(e.target.value)}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        />
      </Wrapper>
    );
  const inputType =
    s.type === 'integer' || s.type === 'number'
      ? 'number'
      : s.format === 'date'
        ? 'date'
        : s.format === 'date-time'
          ? 'datetime-local'
          : 'text';
  return (
    <Wrapper id={id} label={label} error={error}>
      {isLongText(s) ? (
        <textarea
          className="nhsuk-textarea"
          id={id}
          rows={3}
          value={text}
          onChange={(e) => set(e.target.value)}
          aria-describedby={described}
        />
      ) : (
        <input
          className="nhsuk-input"
          id={id}
          type={inputType}
          value={text}
          onChange={(e) => set(e.target.value)}
          aria-describedby={described}
        />
      )}
    </Wrapper>
  );
}

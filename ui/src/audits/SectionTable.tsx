/** One audit section as an NHS table: its labelled columns, its rows. */
import type { AuditSection } from '../api/types.ts';

const cell = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'boolean' ? (v ? 'Yes' : 'No') : String(v));

export function SectionTable({ section, limit = 50 }: { section: AuditSection; limit?: number }) {
  const rows = section.rows.slice(0, limit);
  return (
    <div className="app-table-scroll">
      <table className="nhsuk-table" data-testid={`table-${section.name}`}>
        <caption className="nhsuk-table__caption">
          {section.title}
          {section.rows.length > limit ? ` (first ${limit} of ${section.total ?? section.rows.length}; the CSV has them all)` : ''}
        </caption>
        <thead className="nhsuk-table__head">
          <tr>
            {section.columns.map((c) => (
              <th scope="col" key={c.key}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="nhsuk-table__body">
          {rows.length === 0 && (
            <tr>
              <td colSpan={section.columns.length}>No rows in this period.</td>
            </tr>
          )}
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: an audit's rows are shown in the server's order and never reordered here
            <tr key={`${section.name}-${i}`}>
              {section.columns.map((c) => (
                <td key={c.key}>{cell(r[c.key])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

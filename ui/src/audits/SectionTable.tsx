/** One audit section as an NHS table: its labelled columns, its rows. */
import type { AuditSection } from '../api/types.ts';

const cell = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'boolean' ? (v ? 'Yes' : 'No') : String(v));

export function SectionTable({ section, limit = 50 }: { section: AuditSection; limit?: number }) {
  const rows = section.rows.slice(0, limit);
  return (
    // A table wider than the page scrolls sideways: the region takes keyboard focus so it can be scrolled without a mouse.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable (WCAG 2.1.1, axe scrollable-region-focusable)
    <section className="app-table-scroll" aria-label={section.title} tabIndex={0}>
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
    </section>
  );
}

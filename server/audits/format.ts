/** An audit's answer as CSV (one table, a `section` column first) or as plain-text tables for a terminal. */
import type { AuditResult, Section } from './types.ts';

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(' + ');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
};

/** RFC 4180 field quoting; a leading =, +, - or @ is prefixed so spreadsheets do not run it as a formula. */
export const csvField = (v: unknown): string => {
  let s = cell(v);
  if (/^[=+\-@]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
export const csvLine = (values: readonly unknown[]): string => `${values.map(csvField).join(',')}\r\n`;

/** One section as CSV, or every section one after another with a `section` column, each with its header row. */
export function toCsv(result: AuditResult, sectionName?: string): string {
  const sections = sectionName ? result.sections.filter((s) => s.name === sectionName) : result.sections;
  const many = sections.length > 1;
  return sections
    .map((s) => {
      const header = csvLine([...(many ? ['section'] : []), ...s.columns.map((c) => c.key)]);
      return header + s.rows.map((r) => csvLine([...(many ? [s.name] : []), ...s.columns.map((c) => r[c.key])])).join('');
    })
    .join(many ? '\r\n' : '');
}

/** One section as a plain-text table for a terminal. */
export function sectionText(s: Section): string {
  const headers = s.columns.map((c) => c.label);
  const body = s.rows.map((r) => s.columns.map((c) => cell(r[c.key])));
  const widths = headers.map((h, i) => Math.min(48, Math.max(h.length, ...body.map((row) => (row[i] ?? '').length))));
  const clip = (v: string, w: number) => (v.length > w ? `${v.slice(0, w - 1)}…` : v);
  const numeric = s.columns.map((_, i) => body.length > 0 && body.every((row) => row[i] === '' || /^-?\d+(\.\d+)?$/.test(row[i] ?? '')));
  const line = (cells: string[]) =>
    cells
      .map((v, i) => (numeric[i] ? clip(v, widths[i] ?? 0).padStart(widths[i] ?? 0) : clip(v, widths[i] ?? 0).padEnd(widths[i] ?? 0)))
      .join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const shown = s.total !== undefined && s.total > s.rows.length ? ` (first ${s.rows.length} of ${s.total})` : '';
  const rows = body.length ? body.map(line).join('\n') : '(none)';
  return `${s.title}${shown}\n${line(headers)}\n${rule}\n${rows}`;
}

/** Readable tables for the command line, with the period and filters on top. */
export function toText(result: AuditResult): string {
  const filters = Object.entries(result.filters).map(([k, v]) => `${k}=${v}`);
  const asOf = `as of ${result.period.asOf.slice(0, 16).replace('T', ' ')} UTC`;
  // Stalled and overdue describe now: without a chosen period they cover every open case.
  const now = (result.audit === 'stalled' || result.audit === 'overdue') && !result.period.given;
  const span = now ? asOf : `${result.period.from.slice(0, 10)} to ${result.period.to.slice(0, 10)} (${asOf})`;
  const top = `${result.title} — ${span}${filters.length ? `; ${filters.join(', ')}` : ''}`;
  return [top, ...result.sections.map(sectionText)].join('\n\n');
}

/** PostgreSQL COPY text encoding of the rows a batch of cases writes (the fast path of the batch loader). */
import type { CaseRows } from './rows.ts';

export const tableOrder = ['service_users', 'cases', 'case_events', 'case_deadlines', 'state_stays', 'refused_attempts'] as const;
export type TableName = (typeof tableOrder)[number];
export type Encoded = Partial<Record<TableName, { columns: string[]; text: string; rows: number }>>;

const snake = (key: string) => key.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
const escapeText = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
const arrayLiteral = (xs: unknown[]) =>
  `{${xs.map((x) => (x === null || x === undefined ? 'NULL' : `"${String(x).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;

/** One value in COPY text format: `\N` for null, ISO time for dates, array and JSON literals. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return escapeText(arrayLiteral(v));
  if (typeof v === 'object') return escapeText(JSON.stringify(v));
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return escapeText(String(v));
}

const rowsOf = (batch: CaseRows[], table: TableName): Record<string, unknown>[] => {
  switch (table) {
    case 'service_users':
      return batch.flatMap((c) => (c.person ? [c.person] : []));
    case 'cases':
      return batch.map((c) => c.kase);
    case 'case_events':
      return batch.flatMap((c) => c.events);
    case 'case_deadlines':
      return batch.flatMap((c) => c.deadlines);
    case 'state_stays':
      return batch.flatMap((c) => c.stays);
    case 'refused_attempts':
      return batch.flatMap((c) => c.refused);
  }
};

/** Encodes a batch table by table, columns named as the schema's casing names them (snake_case). */
export function encodeBatch(batch: CaseRows[]): Encoded {
  const out: Encoded = {};
  for (const table of tableOrder) {
    const rows = rowsOf(batch, table);
    const first = rows[0];
    if (!first) continue;
    const keys = Object.keys(first);
    const text = rows.map((r) => `${keys.map((k) => copyValue(r[k])).join('\t')}\n`).join('');
    out[table] = { columns: keys.map(snake), text, rows: rows.length };
  }
  return out;
}

export { rowsOf };

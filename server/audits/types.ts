/** The shape every audit answers in: sections of rows with labelled columns, for JSON, CSV and the command line. */
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { agencyKinds, areas, quadrants } from '../../machines/vocab.ts';

export type Column = { key: string; label: string };
export type Section = {
  name: string;
  title: string;
  columns: Column[];
  rows: Record<string, unknown>[];
  /** Rows that matched before `limit` cut the list, where a list is cut. */
  total?: number;
};
export type AuditResult = {
  audit: string;
  title: string;
  /** `given` is false when the caller chose no period (the "now" audits then cover every open case). */
  period: { from: string; to: string; asOf: string; given: boolean };
  filters: Partial<Record<'area' | 'lead' | 'leadKind' | 'quadrant', string>>;
  sections: Section[];
};

const dateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** Query parameters shared by every audit (the API's query string and the command line's flags). */
export const auditQuerySchema = z.object({
  from: dateOrTime.optional().meta({ description: 'Start of the period (date or date-time); default 90 days before `to`' }),
  to: dateOrTime.optional().meta({ description: 'End of the period, exclusive (a date includes that whole day); default now' }),
  area: z.enum(areas).optional(),
  lead: z.string().trim().min(1).max(100).optional().meta({
    description: 'Agency id of the lead (or, before a lead is assigned, of the service holding the referral)',
  }),
  leadKind: z.enum(agencyKinds).optional(),
  quadrant: z.enum(quadrants).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(500).meta({ description: 'Most case rows listed per section' }),
  window: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(90)
    .meta({ description: 'Days within which repeated lead changes count as bouncing' }),
  targets: z
    .string()
    .max(2000)
    .regex(/^[\w.]+=\d+(,[\w.]+=\d+)*$/)
    .optional()
    .meta({ description: 'Stall targets overriding the pathway’s, as `state=days,…` (e.g. `assessment=21`)' }),
});
export type AuditQuery = z.input<typeof auditQuerySchema>;

export type AuditFilters = {
  from: Date;
  to: Date;
  /** The moment ongoing stays are measured to: the end of the period, or now if that is earlier. */
  asOf: Date;
  /** Whether the caller chose the period (the "now" audits then restrict to it). */
  periodGiven: boolean;
  area?: string | undefined;
  lead?: string | undefined;
  leadKind?: string | undefined;
  quadrant?: string | undefined;
  limit: number;
  windowDays: number;
  targets: Record<string, number>;
};

const DAY_MS = 86_400_000;
const parseBound = (value: string, end: boolean): Date =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(Date.parse(`${value}T00:00:00Z`) + (end ? DAY_MS : 0)) : new Date(value);

/** Resolves query parameters against a clock into the filters the audits take. */
export function resolveFilters(input: AuditQuery, now: Date = new Date()): AuditFilters {
  const q = auditQuerySchema.parse(input);
  const to = q.to ? parseBound(q.to, true) : now;
  const from = q.from ? parseBound(q.from, false) : new Date(to.getTime() - 90 * DAY_MS);
  const targets = Object.fromEntries(
    (q.targets?.split(',') ?? []).map((pair) => pair.split('=') as [string, string]).map(([k, v]) => [k, Number(v)]),
  );
  return {
    from,
    to,
    asOf: new Date(Math.min(to.getTime(), now.getTime())),
    periodGiven: q.from !== undefined || q.to !== undefined,
    area: q.area,
    lead: q.lead,
    leadKind: q.leadKind,
    quadrant: q.quadrant,
    limit: q.limit,
    windowDays: q.window,
    targets,
  };
}

export type Audit = {
  name: string;
  title: string;
  description: string;
  /** Measures the present (open cases, pending requests): a period narrows it only when the caller gives one. */
  now?: boolean;
  run: (db: Db, filters: AuditFilters) => Promise<AuditResult>;
};

/** The common head of every audit's answer. */
export const head = (audit: Pick<Audit, 'name' | 'title'>, f: AuditFilters): Omit<AuditResult, 'sections'> => ({
  audit: audit.name,
  title: audit.title,
  period: { from: f.from.toISOString(), to: f.to.toISOString(), asOf: f.asOf.toISOString(), given: f.periodGiven },
  filters: Object.fromEntries(
    (['area', 'lead', 'leadKind', 'quadrant'] as const).filter((k) => f[k] !== undefined).map((k) => [k, f[k] as string]),
  ),
});

export const col = (key: string, label: string): Column => ({ key, label });

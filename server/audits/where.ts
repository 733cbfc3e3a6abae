/** Filter fragments for the audit queries: the same filters on whichever columns a query reads them from. */
import { type SQL, sql } from 'drizzle-orm';
import type { AuditFilters } from './types.ts';

export type FilterColumns = { area?: SQL; agency?: SQL; agencyKind?: SQL; quadrant?: SQL };

/** `and …` conditions for the filters that are set (an empty fragment when none are). */
export function filterSql(f: AuditFilters, c: FilterColumns): SQL {
  const parts: SQL[] = [];
  if (f.area && c.area) parts.push(sql`${c.area} = ${f.area}`);
  if (f.lead && c.agency) parts.push(sql`${c.agency} = ${f.lead}`);
  if (f.leadKind && c.agencyKind) parts.push(sql`${c.agencyKind} = ${f.leadKind}`);
  if (f.quadrant && c.quadrant) parts.push(sql`${c.quadrant} = ${f.quadrant}`);
  return parts.length ? sql` and ${sql.join(parts, sql` and `)}` : sql``;
}

/** The case row `c` with its responsible agency `ra`: what `caseFilters` reads. */
export const casesWithAgency = sql`(cases c left join agencies ra on ra.id = c.responsible_agency_id)`;

/** Filters on a case row aliased `c` (its current lead or responsible agency, area and quadrant), from `casesWithAgency`. */
export const caseFilters = (f: AuditFilters): SQL =>
  filterSql(f, {
    area: sql`c.area`,
    agency: sql`coalesce(c.responsible_agency_id, c.lead_agency_id)`,
    agencyKind: sql`coalesce(c.lead_agency_kind, ra.kind)`,
    quadrant: sql`c.quadrant`,
  });

/**
 * From a row keyed by `caseId`, the cases the filters choose, joined only where a filter is set, ending in an open
 * `where` clause (`where true …`): an audit that counts tens of thousands of cases then reads case rows only for the
 * rows it lists. The chosen cases are one index-only scan (cases_quadrant_area_idx carries the filter columns) hashed
 * once: `offset 0` keeps the planner from folding them into a lookup of the case row per candidate, which it chose on
 * estimates a hundred times too low after a `distinct` or `union` (122,666 case-row reads for QS188-2 in East Kent Q1).
 */
export const caseScope = (f: AuditFilters, caseId: SQL): SQL =>
  f.area || f.lead || f.leadKind || f.quadrant
    ? sql`join (select c.id from ${casesWithAgency} where true ${caseFilters(f)} offset 0) scope
            on scope.id = ${caseId} where true`
    : sql`where true`;

/** Filters on a stay aliased `st` (who held the case when the stay began). */
export const stayFilters = (f: AuditFilters): SQL =>
  filterSql(f, { area: sql`st.area`, agency: sql`st.agency_id`, agencyKind: sql`st.agency_kind`, quadrant: sql`st.quadrant` });

/** Timestamps as parameters (postgres.js and PGlite both take ISO text for timestamptz). */
export const ts = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`;

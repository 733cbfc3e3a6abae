/** /api/stats: aggregates for the pathway map — open cases and current waits per leaf state, and who waits longest in one. */

import { type SQL, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { isCareRole } from '../../machines/access.ts';
import { currentVersion } from '../../machines/versions.ts';
import { agencyKinds, areas, quadrants } from '../../machines/vocab.ts';
import { authorizeRoute } from '../access.ts';
import type { Env } from '../env.ts';
import { problems } from '../problem.ts';

export const stats = new Hono<Env>();

const filtersSchema = z.object({
  area: z.enum(areas).optional(),
  lead: z.string().trim().min(1).max(100).optional(),
  leadKind: z.enum(agencyKinds).optional(),
  quadrant: z.enum(quadrants).optional(),
});
type Filters = z.infer<typeof filtersSchema>;

const parse = <T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> => {
  const r = schema.safeParse(query);
  if (!r.success) throw problems.malformed(z.prettifyError(r.error));
  return r.data;
};

/** The same filters the audits take, on the case row `c` (lead, or before a lead the agency holding the referral). */
function where(f: Filters): SQL {
  const parts: SQL[] = [sql`c.status = 'open'`];
  if (f.area) parts.push(sql`c.area = ${f.area}`);
  if (f.lead) parts.push(sql`coalesce(c.lead_agency_id, c.responsible_agency_id) = ${f.lead}`);
  if (f.leadKind) parts.push(sql`coalesce(c.lead_agency_kind, ra.kind) = ${f.leadKind}`);
  if (f.quadrant) parts.push(sql`c.quadrant = ${f.quadrant}`);
  return sql.join(parts, sql` and `);
}

/** Each open case in each of its leaf states, with when it entered that state (the open stay, else the case's last change). */
/** Open cases by leaf state; with `agency`, only those the agency has or had a part in (machines/access.ts). */
const openStays = (f: Filters, agency?: string) => sql`
  select c.id, c.reference, c.area, c.quadrant, c.lead_agency_id, c.responsible_agency_id, c.pathway_version, s.state,
         coalesce((select max(st.entered_at) from state_stays st
                    where st.case_id = c.id and st.state = s.state and st.left_at is null), c.state_entered_at) as entered_at
    from cases c
    left join agencies ra on ra.id = c.responsible_agency_id
    cross join lateral unnest(c.state_paths) as s(state)
   where ${where(f)} ${agency ? sql`and c.agencies @> array[${agency}]::text[]` : sql``}`;

async function rows<T>(db: Env['Variables']['deps']['database']['db'], query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

const days = (at: Date) => sql`(extract(epoch from (${at.toISOString()}::timestamptz - o.entered_at)) / 86400.0)`;

stats.get('/states', async (c) => {
  authorizeRoute(c.var.principal, 'stats');
  const f = parse(filtersSchema, c.req.query());
  const now = c.var.deps.now();
  const states = await rows<{ state: string; open: number; earlier: number; median_days: number; max_days: number }>(
    c.var.deps.database.db,
    sql`with o as (${openStays(f)})
        select o.state, count(*)::int as open, count(*) filter (where o.pathway_version < ${currentVersion})::int as earlier,
               round((percentile_cont(0.5) within group (order by ${days(now)}))::numeric, 1)::float8 as median_days,
               round(max(${days(now)})::numeric, 1)::float8 as max_days
          from o group by o.state order by o.state`,
  );
  const [total] = await rows<{ open: number; earlier: number }>(
    c.var.deps.database.db,
    sql`select count(*)::int as open, count(*) filter (where c.pathway_version < ${currentVersion})::int as earlier from cases c left join agencies ra on ra.id = c.responsible_agency_id where ${where(f)}`,
  );
  return c.json({
    asOf: now.toISOString(),
    filters: f,
    open: total?.open ?? 0,
    // Cases still on an earlier pathway version are counted in the state of the same name on the current chart.
    pathwayVersion: currentVersion,
    onEarlierVersions: total?.earlier ?? 0,
    states: states.map((s) => ({
      state: s.state,
      open: s.open,
      onEarlierVersions: s.earlier,
      medianDays: s.median_days,
      maxDays: s.max_days,
    })),
  });
});

const casesQuery = filtersSchema.extend({
  state: z.string().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

stats.get('/cases', async (c) => {
  authorizeRoute(c.var.principal, 'stats');
  const { state, limit, ...f } = parse(casesQuery, c.req.query());
  const now = c.var.deps.now();
  // A compound state holds the cases in any of its leaves.
  const items = await rows<Record<string, unknown>>(
    c.var.deps.database.db,
    // A service is listed only the cases it has a part in: the others it is not told of (404 on the case routes).
    sql`with o as (${openStays(f, isCareRole(c.var.principal.role) ? c.var.principal.agencyId : undefined)})
        select o.id, o.reference, o.state, o.area, o.quadrant, o.lead_agency_id as "leadAgencyId",
               o.responsible_agency_id as "responsibleAgencyId",
               to_char(o.entered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "enteredAt",
               round(${days(now)}::numeric, 1)::float8 as "daysInState"
          from o where o.state = ${state} or o.state like ${`${state}.%`}
         order by o.entered_at asc, o.reference limit ${limit}`,
  );
  return c.json({ state, items });
});

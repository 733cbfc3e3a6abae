/** /api/stats: aggregates for the pathway map — open cases, over target and current waits per state, and who waits longest in one. */

import { type SQL, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { isCareRole } from '../../machines/access.ts';
import { pathwayDefinition } from '../../machines/definition.ts';
import { currentVersion, pathwayVersions } from '../../machines/versions.ts';
import { agencyKinds, areas, quadrants } from '../../machines/vocab.ts';
import { authorizeRoute } from '../access.ts';
import { plainRows as rows } from '../audits/sql.ts';
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

/** Open cases by leaf state; with `agency`, only those the agency has or had a part in (machines/access.ts). */
const openStays = (f: Filters, agency?: string) => sql`
  select c.id, c.reference, c.area, c.quadrant, c.lead_agency_id, c.responsible_agency_id, c.pathway_version, s.state,
         coalesce((select max(st.entered_at) from state_stays st
                    where st.case_id = c.id and st.state = s.state and st.left_at is null), c.state_entered_at) as entered_at
    from cases c
    left join agencies ra on ra.id = c.responsible_agency_id
    cross join lateral unnest(c.state_paths) as s(state)
   where ${where(f)} ${agency ? sql`and c.agencies @> array[${agency}]::text[]` : sql``}`;

/** Days from when the row `alias` entered its state until `at`. */
const days = (at: Date, alias = 'w') =>
  sql`(extract(epoch from (${at.toISOString()}::timestamptz - ${sql.raw(alias)}.entered_at)) / 86400.0)`;

/** Each state's target in days on the current chart (null where none is set), and whether a state under it has one. */
const targets = () => {
  const states = pathwayDefinition().states.filter((s) => s.type !== 'history');
  return sql.join(
    states.map((s) => {
      const under = states.some((d) => d.id.startsWith(`${s.id}.`) && d.targetDays !== null);
      return sql`(${s.id}::text, ${s.targetDays}::float8, ${under}::boolean)`;
    }),
    sql`, `,
  );
};

/** Each compound state above a leaf path `expr`: `active.jointCare.detox.none` → `active`, `active.jointCare`, `active.jointCare.detox`. */
const ancestors = (expr: SQL) =>
  sql`(select array_to_string((string_to_array(${expr}, '.'))[1:n], '.') as state
         from generate_series(1, array_length(string_to_array(${expr}, '.'), 1) - 1) as n)`;

/**
 * Each state of any pathway version with every compound state above it, and the leaves under each compound state:
 * joined by equality, so reading the stays needs no string work per row.
 */
const stateTree = () => {
  const ids = new Set(pathwayVersions.flatMap((v) => pathwayDefinition(v.version).states.map((s) => s.id)));
  const pairs = [...ids].flatMap((id) => {
    const parts = id.split('.');
    return parts.slice(1).map((_, i) => [id, parts.slice(0, i + 1).join('.')] as const);
  });
  const above = sql.join(
    pairs.map(([state, ancestor]) => sql`(${state}::text, ${ancestor}::text)`),
    sql`, `,
  );
  const compounds = [...new Set(pairs.map(([, a]) => a))];
  const below = sql.join(
    compounds.map(
      (a) =>
        sql`(${a}::text, array[${sql.join(
          pairs.filter(([, x]) => x === a).map(([s]) => sql`${s}`),
          sql`, `,
        )}]::text[])`,
    ),
    sql`, `,
  );
  return { above, below };
};

/**
 * Every open case once in each state it is in now — its leaves and each compound state above them — with when it
 * entered that state. A compound state was entered by the earliest stay under it since the case last left it (a stay
 * under it that ended in no state under it); a case in two parallel regions is one row at the parallel state. Read in
 * one pass over the open cases' stays (hash joins, no lookup per case).
 */
const currentStays = (f: Filters, now: Date, agency?: string) => sql`
  o as (${openStays(f, agency)}),
  anc as (
    select o.id, o.pathway_version, p.state, min(o.entered_at) as leaf_entered_at,
           o.reference, o.area, o.quadrant, o.lead_agency_id, o.responsible_agency_id
      from o cross join lateral ${ancestors(sql`o.state`)} as p
     group by 1, 2, 3, o.reference, o.area, o.quadrant, o.lead_agency_id, o.responsible_agency_id),
  above (state, ancestor) as (values ${stateTree().above}),
  below (ancestor, states) as (values ${stateTree().below}),
  -- The open cases' stays under each compound state, and whether a stay's end took the case out of it.
  under as (
    select st.case_id as id, ab.ancestor as state, st.entered_seq, st.entered_at,
           case when st.left_seq is not null and not (coalesce(st.left_to, '{}') && b.states) then st.left_seq end as exit_seq
      from state_stays st
      join (select distinct o.id from o) as oc on oc.id = st.case_id
      join above ab on ab.state = st.state
      join below b on b.ancestor = ab.ancestor),
  last_exit as (select u.id, u.state, coalesce(max(u.exit_seq), 0) as seq from under u group by 1, 2),
  compound_entered as (
    select u.id, u.state, min(u.entered_at) as entered_at
      from under u join last_exit le on le.id = u.id and le.state = u.state
     where u.entered_seq > le.seq group by 1, 2),
  w as (
    select o.id, o.pathway_version, o.state, o.entered_at, false as compound, o.reference, o.area, o.quadrant, o.lead_agency_id, o.responsible_agency_id from o
    union all
    select a.id, a.pathway_version, a.state, coalesce(ce.entered_at, a.leaf_entered_at) as entered_at,
           true as compound, a.reference, a.area, a.quadrant, a.lead_agency_id, a.responsible_agency_id
      from anc a left join compound_entered ce on ce.id = a.id and ce.state = a.state),
  t (state, target_days, targets_under) as (values ${targets()}),
  -- A leaf's cases over its own target.
  over_leaf as (
    select w.id, w.state from w join t on t.state = w.state
     where not w.compound and t.target_days is not null and ${days(now)} > t.target_days)`;

stats.get('/states', async (c) => {
  authorizeRoute(c.var.principal, 'stats');
  const f = parse(filtersSchema, c.req.query());
  const now = c.var.deps.now();
  const states = await rows<{
    state: string;
    compound: boolean;
    open: number;
    earlier: number;
    target_days: number | null;
    over: number | null;
    median_days: number;
    max_days: number;
  }>(
    c.var.deps.database.db,
    sql`with ${currentStays(f, now)}
        select w.state, w.compound, count(distinct w.id)::int as open,
               count(distinct w.id) filter (where w.pathway_version < ${currentVersion})::int as earlier,
               max(t.target_days) as target_days,
               -- Over its own target; a compound state without one: its cases over target in any state under it.
               case when max(t.target_days) is not null
                      then count(distinct w.id) filter (where ${days(now)} > t.target_days)::int
                    when bool_or(t.targets_under)
                      then (select count(distinct ol.id) from over_leaf ol where ol.state like w.state || '.%')::int
               end as over,
               round((percentile_cont(0.5) within group (order by ${days(now)}))::numeric, 1)::float8 as median_days,
               round(max(${days(now)})::numeric, 1)::float8 as max_days
          from w left join t on t.state = w.state
         group by w.state, w.compound order by w.state`,
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
    // One measure for every role: the waits of the cases in each state now (since each entered it), not of past stays.
    measure: 'currentWait',
    states: states.map((s) => ({
      state: s.state,
      compound: s.compound,
      open: s.open,
      onEarlierVersions: s.earlier,
      targetDays: s.target_days,
      overTarget: s.over,
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
  // Each case once, however many of the state's regions it is in, with how long it has been in the state asked about.
  const items = await rows<Record<string, unknown>>(
    c.var.deps.database.db,
    // A service is listed only the cases it has a part in: the others it is not told of (404 on the case routes).
    sql`with ${currentStays(f, now, isCareRole(c.var.principal.role) ? c.var.principal.agencyId : undefined)}
        select w.id, w.reference, w.state, w.area, w.quadrant, w.lead_agency_id as "leadAgencyId",
               w.responsible_agency_id as "responsibleAgencyId",
               (select array_agg(o.state order by o.state) from o
                 where o.id = w.id and (o.state = w.state or o.state like w.state || '.%')) as "leaves",
               to_char(w.entered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "enteredAt",
               round(${days(now)}::numeric, 1)::float8 as "daysInState"
          from w where w.state = ${state}
         order by w.entered_at asc, w.reference limit ${limit}`,
  );
  return c.json({ state, items });
});

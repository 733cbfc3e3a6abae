/** Audit 2 — stalled now: open cases in a state longer than its target, oldest first, with who holds them. */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { stateTargetDays } from '../../machines/config.ts';
import { days, iso, round1, rows } from './sql.ts';
import { type Audit, type AuditFilters, col, head } from './types.ts';
import { caseFilters, casesWithAgency, ts } from './where.ts';

/** The pathway's targets (machines/config.ts, keyed without `active.`), with the caller's overrides. */
export function stallTargets(overrides: Record<string, number> = {}): Record<string, number> {
  const merged = { ...stateTargetDays, ...overrides };
  return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k.startsWith('active.') ? k : `active.${k}`, v]));
}

async function run(db: Db, f: AuditFilters) {
  const targets = Object.entries(stallTargets(f.targets));
  if (targets.length === 0) return { summary: [], cases: [], total: 0 };
  const values = sql.join(
    targets.map(([state, d]) => sql`(${state}::text, ${d}::int)`),
    sql`, `,
  );
  const period = f.periodGiven ? sql` and st.entered_at >= ${ts(f.from)} and st.entered_at < ${ts(f.to)}` : sql``;
  const asOf = ts(f.asOf);
  // Open stays past their target, read once from the partial index of open stays (state, entered_at), then both
  // listed (oldest first, up to the limit) and counted per state from that one read.
  const [result] = await rows<{ cases: Record<string, unknown>[] | null; summary: Record<string, unknown>[] | null }>(
    db,
    sql`
    with s as materialized (
      select st.state, t.target_days, st.entered_at, c.reference, c.lead_agency_id, c.responsible_agency_id,
             c.coordinator_name, c.area, c.quadrant
        from (values ${values}) as t(state, target_days)
        join state_stays st on st.state = t.state and st.left_at is null
                           and st.entered_at < ${asOf} - make_interval(days => t.target_days) ${period}
        join ${casesWithAgency} on c.id = st.case_id
       where c.status = 'open' ${caseFilters(f)}
    ), listed as (
      select s.reference, s.state, s.target_days, ${iso(sql`s.entered_at`)} as entered_at,
             ${round1(days(sql`s.entered_at`, asOf))} as days_in_state,
             ${round1(sql`${days(sql`s.entered_at`, asOf)} - s.target_days`)} as days_over_target,
             coalesce(la.name, s.lead_agency_id, ra.name, s.responsible_agency_id) as lead_agency,
             s.coordinator_name as coordinator, s.area, s.quadrant
        from s
        left join agencies la on la.id = s.lead_agency_id
        left join agencies ra on ra.id = s.responsible_agency_id
       order by s.entered_at asc, s.reference
       limit ${f.limit}
    ), per_state as (
      select s.state, min(s.target_days)::int as target_days, count(*)::int as stalled,
             ${round1(sql`max(${days(sql`s.entered_at`, asOf)})`)} as oldest_days
        from s group by s.state
    )
    select (select json_agg(l order by l.entered_at, l.reference) from listed l) as cases,
           (select json_agg(p order by p.stalled desc, p.state) from per_state p) as summary`,
  );
  const cases = result?.cases ?? [];
  const summary = result?.summary ?? [];
  const total = summary.reduce((n, r) => n + Number(r.stalled), 0);
  return { summary, cases, total };
}

export const stalled: Audit = {
  name: 'stalled',
  title: 'Stalled now',
  now: true,
  description: 'Open cases in a state longer than the state’s target, oldest first, with the lead agency and care coordinator',
  run: async (db, f) => {
    const { summary, cases, total } = await run(db, f);
    return {
      ...head(stalled, f),
      sections: [
        {
          name: 'summary',
          title: 'Stalled cases per state',
          columns: [
            col('state', 'State'),
            col('target_days', 'Target days'),
            col('stalled', 'Stalled'),
            col('oldest_days', 'Oldest (days)'),
          ],
          rows: summary,
        },
        {
          name: 'cases',
          title: 'Stalled cases, oldest first',
          columns: [
            col('reference', 'Case'),
            col('state', 'State'),
            col('days_in_state', 'Days in state'),
            col('target_days', 'Target'),
            col('days_over_target', 'Days over'),
            col('lead_agency', 'Lead (or responsible) agency'),
            col('coordinator', 'Coordinator'),
            col('area', 'Area'),
            col('quadrant', 'Quadrant'),
            col('entered_at', 'Entered'),
          ],
          rows: cases,
          total,
        },
      ],
    };
  },
};

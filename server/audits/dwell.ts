/** Audit 1 — dwell per state: how long stays last in each state, in calendar and in working days. */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { ensureCalendar } from './calendar.ts';
import { days, localDate, round1, rows } from './sql.ts';
import { type Audit, type AuditFilters, col, head } from './types.ts';
import { stayFilters, ts } from './where.ts';

/**
 * A stay counts once per period: as finished when it ended within the period, as ongoing when it was still open at
 * the period's end (measured to then). Three index range scans — stays ended in the period, stays still open, stays
 * ended after the period — rather than one scan of every stay that began before the period ended.
 */
async function run(db: Db, f: AuditFilters) {
  await ensureCalendar(db);
  const filters = stayFilters(f);
  const asOf = ts(f.asOf);
  const result = await rows<Record<string, unknown>>(
    db,
    sql`
    with s as (
      select st.state, st.case_id, true as finished, st.entered_at, st.left_at as ended
        from state_stays st
       where st.left_at >= ${ts(f.from)} and st.left_at < ${ts(f.to)} and st.state <> 'new' ${filters}
      union all
      select st.state, st.case_id, false, st.entered_at, ${asOf}
        from state_stays st
       where st.left_at is null and st.entered_at < ${ts(f.to)} and st.state <> 'new' ${filters}
      union all
      select st.state, st.case_id, false, st.entered_at, ${asOf}
        from state_stays st
       where st.left_at >= ${ts(f.to)} and st.entered_at < ${ts(f.to)} and st.state <> 'new' ${filters}
    ), d as (
      select s.state, s.case_id, s.finished, ${days(sql`s.entered_at`, sql`s.ended`)} as cal,
             (w2.ordinal - w1.ordinal) as work
        from s
        left join working_days w1 on w1.day = ${localDate(sql`s.entered_at`)}
        left join working_days w2 on w2.day = ${localDate(sql`s.ended`)}
    ), g as (
    select state,
           count(distinct case_id)::int as cases,
           count(*)::int as stays,
           count(*) filter (where finished)::int as finished,
           count(*) filter (where not finished)::int as ongoing,
           -- One sort per measure for both percentiles (an array of fractions), not one per percentile.
           percentile_cont(array[0.5, 0.9]) within group (order by cal) as cal_p,
           max(cal) as cal_max,
           percentile_cont(array[0.5, 0.9]) within group (order by work) as work_p,
           max(work)::int as max_working_days
      from d
     group by state
    )
    select state, cases, stays, finished, ongoing,
           ${round1(sql`cal_p[1]`)} as median_days, ${round1(sql`cal_p[2]`)} as p90_days, ${round1(sql`cal_max`)} as max_days,
           ${round1(sql`work_p[1]`)} as median_working_days, ${round1(sql`work_p[2]`)} as p90_working_days, max_working_days
      from g
     order by state`,
  );
  return result;
}

export const dwell: Audit = {
  name: 'dwell',
  title: 'Dwell per state',
  description:
    'Cases and stays in each state with median, p90 and max length, in calendar days and in England and Wales working days; finished and ongoing stays',
  run: async (db, f) => ({
    ...head(dwell, f),
    sections: [
      {
        name: 'states',
        title: 'Time in each state',
        columns: [
          col('state', 'State'),
          col('cases', 'Cases'),
          col('stays', 'Stays'),
          col('finished', 'Finished'),
          col('ongoing', 'Ongoing'),
          col('median_days', 'Median days'),
          col('p90_days', 'p90 days'),
          col('max_days', 'Max days'),
          col('median_working_days', 'Median working days'),
          col('p90_working_days', 'p90 working days'),
          col('max_working_days', 'Max working days'),
        ],
        rows: await run(db, f),
      },
    ],
  }),
};

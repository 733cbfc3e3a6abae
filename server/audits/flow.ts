/** Audit 5 — flow: a directly-follows graph of the statechart's leaf states, with how often and how fast each edge is taken. */
import { sql } from 'drizzle-orm';
import { days, round1, rows } from './sql.ts';
import { type Audit, col, head } from './types.ts';
import { stayFilters, ts } from './where.ts';

/**
 * Each stay that ended in the period is one edge from its state to each state its ending event entered (parallel
 * regions give one edge per region). The time on an edge is the length of the stay it leaves; `new` edges show
 * where journeys begin, edges to `closed` where they end.
 */
export const flow: Audit = {
  name: 'flow',
  title: 'Flow between states',
  description: 'How many cases moved between each pair of states in the period and the median time they took (a directly-follows graph)',
  run: async (db, f) => {
    const edges = await rows<Record<string, unknown>>(
      db,
      sql`
      select st.state as from_state, t.to_state,
             count(distinct st.case_id)::int as cases,
             count(*)::int as transitions,
             ${round1(sql`percentile_cont(0.5) within group (order by ${days(sql`st.entered_at`, sql`st.left_at`)})`)} as median_days
        from state_stays st
        cross join lateral unnest(st.left_to) as t(to_state)
       where st.left_at >= ${ts(f.from)} and st.left_at < ${ts(f.to)} ${stayFilters(f)}
       group by st.state, t.to_state
       order by transitions desc, from_state, to_state`,
    );
    return {
      ...head(flow, f),
      sections: [
        {
          name: 'edges',
          title: 'Directly-follows edges',
          columns: [
            col('from_state', 'From'),
            col('to_state', 'To'),
            col('cases', 'Cases'),
            col('transitions', 'Transitions'),
            col('median_days', 'Median days in the from-state'),
          ],
          rows: edges,
        },
      ],
    };
  },
};

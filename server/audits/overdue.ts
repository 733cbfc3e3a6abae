/** Audit 3 — overdue: requests awaiting acceptance past their follow-up date, and care-plan reviews past due (R-REF-FOLLOWUP, R-REVIEW). */
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { days, iso, round1, rows, takeTotals } from './sql.ts';
import { type Audit, type AuditFilters, col, head } from './types.ts';
import { caseScope, ts } from './where.ts';

/** The agency a pending request waits on, read from the case's snapshot for the few rows listed (not per scan). */
const awaitedAgency = sql`case d.name
    when 'referralFollowUp' then c.snapshot #>> '{context,referral,to,id}'
    when 'leadFollowUp' then c.snapshot #>> '{context,leadProposal,to,id}'
    when 'handoverFollowUp' then c.snapshot #>> '{context,handover,to,id}'
    when 'involvementFollowUp' then jsonb_path_query_first(c.snapshot, '$.context.involvements[*] ? (@.id == $ref).agency.id', jsonb_build_object('ref', d.ref)) #>> '{}'
  end`;

const requests = ['referralFollowUp', 'leadFollowUp', 'handoverFollowUp', 'involvementFollowUp'];

async function list(db: Db, f: AuditFilters, names: string[]) {
  const asOf = ts(f.asOf);
  const period = f.periodGiven ? sql` and d.due_at >= ${ts(f.from)} and d.due_at < ${ts(f.to)}` : sql``;
  const inNames: SQL = sql.join(
    names.map((n) => sql`${n}`),
    sql`, `,
  );
  // case_deadlines holds only the pending deadlines of open cases (the engine replaces them whenever they change, and a
  // closed case has none), so the case row is read only where a filter needs it and for the rows listed — not for
  // each of the tens of thousands of overdue reviews a million cases have.
  const scope = caseScope(f, sql`d.case_id`);
  // The listed rows and the total over all of them in one pass; the snapshot is read only for the rows listed.
  const items = await rows<Record<string, unknown>>(
    db,
    sql`
    select c.reference, d.name as deadline, nullif(d.ref, '') as ref, ${iso(sql`d.due_at`)} as due_at,
           ${round1(days(sql`d.due_at`, asOf))} as days_overdue,
           ${awaitedAgency} as awaiting_agency,
           coalesce(c.lead_agency_id, c.responsible_agency_id) as responsible_agency,
           c.coordinator_name as coordinator, array_to_string(c.state_paths, ' + ') as state, c.area, c.quadrant, d.total
      from (
        select d.case_id, d.name, d.ref, d.due_at, (count(*) over ())::int as total
          from case_deadlines d
          ${scope} and d.name in (${inNames}) and d.due_at < ${asOf} ${period}
         order by d.due_at asc, d.case_id
         limit ${f.limit}) d
      join cases c on c.id = d.case_id
     order by d.due_at asc, c.reference`,
  );
  const { total } = takeTotals(items, ['total']);
  return { items, total };
}

const columns = [
  col('reference', 'Case'),
  col('deadline', 'Deadline'),
  col('due_at', 'Due'),
  col('days_overdue', 'Days overdue'),
  col('awaiting_agency', 'Awaiting'),
  col('responsible_agency', 'Responsible agency'),
  col('coordinator', 'Coordinator'),
  col('state', 'State'),
  col('area', 'Area'),
  col('quadrant', 'Quadrant'),
];

export const overdue: Audit = {
  name: 'overdue',
  title: 'Overdue',
  now: true,
  description:
    'Referrals, lead proposals, handovers and involvement requests awaiting acceptance past their follow-up date; care-plan reviews past due',
  run: async (db, f) => {
    const [pending, reviews] = await Promise.all([list(db, f, requests), list(db, f, ['carePlanReview'])]);
    return {
      ...head(overdue, f),
      sections: [
        { name: 'requests', title: 'Awaiting acceptance past the follow-up date', columns, rows: pending.items, total: pending.total },
        {
          name: 'reviews',
          title: 'Care-plan reviews past due',
          columns: columns.filter((c) => c.key !== 'awaiting_agency' && c.key !== 'ref'),
          rows: reviews.items,
          total: reviews.total,
        },
      ],
    };
  },
};

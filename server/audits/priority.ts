/** Audit 4 — "nobody's priority": bounces between services, time without a lead, disputes, and refusals on forbidden grounds. */
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { closureReasonIs } from '../../db/schema/index.ts';
import { days, iso, round1, rows, takeTotals } from './sql.ts';
import { type Audit, type AuditFilters, col, head } from './types.ts';
import { caseFilters, caseScope, casesWithAgency, stayFilters, ts } from './where.ts';

const declines = sql`('referral.decline', 'lead.decline', 'handover.decline', 'involvement.decline')`;

/** The events that resolve a dispute: version 1's dispute.resolve, version 2's confirmation by the other side. */
const resolutions = sql.raw(`'dispute.resolve', 'dispute.confirm'`);
/**
 * The lead a resolution left: version 1 named it in the event; version 2's confirmation names none (the proposal did),
 * so it is the lead of the stays the confirmation entered.
 */
const resolvedLead = (e: SQL) =>
  sql`coalesce(${e}.lead_id, (select s.lead_agency_id from state_stays s
       where s.case_id = ${e}.case_id and s.entered_seq = ${e}.seq and s.lead_agency_id is not null limit 1))`;

/**
 * A case bounced in the period when a service declined it (referral, lead, handover or involvement), a referral was
 * passed on, it was re-referred after a declined episode, or its lead changed again within `window` days of a
 * previous change. Lead changes are accepted handovers and dispute resolutions that moved the lead.
 */
function bouncedSql(f: AuditFilters) {
  const from = ts(f.from);
  const to = ts(f.to);
  const windowStart = sql`${from} - make_interval(days => ${f.windowDays}::int)`;
  return sql`
    with ev as (
      select e.case_id,
             count(*) filter (where e.type in ${declines})::int as declines,
             count(*) filter (where e.type = 'referral.redirect')::int as redirects
        from audit_events e
       where e.type in ('referral.decline', 'lead.decline', 'handover.decline', 'involvement.decline', 'referral.redirect')
         and e.at >= ${from} and e.at < ${to}
       group by e.case_id
    ), changes as (
      select e.case_id, e.at, lag(e.at) over (partition by e.case_id order by e.seq) as previous_at
        from audit_events e
       where e.type in ('handover.accept', ${resolutions}) and e.at >= ${windowStart} and e.at < ${to}
         and (e.type = 'handover.accept' or exists (
              select 1 from state_stays p
               where p.case_id = e.case_id and p.left_seq = e.seq and p.lead_agency_id is not null
                 and p.lead_agency_id is distinct from ${resolvedLead(sql`e`)}))
    ), lc as (
      select case_id, count(*)::int as lead_changes,
             count(*) filter (where previous_at is not null and at - previous_at <= make_interval(days => ${f.windowDays}::int))::int as rapid_lead_changes
        from changes where at >= ${from} group by case_id
    ), rr as (
      select c.id as case_id from cases c
       where c.opened_at >= ${from} and c.opened_at < ${to} and c.episode > 1
         and exists (select 1 from cases p where p.person_id = c.person_id and p.episode = c.episode - 1
                      and ${closureReasonIs(sql`p.snapshot`, 'referralDeclined')})
    ), ids as (
      select case_id from ev union select case_id from lc where rapid_lead_changes > 0 union select case_id from rr
    )
    select ids.case_id, coalesce(ev.declines, 0) as declines, coalesce(ev.redirects, 0) as redirects,
           coalesce(lc.lead_changes, 0) as lead_changes, coalesce(lc.rapid_lead_changes, 0) as rapid_lead_changes,
           (rr.case_id is not null) as re_referral
      from ids
      left join ev on ev.case_id = ids.case_id
      left join lc on lc.case_id = ids.case_id
      left join rr on rr.case_id = ids.case_id
     ${caseScope(f, sql`ids.case_id`)}`;
}

async function run(db: Db, f: AuditFilters) {
  const from = ts(f.from);
  const to = ts(f.to);
  const asOf = ts(f.asOf);
  const bouncedQ = bouncedSql(f);
  // The listed cases and the totals over all of them in one pass.
  const bouncedP = rows<Record<string, unknown>>(
    db,
    sql`select c.reference, b.declines, b.redirects, b.lead_changes, b.rapid_lead_changes, b.re_referral,
               -- Who declined, for the listed cases only: as an aggregate beside the counts it sorted each of the
               -- period's bounced cases on its own (a sort per group).
               (select string_agg(distinct e.actor_agency_id, ', ' order by e.actor_agency_id) from audit_events e
                 where e.case_id = b.case_id and e.type in ${declines} and e.at >= ${from} and e.at < ${to}) as declined_by,
               coalesce(c.lead_agency_id, c.responsible_agency_id) as responsible_agency, c.status, c.area, c.quadrant,
               b.t_cases, b.t_declines, b.t_redirects, b.t_re_referrals, b.t_repeated
          from (select b.*, (count(*) over ())::int as t_cases, (sum(b.declines) over ())::int as t_declines,
                       (sum(b.redirects) over ())::int as t_redirects, (count(*) filter (where b.re_referral) over ())::int as t_re_referrals,
                       (count(*) filter (where b.rapid_lead_changes > 0) over ())::int as t_repeated
                  from (${bouncedQ}) b order by (b.declines + b.redirects + b.rapid_lead_changes) desc, b.case_id limit ${f.limit}) b
          join cases c on c.id = b.case_id
         order by (b.declines + b.redirects + b.rapid_lead_changes) desc, c.reference`,
  );
  // R-LEAD-ONE: stays where a lead and a named coordinator were required but missing (read from a partial index), the
  // listed ones and the totals over all of them in one pass.
  const withoutLeadP = rows<Record<string, unknown>>(
    db,
    sql`select c.reference, g.state, ${iso(sql`g.entered_at`)} as entered_at, ${iso(sql`g.left_at`)} as left_at, ${round1(sql`g.days`)} as days_in_period,
               g.lead_agency_id, g.coordinator_id, g.area, g.quadrant, g.t_stays, g.t_days
          from (select g.*, (count(*) over ())::int as t_stays, ${round1(sql`sum(g.days) over ()`)} as t_days
                  from (select st.case_id, st.state, st.entered_at, st.left_at, st.lead_agency_id, st.coordinator_id, st.area, st.quadrant,
                               ${days(sql`greatest(st.entered_at, ${from})`, sql`least(coalesce(st.left_at, ${asOf}), ${asOf})`)} as days
                          from state_stays st
                         where st.lead_expected and (st.lead_agency_id is null or st.coordinator_id is null)
                           and st.entered_at < ${to} and (st.left_at is null or st.left_at >= ${from}) ${stayFilters(f)}) g
                 order by g.entered_at, g.case_id limit ${f.limit}) g
          join cases c on c.id = g.case_id
         order by g.entered_at, c.reference`,
  );
  // A dispute's resolution and escalations come after it was raised, so none before the period counts: the period's
  // raises joined to the later dispute events in one pass, not two lookups per dispute.
  const disputesQ = sql`
    with r as (
      select e.case_id, e.seq, e.at, e.actor_agency_id from audit_events e
       where e.type = 'dispute.raise' and e.at >= ${from} and e.at < ${to}),
    later as (
      select e.case_id, e.seq, e.at, e.type, ${resolvedLead(sql`e`)} as lead_id from audit_events e
       where e.type in (${resolutions}, 'dispute.escalate') and e.at >= ${from}),
    res as (
      select distinct on (r.case_id, r.seq) r.case_id, r.seq as raised_seq, l.seq, l.at, l.lead_id
        from r join later l on l.case_id = r.case_id and l.type in (${resolutions}) and l.seq > r.seq
       order by r.case_id, r.seq, l.seq),
    esc as (
      select distinct r.case_id, r.seq
        from r join later x on x.case_id = r.case_id and x.type = 'dispute.escalate' and x.seq > r.seq
        left join res on res.case_id = r.case_id and res.raised_seq = r.seq
       where x.seq < coalesce(res.seq, 2147483647))
    select r.case_id, r.at, r.actor_agency_id as raised_by, (esc.case_id is not null) as escalated,
           res.at as resolved_at, res.lead_id as resolved_lead, (res.seq is null) as open,
           ${round1(days(sql`r.at`, sql`coalesce(res.at, ${asOf})`))} as days
      from r
      left join res on res.case_id = r.case_id and res.raised_seq = r.seq
      left join esc on esc.case_id = r.case_id and esc.seq = r.seq
      ${caseScope(f, sql`r.case_id`)}`;
  // The listed disputes (case rows for those only) and the totals over all of them in one pass: the disputes are
  // found once (a CTE used twice is computed once).
  const disputesP = rows<Record<string, unknown>>(
    db,
    sql`with d as (${disputesQ}),
            t as (select count(*)::int as t_disputes, count(*) filter (where open)::int as t_open,
                         count(*) filter (where escalated)::int as t_escalated,
                         ${round1(sql`percentile_cont(0.5) within group (order by days) filter (where not open)`)} as t_median_days_resolved,
                         ${round1(sql`max(days)`)} as t_max_days
                    from d)
        select c.reference, ${iso(sql`l.at`)} as raised_at, l.raised_by, l.escalated, ${iso(sql`l.resolved_at`)} as resolved_at,
               l.resolved_lead, l.open, l.days, c.area, c.quadrant, t.*
          from t
          left join (select * from d order by d.days desc, d.case_id limit ${f.limit}) l on true
          left join cases c on c.id = l.case_id
         order by l.days desc, c.reference`,
  );
  const refusedQ = sql`
    select c.reference, ${iso(sql`a.at`)} as at, a.type, a.reason, a.actor_agency_id as agency, a.actor_role as role,
           array_to_string(a.state, ' + ') as state, a.area, a.quadrant
      from refused_attempts a
      join ${casesWithAgency} on c.id = a.case_id
     where a.at >= ${from} and a.at < ${to} ${caseFilters(f)}`;
  const refusedP = rows<Record<string, unknown>>(
    db,
    sql`select r.*, (count(*) over ())::int as t_n from (${refusedQ}) r order by at, reference limit ${f.limit}`,
  );
  // Independent reads: run together, each on a connection of its own (PGlite takes them in turn).
  const [bounced, withoutLead, disputeRows, refused] = await Promise.all([bouncedP, withoutLeadP, disputesP, refusedP]);
  const gap = takeTotals(withoutLead, ['t_stays', 't_days']);
  // The totals row always comes back: a period without disputes gives one row of totals and no dispute.
  const [firstDispute] = disputeRows;
  const dispute = {
    median: (firstDispute?.t_median_days_resolved ?? null) as number | null,
    max: (firstDispute?.t_max_days ?? null) as number | null,
    ...takeTotals(disputeRows, ['t_disputes', 't_open', 't_escalated', 't_median_days_resolved', 't_max_days']),
  };
  const disputes = disputeRows.filter((d) => d.reference !== null);
  const b = takeTotals(bounced, ['t_cases', 't_declines', 't_redirects', 't_re_referrals', 't_repeated']);
  const { t_n: refusedTotal } = takeTotals(refused, ['t_n']);
  const summary = [
    { measure: 'Cases that bounced between services', value: b.t_cases },
    { measure: 'Declines (referral, lead, handover, involvement)', value: b.t_declines },
    { measure: 'Referrals passed on', value: b.t_redirects },
    { measure: 'Re-referrals after a declined episode', value: b.t_re_referrals },
    { measure: `Cases whose lead changed again within ${f.windowDays} days`, value: b.t_repeated },
    { measure: 'Stays without a lead or named coordinator where one was required (should be 0)', value: gap.t_stays },
    { measure: 'Days without a lead or named coordinator where one was required (should be 0)', value: gap.t_days },
    { measure: 'Disputes raised', value: dispute.t_disputes },
    { measure: 'Disputes still open', value: dispute.t_open },
    { measure: 'Disputes escalated to clinical directors', value: dispute.t_escalated },
    { measure: 'Median days to resolve a dispute', value: dispute.median },
    { measure: 'Longest dispute (days)', value: dispute.max },
    {
      measure: 'Refusals attempted on forbidden grounds (substance use, intoxication; NICE QS188 statement 2)',
      value: refusedTotal,
    },
  ];
  return {
    bounced,
    bouncedTotal: b.t_cases,
    withoutLead,
    gapStays: gap.t_stays,
    disputes,
    disputeTotal: dispute.t_disputes,
    refused,
    refusedTotal,
    summary,
  };
}

export const priority: Audit = {
  name: 'priority',
  title: 'Nobody’s priority',
  description:
    'Cases bounced between services, time without a lead or named coordinator (should be zero), disputes and their length, refusals attempted on forbidden grounds',
  run: async (db, f) => {
    const r = await run(db, f);
    return {
      ...head(priority, f),
      sections: [
        { name: 'summary', title: 'Summary', columns: [col('measure', 'Measure'), col('value', 'Value')], rows: r.summary },
        {
          name: 'bounced',
          title: 'Cases bounced between services',
          columns: [
            col('reference', 'Case'),
            col('declines', 'Declines'),
            col('redirects', 'Passed on'),
            col('lead_changes', 'Lead changes'),
            col('rapid_lead_changes', 'Repeated within window'),
            col('re_referral', 'Re-referral'),
            col('declined_by', 'Declined by'),
            col('responsible_agency', 'Responsible agency'),
            col('status', 'Status'),
            col('area', 'Area'),
            col('quadrant', 'Quadrant'),
          ],
          rows: r.bounced,
          total: r.bouncedTotal,
        },
        {
          name: 'withoutLead',
          title: 'Time without a lead or named coordinator where one was required',
          columns: [
            col('reference', 'Case'),
            col('state', 'State'),
            col('entered_at', 'From'),
            col('left_at', 'To'),
            col('days_in_period', 'Days in period'),
            col('lead_agency_id', 'Lead'),
            col('coordinator_id', 'Coordinator'),
          ],
          rows: r.withoutLead,
          total: r.gapStays,
        },
        {
          name: 'disputes',
          title: 'Disputes raised in the period',
          columns: [
            col('reference', 'Case'),
            col('raised_at', 'Raised'),
            col('raised_by', 'Raised by'),
            col('escalated', 'Escalated'),
            col('resolved_at', 'Resolved'),
            col('resolved_lead', 'Lead named'),
            col('days', 'Days'),
            col('open', 'Open'),
          ],
          rows: r.disputes,
          total: r.disputeTotal,
        },
        {
          name: 'refusedAttempts',
          title: 'Refusals attempted on forbidden grounds (R-REF-NOINTOX)',
          columns: [
            col('reference', 'Case'),
            col('at', 'When'),
            col('type', 'Event'),
            col('reason', 'Reason given'),
            col('agency', 'Agency'),
            col('role', 'Role'),
            col('state', 'State'),
          ],
          rows: r.refused,
          total: r.refusedTotal,
        },
      ],
    };
  },
};

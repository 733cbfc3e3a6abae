/** Audit 6 — quality standards pack: NICE QS188 statements 1–4 and the EIP two-week referral-to-treatment standard. */
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { days, iso, round1, rows, takeTotals } from './sql.ts';
import { type Audit, type AuditFilters, col, head, type Section } from './types.ts';
import { caseFilters, caseScope, casesWithAgency, ts } from './where.ts';

/** Days within which a missed appointment counts as followed up (QS188 statement 4 sets no period; NG58 §1.6 says "promptly"). */
export const missedAppointmentFollowUpDays = 7;
/** The EIP access standard: treatment starts within two weeks of referral. */
export const eipReferralToTreatmentDays = 14;

/**
 * `cases` gives a row per case counted (`case_id`, `at`, `met` and whatever its `detail` needs); `detail` is worked out
 * for the listed cases only, not for every case counted, from that row `l` and the case row `c`.
 */
type Measure = { statement: string; title: string; cases: SQL; detail: SQL };

/** Each measure is a query of case rows with `met` (true/false); the numerator counts `met`, the denominator all rows. */
function measures(f: AuditFilters): Measure[] {
  const from = ts(f.from);
  const to = ts(f.to);
  const asOf = ts(f.asOf);
  return [
    {
      statement: 'QS188-1',
      title: 'People with suspected or confirmed severe mental illness are asked about their use of alcohol and drugs',
      // Confirmed: an assessment in the period found severe mental illness; suspected: a referral for a first episode of psychosis.
      cases: sql`
        -- Two index-only range scans (an OR of the two would read the heap through a bitmap).
        with m as (
          select x.case_id, min(x.at) as at from (
            select e.case_id, e.at from audit_events e
             where e.type in ('assessment.record', 'assessment.review') and e.at >= ${from} and e.at < ${to} and e.mental_health = 'severe'
            union all
            select e.case_id, e.at from audit_events e
             where e.type = 'referral.make' and e.at >= ${from} and e.at < ${to} and e.suspected_fep) x
           group by x.case_id),
        -- Most people asked were asked at an assessment within the period: found in one scan of the period.
        asked_in_period as (
          select distinct e.case_id from audit_events e
           where e.type in ('assessment.record', 'assessment.review') and e.at >= ${from} and e.at < ${asOf} and e.substance_use_asked)
        select m.case_id, m.at, (p.case_id is not null or asked.yes is not null) as met
          from m
          left join asked_in_period p on p.case_id = m.case_id
          -- For the others, a lookup along (case_id, type, seq), index-only: as an EXISTS the planner hashes every
          -- assessment ever made.
          left join lateral (
            select true as yes from audit_events a where p.case_id is null and a.case_id = m.case_id
               and a.type in ('assessment.record', 'assessment.review') and a.at < ${asOf} and a.substance_use_asked limit 1) asked on true
         ${caseScope(f, sql`m.case_id`)}`,
      detail: sql`case when l.met then 'substance use recorded at assessment' else 'no assessment has recorded substance use' end`,
    },
    {
      statement: 'QS188-2',
      title: 'People are not excluded from services because of their substance use (refusals on those grounds are attempted exclusions)',
      cases: sql`
        -- Each case once, at its first decision or refused attempt in the period: one aggregate over both.
        with n as (
          select x.case_id, min(x.at) as at from (
            select e.case_id, e.at from audit_events e
             where e.at >= ${from} and e.at < ${to}
               and e.type in ('referral.accept', 'referral.decline', 'referral.redirect', 'lead.accept', 'lead.decline',
                              'handover.accept', 'handover.decline', 'involvement.accept', 'involvement.decline')
            union all
            select a.case_id, a.at from refused_attempts a where a.at >= ${from} and a.at < ${to}) x
           group by x.case_id)
        select n.case_id, n.at, (r.case_id is null) as met, r.refusals
          from n
          -- The period's refusals, few beside the decisions: one pass, not a lookup per case.
          left join (select a.case_id, string_agg(a.type || ' (' || coalesce(a.reason, '') || ') by ' || a.actor_agency_id, '; ' order by a.at) as refusals
                       from refused_attempts a where a.at >= ${from} and a.at < ${to} group by a.case_id) r on r.case_id = n.case_id
          ${caseScope(f, sql`n.case_id`)}`,
      detail: sql`l.refusals`,
    },
    {
      statement: 'QS188-3',
      title: 'People with coexisting severe mental illness and substance misuse (Q1) have a care coordinator in mental health services',
      // Read from the index on (quadrant, area) alone, which carries what this needs; the detail only for the cases listed.
      cases: sql`
        select c.id as case_id, c.opened_at as at,
               (c.lead_agency_kind = 'MHS' and c.coordinator_id is not null) as met
          from ${casesWithAgency}
         where c.quadrant = 'Q1' and c.lead_agency_id is not null
           and c.opened_at < ${to} and (c.closed_at is null or c.closed_at >= ${from}) ${caseFilters(f)}`,
      detail: sql`coalesce(c.lead_agency_kind, '') || ' ' || coalesce(c.lead_agency_id, '') || ' / ' || coalesce(c.coordinator_name, 'no coordinator')`,
    },
    {
      statement: 'QS188-4',
      title: `Missed appointments are followed up (within ${missedAppointmentFollowUpDays} days)`,
      // A miss not yet followed up whose period has not run out is still pending: it is in neither count.
      cases: sql`
        -- Each miss with its first follow-up. A follow-up comes after its miss, so none before the period counts: the
        -- period's misses hashed and joined to its follow-ups once, grouped per miss by hash. (Joining the follow-ups to
        -- the misses, sorting for the group, then joining back to the misses took 552–612 ms at a million cases; this,
        -- 322–362.)
        with m as (
          select miss.case_id, miss.at, miss.appointment_id as appointment, min(u.at) as followed_up_at
            from audit_events miss
            left join audit_events u on u.type = 'appointment.followUp' and u.at >= ${from}
                 and u.case_id = miss.case_id and u.appointment_id = miss.appointment_id and u.seq > miss.seq
           where miss.type = 'appointment.missed' and miss.at >= ${from} and miss.at < ${to}
           group by miss.case_id, miss.seq, miss.at, miss.appointment_id)
        select m.case_id, m.at, m.appointment, m.followed_up_at,
               (m.followed_up_at is not null and m.followed_up_at <= m.at + make_interval(days => ${missedAppointmentFollowUpDays}::int)) as met
          from m
          ${caseScope(f, sql`m.case_id`)}
           and (m.followed_up_at is not null or m.at + make_interval(days => ${missedAppointmentFollowUpDays}::int) <= ${asOf})`,
      // Built for the listed misses only: for all of a quarter's 110,000 it was most of the time left after the join.
      detail: sql`l.appointment || coalesce(' followed up after ' || ${round1(days(sql`l.at`, sql`l.followed_up_at`))}::text || ' days', ' not followed up')`,
    },
    {
      statement: 'EIP-2WK',
      title: `First episode psychosis: treatment (an EIP care coordinator allocated) within ${eipReferralToTreatmentDays} days of referral`,
      // The clock stops when the case enters joint care (a lead and a named coordinator); cases closed before that are not counted.
      cases: sql`
        with r as (
          select e.case_id, e.at from audit_events e
           where e.type = 'referral.make' and e.at >= ${from} and e.at < ${to}
             and e.to_service = 'EIP' and e.suspected_fep),
        -- Materialized: inlined, the planner evaluated the start of treatment three times per referral.
        m as materialized (
          select r.case_id, r.at,
                 (select min(st.entered_at) from state_stays st where st.case_id = r.case_id and st.state like 'active.jointCare.%') as started_at
            from r)
        select m.case_id, m.at, m.started_at,
               (m.started_at is not null and m.started_at <= m.at + make_interval(days => ${eipReferralToTreatmentDays}::int)) as met
          from m join ${casesWithAgency} on c.id = m.case_id
         where ((m.started_at is not null and m.started_at <= ${asOf})
            or (c.status = 'open' and m.at + make_interval(days => ${eipReferralToTreatmentDays}::int) <= ${asOf}))
            ${caseFilters(f)}`,
      detail: sql`coalesce('treatment started after ' || ${round1(days(sql`l.at`, sql`l.started_at`))}::text || ' days', 'not started')`,
    },
  ];
}

async function run(db: Db, f: AuditFilters): Promise<Section[]> {
  // The measures are independent reads: run together, each on a connection of its own (PGlite takes them in turn).
  const measured = await Promise.all(
    measures(f).map(async (m) => {
      // One pass per measure: the listed cases (those not meeting the standard first) and the counts over all of them.
      const list = await rows<Record<string, unknown>>(
        db,
        sql`select c.reference, ${iso(sql`l.at`)} as at, l.met, ${m.detail} as detail, c.area, c.quadrant, l.numerator, l.denominator
              from (select q.*,
                           (count(*) filter (where q.met) over ())::int as numerator, (count(*) over ())::int as denominator
                      from (${m.cases}) q order by q.met, q.at, q.case_id limit ${f.limit}) l
              join cases c on c.id = l.case_id
             order by l.met, l.at, c.reference`,
      );
      return { m, list };
    }),
  );
  const summary: Record<string, unknown>[] = [];
  const sections: Section[] = [];
  for (const { m, list } of measured) {
    const { numerator, denominator } = takeTotals(list, ['numerator', 'denominator']);
    summary.push({
      statement: m.statement,
      title: m.title,
      numerator,
      denominator,
      percent: denominator ? Math.round((1000 * numerator) / denominator) / 10 : null,
    });
    sections.push({
      name: m.statement,
      title: m.title,
      columns: [
        col('reference', 'Case'),
        col('met', 'Met'),
        col('at', 'When'),
        col('detail', 'Detail'),
        col('area', 'Area'),
        col('quadrant', 'Quadrant'),
      ],
      rows: list,
      total: denominator,
    });
  }
  return [
    {
      name: 'summary',
      title: 'Quality standards',
      columns: [
        col('statement', 'Statement'),
        col('title', 'Standard'),
        col('numerator', 'Numerator'),
        col('denominator', 'Denominator'),
        col('percent', '%'),
      ],
      rows: summary,
    },
    ...sections,
  ];
}

export const quality: Audit = {
  name: 'quality',
  title: 'Quality standards pack',
  description:
    'NICE QS188 statements 1–4 and the Early Intervention in Psychosis two-week standard: numerator, denominator and the cases behind them',
  run: async (db, f) => ({ ...head(quality, f), sections: await run(db, f) }),
};

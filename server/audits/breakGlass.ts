/**
 * Audit — break-glass: every emergency access to a case opened in the period by a clinician with no part in it, with
 * the reason stated (the clinician's own words stay in the case's access log, for the lead agency and auditors).
 */
import { sql } from 'drizzle-orm';
import { iso, rows, takeTotals } from './sql.ts';
import { type Audit, col, head } from './types.ts';
import { caseScope, ts } from './where.ts';

const columns = [
  col('reference', 'Case'),
  col('at', 'Opened'),
  col('expires_at', 'Until'),
  col('agency', 'Agency'),
  col('role', 'Role'),
  col('reason', 'Reason'),
  col('lead_agency', 'Lead agency'),
  col('area', 'Area'),
];

export const breakGlass: Audit = {
  name: 'breakGlass',
  title: 'Break-glass access',
  description: 'Cases opened in an emergency by clinicians whose agency had no part in them, with the reason stated',
  run: async (db, f) => {
    const items = await rows<Record<string, unknown>>(
      db,
      sql`
      select c.reference, ${iso(sql`l.at`)} as at, ${iso(sql`l.expires_at`)} as expires_at, l.agency_id as agency, l.role, l.reason,
             coalesce(c.lead_agency_id, c.responsible_agency_id, c.snapshot #>> '{context,referral,to,id}') as lead_agency, c.area, (count(*) over ())::int as total
        from access_log l join cases c on c.id = l.case_id
        ${caseScope(f, sql`l.case_id`)} and l.action = 'breakGlass' and l.at >= ${ts(f.from)} and l.at < ${ts(f.to)}
       order by l.at desc
       limit ${f.limit}`,
    );
    const { total } = takeTotals(items, ['total']);
    return {
      ...head(breakGlass, f),
      sections: [{ name: 'accesses', title: 'Break-glass accesses in the period', columns, rows: items, total }],
    };
  },
};

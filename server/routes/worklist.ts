/** /api/worklist: the cases that need action from the caller's agency — requests awaiting its answer, overdue reviews, stalls. */
import { type SQL, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { pathwayDefinition } from '../../machines/definition.ts';

/** Each state's stall target, as the pathway definition declares it. */
const targetDays = new Map(pathwayDefinition().states.map((st) => [st.id, st.targetDays]));

import { responsibility } from '../../machines/responsibility.ts';
import { restore } from '../../machines/snapshot.ts';
import { authorizeRoute } from '../access.ts';
import { plainRows as sqlRows } from '../audits/sql.ts';
import type { Env } from '../env.ts';

export const worklist = new Hono<Env>();

type Row = {
  id: string;
  reference: string;
  snapshot: unknown;
  pathway_version: number;
  state_paths: string[];
  version: number;
  area: string | null;
  quadrant: string | null;
  entered_at: string;
  given_name: string | null;
  family_name: string | null;
  nhs_number: string | null;
  date_of_birth: string;
};

type BreakGlassRow = {
  caseId: string;
  reference: string;
  agencyId: string;
  role: string;
  principalName: string;
  reason: string;
  note: string;
  at: string | Date;
  expiresAt: string | Date;
};

export type Reason = {
  kind: 'referral' | 'lead' | 'handover' | 'involvement' | 'disputeResolution' | 'reviewOverdue' | 'stalled';
  due: string | null;
  overdue: boolean;
  detail: string;
};

/**
 * One query over the open cases the agency has a part in now (its tie, machines/access.ts: lead, involved, awaiting
 * its answer, or the referrer answerable while a referral awaits), from the GIN index on the agencies list.
 */
const query = (agency: string): SQL => sql`
  select c.id, c.reference, c.snapshot, c.pathway_version, c.state_paths, c.version, c.area, c.quadrant,
         to_char(c.state_entered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as entered_at,
         p.given_name, p.family_name, p.nhs_number, p.date_of_birth::text as date_of_birth
    from cases c join service_users p on p.id = c.person_id
   where c.status = 'open' and c.agencies @> array[${agency}]::text[] and c.ties #> array[${agency}, 'until'] is null
   order by c.state_entered_at asc
   limit 500`;

/**
 * Break-glass accesses to cases the agency leads (before a lead: answers for; for a self-referral awaiting acceptance:
 * received), in the last 14 days: its managers are told (docs/information-governance.md). */
const breakGlassQuery = (agency: string, since: Date): SQL => sql`
  select l.case_id as "caseId", c.reference, l.agency_id as "agencyId", l.role, l.principal_name as "principalName",
         l.reason, l.note, l.at, l.expires_at as "expiresAt"
    from access_log l join cases c on c.id = l.case_id
   where l.action = 'breakGlass' and l.at >= ${since.toISOString()}::timestamptz
     and coalesce(c.lead_agency_id, c.responsible_agency_id, c.snapshot #>> '{context,referral,to,id}') = ${agency}
   order by l.at desc
   limit 200`;

const DAY_MS = 86_400_000;
const labels = {
  referral: 'Referral awaits your acceptance',
  lead: 'You are asked to lead',
  handover: 'Handover awaits your acceptance',
  involvement: 'Involvement requested from you',
  disputeResolution: 'A dispute resolution awaits your confirmation',
};

function reasonsOf(row: Row, agency: string, now: Date): Reason[] {
  const snapshot = restore(row.snapshot, row.pathway_version);
  const resp = responsibility(snapshot);
  const reasons: Reason[] = resp.awaiting
    .filter((a) => a.agency.id === agency)
    .map((a) => ({ kind: a.what, due: a.followUpDue, overdue: Date.parse(a.followUpDue) < now.getTime(), detail: labels[a.what] }));
  const holds = resp.responsible?.id === agency;
  const review = snapshot.context.carePlan?.reviewDue;
  if (holds && review && Date.parse(`${review}T00:00:00Z`) < now.getTime())
    reasons.push({ kind: 'reviewOverdue', due: review, overdue: true, detail: `Care-plan review was due on ${review}` });
  const days = (now.getTime() - Date.parse(row.entered_at)) / DAY_MS;
  for (const path of row.state_paths) {
    const target = targetDays.get(path) ?? undefined;
    if (holds && target !== undefined && days > target)
      reasons.push({ kind: 'stalled', due: null, overdue: true, detail: `${Math.floor(days)} days in ${path} (target ${target})` });
  }
  return reasons;
}

worklist.get('/', async (c) => {
  const principal = c.var.principal;
  authorizeRoute(principal, 'worklist');
  const now = c.var.deps.now();
  const { db } = c.var.deps.database;
  const rows = await sqlRows<Row>(db, query(principal.agencyId));
  // Service managers and clinical directors of the lead agency see who broke glass on its cases, and why.
  const managing = principal.role === 'serviceManager' || principal.role === 'clinicalDirector';
  const breakGlass = managing
    ? (await sqlRows<BreakGlassRow>(db, breakGlassQuery(principal.agencyId, new Date(now.getTime() - 14 * DAY_MS)))).map((b) => ({
        ...b,
        at: new Date(b.at).toISOString(),
        expiresAt: new Date(b.expiresAt).toISOString(),
      }))
    : [];
  const items = rows
    .map((row) => {
      const reasons = reasonsOf(row, principal.agencyId, now);
      // Every case listed is one the agency has a part in now: it may see who the person is (even the restricted view).
      return {
        id: row.id,
        reference: row.reference,
        person: { givenName: row.given_name, familyName: row.family_name, nhsNumber: row.nhs_number, dateOfBirth: row.date_of_birth },
        state: row.state_paths,
        version: row.version,
        area: row.area,
        quadrant: row.quadrant,
        stateEnteredAt: row.entered_at,
        reasons,
      };
    })
    .filter((i) => i.reasons.length > 0)
    // Overdue first, then whatever has waited longest.
    .sort(
      (a, b) =>
        Number(b.reasons.some((r) => r.overdue)) - Number(a.reasons.some((r) => r.overdue)) ||
        a.stateEnteredAt.localeCompare(b.stateEnteredAt),
    );
  return c.json({ agency: principal.agencyId, asOf: now.toISOString(), items, breakGlass });
});

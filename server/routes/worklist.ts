/** /api/worklist: the cases that need action from the caller's agency — requests awaiting its answer, overdue reviews, stalls. */
import { type SQL, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { pathwayDefinition } from '../../machines/definition.ts';

/** Each state's stall target, as the pathway definition declares it. */
const targetDays = new Map(pathwayDefinition().states.map((st) => [st.id, st.targetDays]));

import { responsibility } from '../../machines/responsibility.ts';
import { restore } from '../../machines/snapshot.ts';
import type { Env } from '../env.ts';
import { authorizeActing, seesIdentifiers } from '../policies.ts';
import { agenciesInvolved } from '../presenters/case.ts';

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

export type Reason = {
  kind: 'referral' | 'lead' | 'handover' | 'involvement' | 'disputeResolution' | 'reviewOverdue' | 'stalled';
  due: string | null;
  overdue: boolean;
  detail: string;
};

/**
 * One query over open cases: held by the agency (lead, or the service holding the referral; both indexed), or with a
 * referral, lead proposal, handover or involvement request addressed to it, or a dispute resolution awaiting its
 * confirmation (read from the snapshot's facts).
 */
const query = (agency: string): SQL => sql`
  select c.id, c.reference, c.snapshot, c.pathway_version, c.state_paths, c.version, c.area, c.quadrant,
         to_char(c.state_entered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as entered_at,
         p.given_name, p.family_name, p.nhs_number, p.date_of_birth::text as date_of_birth
    from cases c join service_users p on p.id = c.person_id
   where c.status = 'open' and (
         c.lead_agency_id = ${agency} or c.responsible_agency_id = ${agency}
      or (c.snapshot #>> '{context,referral,to,id}' = ${agency} and c.snapshot #>> '{context,referral,status}' = 'awaiting')
      or c.snapshot #>> '{context,leadProposal,to,id}' = ${agency}
      or c.snapshot #>> '{context,handover,to,id}' = ${agency}
      or exists (select 1 from jsonb_array_elements(coalesce(c.snapshot #> '{context,involvements}', '[]'::jsonb)) i
                  where i #>> '{agency,id}' = ${agency} and i ->> 'status' = 'requested')
      or exists (select 1 from jsonb_array_elements(coalesce(c.snapshot #> '{context,dispute,proposal,awaiting}', '[]'::jsonb)) a
                  where a ->> 'id' = ${agency}))
   order by c.state_entered_at asc
   limit 500`;

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
  authorizeActing(principal);
  const now = c.var.deps.now();
  const result = (await c.var.deps.database.db.execute(query(principal.agencyId))) as unknown as Row[] | { rows: Row[] };
  const rows = Array.isArray(result) ? result : result.rows;
  const items = rows
    .map((row) => {
      const reasons = reasonsOf(row, principal.agencyId, now);
      const identified = seesIdentifiers(principal, agenciesInvolved(restore(row.snapshot, row.pathway_version)));
      return {
        id: row.id,
        reference: row.reference,
        ...(identified
          ? {
              person: { givenName: row.given_name, familyName: row.family_name, nhsNumber: row.nhs_number, dateOfBirth: row.date_of_birth },
            }
          : {}),
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
  return c.json({ agency: principal.agencyId, asOf: now.toISOString(), items });
});

/** Who may read audits and exports: aggregate, all-case views for oversight roles, never for a single practitioner. */
import type { Principal } from '../auth.ts';
import { problems } from '../problem.ts';

/** Audits list case references and coordinators across agencies: oversight roles only. */
const auditing = new Set(['auditor', 'commissioner', 'serviceManager', 'clinicalDirector']);
/** The full event log of every case: auditors and commissioners, who read all cases (PATHWAY "Who is involved"). */
const exporting = new Set(['auditor', 'commissioner']);

export function authorizeAuditing(p: Principal): void {
  if (!auditing.has(p.role))
    throw problems.forbidden(`A ${p.role} cannot read pathway audits; ask a service manager, commissioner or auditor`);
}

export function authorizeExporting(p: Principal): void {
  if (!exporting.has(p.role)) throw problems.forbidden(`Only auditors and commissioners export the event log (a ${p.role} cannot)`);
}

/** Who may do what, apart from the protocol's own rules (which the statechart holds). */
import type { Principal } from './auth.ts';
import { problems } from './problem.ts';

const acting = new Set(['practitioner', 'serviceManager', 'clinicalDirector']);

/** Commissioners and auditors read; people of agencies in the directory act. */
export function authorizeActing(p: Principal): void {
  if (!acting.has(p.role)) throw problems.forbidden(`A ${p.role} has read-only access`);
  if (!p.agencyKind) throw problems.forbidden(`Agency ${p.agencyId} is not in the service directory`);
}

/** Whether a principal may see a person's identifiers (name, NHS number, date of birth) on a case. */
export const seesIdentifiers = (p: Principal, agenciesInvolved: readonly string[]): boolean =>
  acting.has(p.role) && agenciesInvolved.includes(p.agencyId);

/**
 * Every released pathway version, side by side. A case runs on the version it was opened under until a migration
 * moves it (migrations.ts); the engine restores, transitions, explains and draws each case with its own version.
 * A released version is never edited: a correction is a new version (docs/decisions/0010-pathway-versions.md).
 */
import type { PathwayContext } from './context.ts';
import { responsibleAgency } from './context.ts';
import { type PendingDeadline, pendingDeadlines } from './deadlines.ts';
import type { AgencyRef, EventType } from './events.ts';
import { eventTypes } from './events.ts';
import { type GuardSpec, guards } from './guards.ts';
import { pathwayMachine } from './pathwayMachine.ts';
import { responsibleAgency as v1ResponsibleAgency } from './v1/context.ts';
import { pendingDeadlines as v1PendingDeadlines } from './v1/deadlines.ts';
import { v1EventTypes } from './v1/events.ts';
import { guards as v1Guards } from './v1/guards.ts';
import { pathwayMachine as v1Machine } from './v1/machine.ts';

export type PathwayMachine = typeof pathwayMachine;

export type PathwayVersion = {
  version: number;
  /** The day this version was released for new cases. */
  released: string;
  title: string;
  /** What changed from the version before, in words a clinician reads. */
  changes: readonly string[];
  machine: PathwayMachine;
  /** The guards its transitions name, with their rules. */
  guards: Readonly<Record<string, GuardSpec>>;
  /** The events it knows; later versions only add. */
  eventTypes: readonly EventType[];
  /** The deadlines a case has pending: they decide when the engine fires `deadline.reached` into its history. */
  pendingDeadlines: (ctx: PathwayContext, open: boolean) => PendingDeadline[];
  /** The agency answerable for the case now, as its projections and stays record it. */
  responsibleAgency: (ctx: PathwayContext) => AgencyRef | null;
};

export const pathwayVersions: readonly PathwayVersion[] = [
  {
    version: 1,
    released: '2026-11-23',
    title: 'The joint working protocol as first distilled',
    changes: ['The first release: referral, assessment, lead by quadrant, joint care, step changes, handover, dispute, closure.'],
    // Version 1 typed its context without the facts later versions added; its machine is used only through this table.
    machine: v1Machine as unknown as PathwayMachine,
    guards: v1Guards as unknown as Record<string, GuardSpec>,
    eventTypes: v1EventTypes,
    pendingDeadlines: v1PendingDeadlines as unknown as PathwayVersion['pendingDeadlines'],
    responsibleAgency: v1ResponsibleAgency as unknown as PathwayVersion['responsibleAgency'],
  },
  {
    version: 2,
    released: '2026-11-30',
    title: 'The second reading: no gap in support, no lead without acceptance',
    changes: [
      'The lead changes only when the service that becomes lead accepts: a handover, a request to lead, or its own confirmation of a dispute resolution.',
      'A dispute is settled by one side’s manager proposing and the other side’s confirming; it can be raised about a referral, an assessment or lead assignment too, and the commissioner’s input is recorded when sought.',
      'A case closes only without a gap: never before a lead exists (a referral is declined or passed on instead), only by the lead with nothing pending, “transferred” only after an accepted handover, and “discharged to GP” only in Q4 or when care is complete, after other services have ended their part.',
      'A safeguarding concern needs a recorded decision shared by both services (alert raised, or why not) before the case leaves assessment, changes lead or closes; domestic abuse needs a safety plan; dependent children and caring responsibilities are recorded at assessment.',
      'A carer is offered their own assessment whatever the person’s consent to share.',
      'The lead reviews the care plan and reassesses during a handover, a dispute or a step change; a review is only due where it can be recorded.',
      'A decline must give its reasons; a decline whose wording gives drinking, drug use or intoxication as the reason needs a service manager’s confirmation; every decline letter gives the right to challenge.',
      'Passing a referral on meets every referral rule for the new service, never sends the person back to whoever referred them, and an under-18 goes to CAMHS with letters to the person and the referrer.',
      'While a referral awaits acceptance, the service that referred stays responsible; the duty to state what an SMS referral must contain follows the sender’s own service.',
      'New records: Care Needs Assessment in Q1 and Q2 plans, capacity considerations when someone at serious risk declines, emergency and acute presentations, changes of risk told to every service, serious incident investigations, section 117 aftercare in transfer plans.',
      'No alcohol detox or reduction plan without a substance misuse service involved; the crisis team and liaison psychiatry take referrals only from their named sources.',
    ],
    machine: pathwayMachine,
    guards,
    eventTypes,
    pendingDeadlines,
    responsibleAgency,
  },
];

/** The version new cases open under. */
export const currentVersion: number = pathwayVersions[pathwayVersions.length - 1]?.version ?? 1;

export const isPathwayVersion = (n: number): boolean => pathwayVersions.some((v) => v.version === n);

export function pathwayVersion(n: number = currentVersion): PathwayVersion {
  const found = pathwayVersions.find((v) => v.version === n);
  if (!found) throw new RangeError(`No pathway version ${n}`);
  return found;
}

/** The version of the machine a snapshot was made by (each machine carries its number). */
export const versionOfMachine = (machine: { version?: string | undefined }): number => Number(machine.version);

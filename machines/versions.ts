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
    changes: [],
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

/** The shapes the server's presenters send (server/presenters, server/routes): what the UI reads, nothing more. */
import type { ConsentState, Outcome, Relationship } from '../../../machines/access.ts';
import type { PathwayContext } from '../../../machines/context.ts';
import type { Actor, EventType } from '../../../machines/events.ts';
import type { NextEvent } from '../../../machines/explain.ts';
import type { Responsibility } from '../../../machines/responsibility.ts';
import type { AgencyKind, Area, Quadrant } from '../../../machines/vocab.ts';

export type Person = { givenName: string | null; familyName: string | null; nhsNumber: string | null; dateOfBirth: string };

export type CaseView = {
  id: string;
  reference: string;
  episode: number;
  person?: Person;
  status: 'open' | 'closed';
  phase: string;
  state: string[];
  version: number;
  quadrant: Quadrant | null;
  area: Area | null;
  responsibility: Responsibility;
  /** Every clinical fact: in the full view only. */
  facts: PathwayContext | null;
  /** Why the caller sees what it sees (machines/access.ts). */
  access: CaseAccess;
  nextEvents: NextEvent[];
  openedAt: string;
  stateEnteredAt: string;
  /** The pathway version the case runs on (its chart, its rules). */
  pathwayVersion: number;
};

export type CaseAccess = {
  relationship: Relationship;
  view: Outcome;
  consent: ConsentState;
  /** A past part: the record is shown up to this moment. */
  until: string | null;
  breakGlassUntil: string | null;
};

export type EventRow = {
  seq: number;
  pathwayVersion: number;
  type: EventType;
  payload: Record<string, unknown>;
  /** The payload is withheld from this caller's view (it is then empty). */
  withheld?: boolean;
  actor: Actor;
  fromState: string[];
  toState: string[];
  at: string;
};

export type Agency = { id: string; name: string; kind: AgencyKind; area: Area | null };

/** One state now: its open cases once each, how many are over target, and the median and longest time since each entered it. */
export type StateStats = {
  state: string;
  compound: boolean;
  open: number;
  onEarlierVersions: number;
  targetDays: number | null;
  /** Over its own target; a compound state without one: its cases over target in the states under it; null: no target. */
  overTarget: number | null;
  medianDays: number | null;
  maxDays: number | null;
};
/** Open cases now; those still on an earlier pathway version are counted in the state of the same name. */
export type Stats = { asOf: string; open: number; pathwayVersion: number; onEarlierVersions: number; states: StateStats[] };
export type StateCase = {
  id: string;
  reference: string;
  state: string;
  area: Area | null;
  quadrant: Quadrant | null;
  leadAgencyId: string | null;
  responsibleAgencyId: string | null;
  /** The leaf states (a region's each) the case is in under this state. */
  leaves: string[];
  enteredAt: string;
  daysInState: number;
};

export type Reason = { kind: string; due: string | null; overdue: boolean; detail: string };
export type WorkItem = {
  id: string;
  reference: string;
  person?: Person;
  state: string[];
  version: number;
  area: Area | null;
  quadrant: Quadrant | null;
  stateEnteredAt: string;
  reasons: Reason[];
};
export type BreakGlassNotice = {
  caseId: string;
  reference: string;
  agencyId: string;
  role: string;
  principalName: string;
  reason: string;
  note: string;
  at: string;
  expiresAt: string;
};
export type AccessLogEntry = {
  id: number;
  at: string;
  principal: { id: string; name: string; agencyId: string; role: string };
  action: string;
  relationship: string;
  view: string;
  reason: string | null;
  note: string | null;
  expiresAt: string | null;
};

export type AuditSection = {
  name: string;
  title: string;
  columns: { key: string; label: string }[];
  rows: Record<string, unknown>[];
  total?: number;
};
export type AuditResult = {
  audit: string;
  title: string;
  period: { from: string; to: string; asOf: string; given: boolean };
  filters: Record<string, string>;
  sections: AuditSection[];
};
/** `now`: the audit measures the present, and a period only narrows it when one is chosen. */
export type AuditInfo = { name: string; title: string; description: string; now: boolean };

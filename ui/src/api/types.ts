/** The shapes the server's presenters send (server/presenters, server/routes): what the UI reads, nothing more. */
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
  facts: PathwayContext;
  nextEvents: NextEvent[];
  openedAt: string;
  stateEnteredAt: string;
  /** The pathway version the case runs on (its chart, its rules). */
  pathwayVersion: number;
};

export type EventRow = {
  seq: number;
  pathwayVersion: number;
  type: EventType;
  payload: Record<string, unknown>;
  actor: Actor;
  fromState: string[];
  toState: string[];
  at: string;
};

export type Agency = { id: string; name: string; kind: AgencyKind; area: Area | null };

export type StateStats = { state: string; open: number; onEarlierVersions: number; medianDays: number | null; maxDays: number | null };
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
  period: { from: string; to: string; asOf: string };
  filters: Record<string, string>;
  sections: AuditSection[];
};
export type AuditInfo = { name: string; title: string; description: string };

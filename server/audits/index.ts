/** The audits of the pathway, by name: one SQL query (or a few) each over indexed projections, never a replay. */
import { breakGlass } from './breakGlass.ts';
import { dwell } from './dwell.ts';
import { flow } from './flow.ts';
import { overdue } from './overdue.ts';
import { priority } from './priority.ts';
import { quality } from './quality.ts';
import { stalled } from './stalled.ts';
import type { Audit } from './types.ts';

export const audits: Record<string, Audit> = { dwell, stalled, overdue, priority, flow, quality, breakGlass };
export const auditNames = Object.keys(audits);
export type { Audit, AuditFilters, AuditResult, Section } from './types.ts';
export { auditQuerySchema, resolveFilters } from './types.ts';

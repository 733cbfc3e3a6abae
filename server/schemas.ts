/** Response shapes for the OpenAPI document; request shapes come from machines/events.ts and the engine. */
import { z } from 'zod';
import { actorSchema, agencyRefSchema } from '../machines/events.ts';
import { agencyKinds, areas, quadrants } from '../machines/vocab.ts';

const blocker = z.object({ rule: z.string(), clause: z.string(), message: z.string() }).meta({ id: 'Blocker' });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    rule: z.string().optional(),
    clause: z.string().optional(),
    blockedBy: z.array(blocker).optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `rule` and `blockedBy` name the protocol rules that refused' });

export const caseSchema = z
  .looseObject({
    id: z.uuid(),
    reference: z.string(),
    episode: z.number().int(),
    status: z.enum(['open', 'closed']),
    phase: z.string(),
    state: z.array(z.string()),
    version: z.number().int(),
    pathwayVersion: z.number().int().meta({ description: 'The pathway version the case runs on' }),
    quadrant: z.enum(quadrants).nullable(),
    area: z.enum(areas).nullable(),
    responsibility: z.looseObject({
      lead: z.looseObject({ agency: agencyRefSchema }).nullable(),
      responsible: agencyRefSchema.nullable(),
      statement: z.string(),
    }),
    facts: z.looseObject({}).nullable().meta({ description: 'Every clinical fact: in the full view only (see access)' }),
    access: z.looseObject({ relationship: z.string(), view: z.string(), consent: z.string() }),
    nextEvents: z.array(
      z.object({ type: z.string(), allowed: z.boolean(), blockedBy: z.array(blocker).optional(), conditions: z.array(blocker).optional() }),
    ),
  })
  .meta({ id: 'Case' });

export const caseSummarySchema = z
  .looseObject({ id: z.uuid(), reference: z.string(), status: z.string(), phase: z.string(), state: z.array(z.string()) })
  .meta({ id: 'CaseSummary' });

export const caseListSchema = z.object({ items: z.array(caseSummarySchema), nextCursor: z.string().nullable() }).meta({ id: 'CaseList' });

export const eventRowSchema = z
  .object({
    seq: z.number().int(),
    pathwayVersion: z
      .number()
      .int()
      .meta({ description: 'The pathway version that judged the event (a migration: the version it moved to)' }),
    type: z.string(),
    payload: z.looseObject({}),
    actor: actorSchema,
    fromState: z.array(z.string()),
    toState: z.array(z.string()),
    at: z.string(),
  })
  .meta({ id: 'CaseEvent' });

export const agencySchema = z
  .looseObject({ id: z.string(), name: z.string(), kind: z.enum(agencyKinds), area: z.enum(areas).nullable() })
  .meta({ id: 'Agency' });

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
export const problem = (description: string) => ({ content: { 'application/problem+json': { schema: problemSchema } }, description });

/** Event forms generated from the event schemas: zod → JSON Schema → fields; raw field values → the body the server takes. */
import { z } from 'zod';
import { type EventType, eventBodies } from '../../../machines/events.ts';
import type { Agency } from '../api/types.ts';

export type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: string[];
  format?: string;
  maxLength?: number;
  default?: unknown;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
};
/** What a field holds while being edited: text as typed, booleans, nested objects and lists. */
export type Raw = string | boolean | undefined | Raw[] | { [key: string]: Raw };
export type RawObject = { [key: string]: Raw };

const cache = new Map<EventType, JsonSchema>();
export function schemaOf(type: EventType): JsonSchema {
  let s = cache.get(type);
  if (!s) {
    s = z.toJSONSchema(eventBodies[type], { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    cache.set(type, s);
  }
  return s;
}

/** `nullable()` appears as anyOf [schema, null]: the field is the schema, left empty for null. */
export const unwrap = (s: JsonSchema): JsonSchema => s.anyOf?.find((x) => x.type !== 'null') ?? s;
export const isAgencyRef = (s: JsonSchema) => s.type === 'object' && !!s.properties?.id && !!s.properties?.kind;
export const isLongText = (s: JsonSchema) => (s.maxLength ?? 0) > 200;

/** The starting value of a field: defaults from the schema, empty objects for required objects. */
export function initialRaw(s: JsonSchema, required: boolean): Raw {
  const t = unwrap(s);
  if (t.type === 'boolean') return typeof t.default === 'boolean' ? t.default : required ? false : undefined;
  if (t.type === 'object' && !isAgencyRef(t)) {
    if (!required) return undefined;
    return Object.fromEntries(Object.entries(t.properties ?? {}).map(([k, p]) => [k, initialRaw(p, t.required?.includes(k) ?? false)]));
  }
  if (t.type === 'array') return t.items?.type === 'object' ? [] : '';
  return '';
}

/** Turns what was typed into the event body: trimmed text, numbers, ISO times, one list item per line. */
export function toBody(s: JsonSchema, raw: Raw, agencies: Agency[]): unknown {
  const t = unwrap(s);
  if (raw === undefined) return s.anyOf && unwrap(s) !== s ? null : undefined;
  if (isAgencyRef(t)) {
    const a = agencies.find((x) => x.id === raw);
    return a ? { id: a.id, kind: a.kind, name: a.name } : undefined;
  }
  switch (t.type) {
    case 'object': {
      if (typeof raw !== 'object' || Array.isArray(raw)) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(t.properties ?? {})) {
        const v = toBody(p, raw[k], agencies);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    case 'array':
      if (Array.isArray(raw)) return raw.map((item) => toBody(t.items ?? {}, item, agencies));
      return String(raw)
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    case 'integer':
    case 'number':
      return raw === '' ? undefined : Number(raw);
    case 'boolean':
      return raw;
    default: {
      const text = String(raw).trim();
      if (text === '') return undefined;
      return t.format === 'date-time' ? new Date(text).toISOString() : text;
    }
  }
}

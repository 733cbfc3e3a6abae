/**
 * The event log as IEEE XES (concept, time, lifecycle, org), OCEL 2.0 JSON and flat CSV, each produced as a stream of
 * text. Pseudonymised for commissioners and auditors: case references, states, dates, agencies, roles and codes only —
 * no person, no case or staff identifiers, no free text (free text identifies).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { directory } from '../../../db/seed/directory.ts';
import { eventTypes } from '../../../machines/events.ts';
import { closureReasons, deadlineNames, declineReasons, handoverReasons, requestableClosureReasons } from '../../../machines/vocab.ts';
import { csvLine } from '../format.ts';
import { iso } from '../sql.ts';
import { eventRows, keyset, type LogRow } from './rows.ts';

export const exportFormats = ['xes', 'ocel', 'csv'] as const;
export type ExportFormat = (typeof exportFormats)[number];
export const contentTypes: Record<ExportFormat, string> = {
  xes: 'application/xml; charset=utf-8',
  ocel: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const str = (key: string, value: string | null) => (value === null ? '' : `<string key="${xml(key)}" value="${xml(value)}"/>`);

export const xesExtensions = [
  { name: 'Concept', prefix: 'concept', uri: 'http://www.xes-standard.org/concept.xesext' },
  { name: 'Time', prefix: 'time', uri: 'http://www.xes-standard.org/time.xesext' },
  { name: 'Lifecycle', prefix: 'lifecycle', uri: 'http://www.xes-standard.org/lifecycle.xesext' },
  { name: 'Organizational', prefix: 'org', uri: 'http://www.xes-standard.org/org.xesext' },
];

/** IEEE 1849-2016 XES: one trace per case (its reference), one event per history row; events are completed facts. */
async function* xes(db: Db): AsyncGenerator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">\n';
  for (const e of xesExtensions) yield `<extension name="${e.name}" prefix="${e.prefix}" uri="${e.uri}"/>\n`;
  yield '<global scope="trace"><string key="concept:name" value="UNKNOWN"/></global>\n';
  yield '<global scope="event"><string key="concept:name" value="UNKNOWN"/><date key="time:timestamp" value="1970-01-01T00:00:00.000Z"/><string key="lifecycle:transition" value="complete"/></global>\n';
  yield '<classifier name="Activity" keys="concept:name"/>\n<string key="concept:name" value="Kent and Medway dual diagnosis pathway"/>\n';
  let current: string | null = null;
  for await (const r of eventRows(db)) {
    if (r.case_id !== current) {
      if (current !== null) yield '</trace>\n';
      current = r.case_id;
      yield `<trace>${str('concept:name', r.reference)}${str('area', r.area)}${str('quadrant', r.quadrant)}<int key="episode" value="${r.episode}"/>\n`;
    }
    yield `<event>${str('concept:name', r.type)}<date key="time:timestamp" value="${r.at}"/>${str('lifecycle:transition', 'complete')}${str('org:group', r.actor_agency_id)}${str('org:role', r.actor_role)}<int key="seq" value="${r.seq}"/>${str('fromState', r.from_state.join(' + '))}${str('toState', r.to_state.join(' + '))}</event>\n`;
  }
  if (current !== null) yield '</trace>\n';
  yield '</log>\n';
}

/** Values of an event that are codes of the pathway's vocabularies (never text someone typed). */
const codes: ReadonlySet<string> = new Set([
  ...declineReasons,
  ...closureReasons,
  ...requestableClosureReasons,
  ...handoverReasons,
  ...deadlineNames,
]);
const codeOf = (value: unknown): string | null => (typeof value === 'string' && codes.has(value) ? value : null);

const csvColumns = [
  'reference',
  'episode',
  'seq',
  'type',
  'at',
  'agency_id',
  'agency_kind',
  'role',
  'from_state',
  'to_state',
  'area',
  'quadrant',
  'to_agency',
  'lead_agency',
  'reason',
];
async function* csv(db: Db): AsyncGenerator<string> {
  yield csvLine(csvColumns);
  for await (const r of eventRows(db)) {
    const p = r.payload as {
      to?: { id?: string };
      lead?: { id?: string };
      proposedLead?: { id?: string };
      reason?: unknown;
      deadline?: unknown;
    };
    yield csvLine([
      r.reference,
      r.episode,
      r.seq,
      r.type,
      r.at,
      r.actor_agency_id,
      r.actor_agency_kind,
      r.actor_role,
      r.from_state.join(' + '),
      r.to_state.join(' + '),
      r.area,
      r.quadrant,
      p.to?.id ?? null,
      p.lead?.id ?? p.proposedLead?.id ?? null,
      codeOf(p.reason) ?? codeOf(p.deadline),
    ]);
  }
}

/** Agencies an event names: who acted, and the services it refers to, hands over to or names as lead. */
const agenciesNamed = (r: LogRow): [string, string][] => {
  const p = r.payload as { to?: { id?: string }; lead?: { id?: string }; proposedLead?: { id?: string } };
  return [
    ['actor', r.actor_agency_id] as [string, string],
    ...(p.to?.id ? [['to', p.to.id] as [string, string]] : []),
    ...(p.lead?.id ? [['lead', p.lead.id] as [string, string]] : []),
    ...(p.proposedLead?.id ? [['proposed lead', p.proposedLead.id] as [string, string]] : []),
  ];
};

const epoch = '1970-01-01T00:00:00Z';
const attr = (name: string, value: unknown) => ({ name, time: epoch, value: value ?? '' });

/** OCEL 2.0 JSON: events related to the case (by reference), the referral, the handover and the agencies they involve. */
async function* ocel(db: Db): AsyncGenerator<string> {
  const objectTypes = [
    {
      name: 'case',
      attributes: [
        { name: 'episode', type: 'integer' },
        { name: 'area', type: 'string' },
        { name: 'quadrant', type: 'string' },
        { name: 'status', type: 'string' },
      ],
    },
    { name: 'referral', attributes: [] },
    { name: 'handover', attributes: [{ name: 'requestedAt', type: 'time' }] },
    {
      name: 'agency',
      attributes: [
        { name: 'name', type: 'string' },
        { name: 'kind', type: 'string' },
      ],
    },
  ];
  const attributes = [
    { name: 'seq', type: 'integer' },
    { name: 'fromState', type: 'string' },
    { name: 'toState', type: 'string' },
    { name: 'role', type: 'string' },
  ];
  yield `{"objectTypes":${JSON.stringify(objectTypes)},"eventTypes":${JSON.stringify(eventTypes.map((name) => ({ name, attributes })))},"events":[`;
  const agencies = new Set<string>();
  let first = true;
  let handover: { caseId: string; seq: number } | null = null;
  for await (const r of eventRows(db)) {
    if (r.type === 'handover.request') handover = { caseId: r.case_id, seq: r.seq };
    const rel = [
      { objectId: `case:${r.reference}`, qualifier: 'case' },
      ...(r.type.startsWith('referral.') ? [{ objectId: `referral:${r.reference}`, qualifier: 'referral' }] : []),
      ...(r.type.startsWith('handover.') && handover?.caseId === r.case_id
        ? [{ objectId: `handover:${r.reference}:${handover.seq}`, qualifier: 'handover' }]
        : []),
      ...agenciesNamed(r).map(([qualifier, id]) => {
        agencies.add(id);
        return { objectId: `agency:${id}`, qualifier };
      }),
    ];
    const event = {
      id: `${r.reference}:${r.seq}`,
      type: r.type,
      time: r.at,
      attributes: [
        { name: 'seq', value: r.seq },
        { name: 'fromState', value: r.from_state.join(' + ') },
        { name: 'toState', value: r.to_state.join(' + ') },
        { name: 'role', value: r.actor_role },
      ],
      relationships: rel,
    };
    yield `${first ? '' : ','}\n${JSON.stringify(event)}`;
    first = false;
  }
  yield '],"objects":[';
  first = true;
  const emit = (o: object) => {
    const s = `${first ? '' : ','}\n${JSON.stringify(o)}`;
    first = false;
    return s;
  };
  const names = new Map(directory.map((a) => [a.id, a]));
  for (const id of [...agencies].sort()) {
    const a = names.get(id);
    yield emit({ id: `agency:${id}`, type: 'agency', attributes: [attr('name', a?.name ?? id), attr('kind', a?.kind ?? 'unlisted')] });
  }
  type CaseObj = { k: string; reference: string; episode: number; area: string | null; quadrant: string | null; status: string };
  for await (const c of keyset<CaseObj>(
    db,
    (after) =>
      sql`select id::text as k, reference, episode, area, quadrant, status from cases ${after ? sql`where id > ${after}::uuid` : sql``} order by id`,
  )) {
    yield emit({
      id: `case:${c.reference}`,
      type: 'case',
      attributes: [attr('episode', c.episode), attr('area', c.area), attr('quadrant', c.quadrant), attr('status', c.status)],
    });
    yield emit({
      id: `referral:${c.reference}`,
      type: 'referral',
      attributes: [],
      relationships: [{ objectId: `case:${c.reference}`, qualifier: 'opens' }],
    });
  }
  for await (const h of keyset<{ k: string; reference: string; seq: number; at: string }>(
    db,
    (after) =>
      sql`select e.case_id::text || ':' || lpad(e.seq::text, 10, '0') as k, c.reference, e.seq, ${iso(sql`e.at`)} as at
            from case_events e join cases c on c.id = e.case_id
           where e.type = 'handover.request' ${after ? sql`and e.case_id::text || ':' || lpad(e.seq::text, 10, '0') > ${after}` : sql``}
           order by 1`,
  )) {
    yield emit({
      id: `handover:${h.reference}:${h.seq}`,
      type: 'handover',
      attributes: [{ name: 'requestedAt', time: epoch, value: h.at }],
      relationships: [{ objectId: `case:${h.reference}`, qualifier: 'of' }],
    });
  }
  yield '\n]}\n';
}

/** The event log in a format, as a stream of text chunks. */
export function eventLog(db: Db, format: ExportFormat): AsyncGenerator<string> {
  return format === 'xes' ? xes(db) : format === 'ocel' ? ocel(db) : csv(db);
}

/** A web stream of the log, batching small chunks so the response is not one write per event. */
export function eventLogStream(db: Db, format: ExportFormat): ReadableStream<Uint8Array> {
  const source = eventLog(db, format);
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      let buffer = '';
      while (buffer.length < 64 * 1024) {
        const { value, done } = await source.next();
        if (done) {
          if (buffer) controller.enqueue(encoder.encode(buffer));
          controller.close();
          return;
        }
        buffer += value;
      }
      controller.enqueue(encoder.encode(buffer));
    },
    async cancel() {
      await source.return(undefined);
    },
  });
}

import { sql } from 'drizzle-orm';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directory } from '../../db/seed/directory.ts';
import { xesExtensions } from '../../server/audits/export/formats.ts';
import { rows } from '../../server/audits/sql.ts';
import { testApi } from '../support/api.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { asOf, buildHistory } from './history.ts';

type Stored = { case_id: string; reference: string; seq: number; type: string; person_id: string; actor_id: string; payload: unknown };
const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

describe.each(backends)('GET /api/exports/event-log on $name', (backend) => {
  let database: TestDatabase;
  let stored: Stored[];
  beforeAll(async () => {
    database = await backend.open();
    await buildHistory(database);
    stored = await rows<Stored>(
      database.db,
      sql`select e.case_id::text, c.reference, e.seq, e.type, c.person_id::text, e.actor_id, e.payload::text as payload
            from case_events e join cases c on c.id = e.case_id order by 1, 3`,
    );
  });
  afterAll(async () => database.drop());
  const get = (format: string, role: 'auditor' | 'practitioner' = 'auditor') =>
    testApi(database, asOf).request('GET', `/api/exports/event-log?format=${format}`, { as: 'cgl-west-kent', role });

  it('should export XES that parses as XML with the declared extensions and every event exactly once', async () => {
    const res = await get('xes');
    expect(res.status).toBe(200);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(res.text);
    expect(list(doc.log.extension).map((e: { prefix: string; uri: string }) => [e.prefix, e.uri])).toEqual(
      xesExtensions.map((e) => [e.prefix, e.uri]),
    );
    const traces = list(doc.log.trace);
    expect(traces).toHaveLength(new Set(stored.map((s) => s.case_id)).size);
    const seen = traces.flatMap((t: { string: { key: string; value: string }[] | { key: string; value: string }; event: unknown }) => {
      const name = list(t.string).find((s) => s.key === 'concept:name')?.value;
      return list(t.event as { string: { key: string; value: string }[]; int: { key: string; value: string } }[]).map((e) => {
        const keys = e.string.map((s) => s.key);
        expect(keys).toEqual(expect.arrayContaining(['concept:name', 'lifecycle:transition', 'org:group', 'org:role']));
        // Who acted is told by agency and role, never by a person's id.
        expect(keys).not.toContain('org:resource');
        return `${name}|${e.int.value}|${e.string.find((s) => s.key === 'concept:name')?.value}`;
      });
    });
    expect(seen.sort()).toEqual(stored.map((s) => `${s.reference}|${s.seq}|${s.type}`).sort());
  });

  it('should export OCEL 2.0 JSON whose every event appears once and every relationship names an object', async () => {
    const res = await get('ocel');
    expect(res.status).toBe(200);
    const log = JSON.parse(res.text) as {
      objectTypes: { name: string }[];
      events: { id: string; type: string; relationships: { objectId: string }[] }[];
      objects: { id: string; type: string }[];
    };
    expect(log.objectTypes.map((t) => t.name)).toEqual(['case', 'referral', 'handover', 'agency']);
    expect(log.events.map((e) => e.id).sort()).toEqual(stored.map((s) => `${s.reference}:${s.seq}`).sort());
    const objects = new Set(log.objects.map((o) => o.id));
    expect(objects.size).toBe(log.objects.length);
    expect(log.events.flatMap((e) => e.relationships.map((r) => r.objectId)).filter((id) => !objects.has(id))).toEqual([]);
    expect(log.objects.filter((o) => o.type === 'handover')).toHaveLength(stored.filter((s) => s.type === 'handover.request').length);
  });

  it('should export flat CSV with one line per event', async () => {
    const res = await get('csv');
    expect(res.headers.get('Content-Type')).toMatch(/^text\/csv/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'reference,episode,seq,type,at,agency_id,agency_kind,role,from_state,to_state,area,quadrant,to_agency,lead_agency,reason',
    );
    expect(
      lines
        .slice(1)
        .map((l) => [l.split(',')[0], l.split(',')[2]].join('|'))
        .sort(),
    ).toEqual(stored.map((s) => `${s.reference}|${s.seq}`).sort());
    // Codes of the pathway's vocabularies are kept: the forbidden-ground decline was refused, the proper one is listed.
    expect(res.text).toContain('needsBetterMetElsewhere');
  });

  it.each(['xes', 'ocel', 'csv'])('should export %s with no identifiers and no free text', async (format) => {
    const res = await get(format);
    expect(res.status).toBe(200);
    // Every text someone typed into an event (reasons, explanations, notes, names of staff) and every id of a case,
    // a person or a member of staff.
    const typed = new Set<string>();
    const collect = (value: unknown): void => {
      // A code or a single-word value (area, state, agency id) is not text someone typed; agency names are public.
      if (typeof value === 'string') {
        if (/\s/.test(value) && !directory.some((a) => a.name === value)) typed.add(value);
      } else if (Array.isArray(value)) for (const v of value) collect(v);
      else if (value && typeof value === 'object') for (const v of Object.values(value)) collect(v);
    };
    for (const s of stored) collect(JSON.parse(s.payload as string));
    expect(typed.size).toBeGreaterThan(10);
    const leaks = [...typed, ...stored.flatMap((s) => [s.case_id, s.person_id, s.actor_id])].filter((t) => res.text.includes(t));
    expect(leaks).toEqual([]);
    for (const dob of ['1980-05-01', '1985-01-01', '1990-02-02', '1975-03-03']) expect(res.text).not.toContain(dob);
  });

  it('should refuse a practitioner', async () => {
    expect((await get('csv', 'practitioner')).status).toBe(403);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../support/api.ts';
import { backends, type TestDatabase } from '../support/database.ts';

/** Reads server-sent events from a streaming response until `count` have arrived. */
async function readEvents(body: ReadableStream<Uint8Array>, count: number): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: Record<string, unknown> }[] = [];
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = block.match(/^event: (.*)$/m)?.[1];
      const data = block.match(/^data: (.*)$/m)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) });
      end = buffer.indexOf('\n\n');
    }
  }
  await reader.cancel();
  return events;
}

describe.each(backends)('GET /api/cases/:id/inspect on $name', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => database.drop());

  it('should announce the case, then stream each applied event and snapshot with the case id as session id', async () => {
    const api = testApi(database);
    const opened = await api.request('POST', '/api/cases', {
      as: 'kmpt-pcmhs-maidstone',
      body: {
        person: { dateOfBirth: '1979-09-09', area: 'WEST_KENT' },
        residency: 'permanent',
        referral: {
          source: 'GP',
          referrer: { name: 'Dr Patel', qualification: 'other' },
          to: { id: 'cgl-west-kent', kind: 'SMS' },
          reasonForReferral: 'Drinking daily',
          consent: { sharing: 'given' },
        },
      },
    });
    const id = opened.json.id as string;
    const stream = await api.app.request(`/api/cases/${id}/inspect`, {
      headers: { Authorization: `Bearer ${await api.token('cgl-west-kent')}` },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('Content-Type')).toContain('text/event-stream');
    const reading = readEvents(stream.body as ReadableStream<Uint8Array>, 3);
    await new Promise((r) => setTimeout(r, 50));
    const accepted = await api.request('POST', `/api/cases/${id}/events`, { as: 'cgl-west-kent', body: { type: 'referral.accept' } });
    expect(accepted.status).toBe(200);

    const events = await reading;
    expect(events.map((e) => e.event)).toEqual(['@xstate.actor', '@xstate.event', '@xstate.snapshot']);
    expect(events.every((e) => e.data.sessionId === id)).toBe(true);
    expect((events[1]?.data.event as { type: string } | undefined)?.type).toBe('referral.accept');
    expect((events[2]?.data.snapshot as { value: unknown } | undefined)?.value).toEqual({ active: 'assessment' });
  });

  it('should refuse the stream without a token (401 problem+json)', async () => {
    const api = testApi(database);
    const res = await api.request('GET', '/api/inspect', { as: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('Content-Type')).toBe('application/problem+json');
  });
});

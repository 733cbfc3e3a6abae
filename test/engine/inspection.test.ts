import { describe, expect, it } from 'vitest';
import { testApi } from '../support/api.ts';
import { openCaseBody, services } from '../support/apiFactory.ts';
import { backends } from '../support/database.ts';
import { useDatabase } from '../support/suite.ts';

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
  const suite = useDatabase(backend);

  it('should announce the case, then stream each applied event and snapshot with the case id as session id', async () => {
    const api = testApi(suite.database);
    const opened = await api.request('POST', '/api/cases', {
      as: 'kmpt-pcmhs-maidstone',
      body: openCaseBody({ to: services.sms, on: api.now() }),
    });
    const id = opened.json.id as string;
    const stream = await api.app.request(`/api/cases/${id}/inspect`, {
      headers: { Authorization: `Bearer ${await api.token('cgl-west-kent')}` },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('Content-Type')).toContain('text/event-stream');
    const reading = readEvents(stream.body as ReadableStream<Uint8Array>, 3);
    await new Promise((r) => setTimeout(r, 50));
    const accepted = await api.request('POST', `/api/cases/${id}/events`, {
      as: 'cgl-west-kent',
      body: { type: 'referral.accept' },
      headers: { 'If-Match': '"1"' },
    });
    expect(accepted.status).toBe(200);

    const events = await reading;
    expect(events.map((e) => e.event)).toEqual(['@xstate.actor', '@xstate.event', '@xstate.snapshot']);
    expect(events.every((e) => e.data.sessionId === id)).toBe(true);
    expect((events[1]?.data.event as { type: string } | undefined)?.type).toBe('referral.accept');
    expect((events[2]?.data.snapshot as { value: unknown } | undefined)?.value).toEqual({ active: 'assessment' });
  });

  it('should refuse the stream without a token (401 problem+json)', async () => {
    const api = testApi(suite.database);
    const res = await api.request('GET', '/api/inspect', { as: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('Content-Type')).toBe('application/problem+json');
  });
});

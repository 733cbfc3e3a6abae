/** The opt-in relay to Stately's inspector: every reported transition reaches a WebSocket inspector as well. */
import { createServer } from 'node:net';
import { createWebSocketReceiver, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { describe, expect, it } from 'vitest';
import { createInspectionHub } from '../../server/inspection.ts';
import { relayToStately } from '../../server/statelyRelay.ts';
import { appliedFixture } from '../support/applied.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });

describe('relayToStately', () => {
  it('should send each applied transition to the WebSocket inspector, session id = case id', async () => {
    const port = await freePort();
    const bridge = createInspectorServer({ port, autoOpen: false });
    const received: StatelyInspectionEvent[] = [];
    const receiver = createWebSocketReceiver({ server: `ws://127.0.0.1:${port}` });
    receiver.subscribe((e) => received.push(e));
    const hub = createInspectionHub();
    const stop = relayToStately(hub, `ws://127.0.0.1:${port}`);
    const caseId = '6f1f8f7e-0000-4000-8000-000000000001';
    const applied = appliedFixture(caseId, ['active.referral.awaitingAcceptance']);
    // The sockets connect asynchronously; the relay holds events until it is open.
    await new Promise((r) => setTimeout(r, 300));
    hub.report(applied);
    await expect.poll(() => received.map((e) => e.type), { timeout: 5000 }).toEqual(['@xstate.event', '@xstate.snapshot']);
    expect(received.every((e) => e.sessionId === caseId)).toBe(true);
    stop();
    bridge.stop();
  });
});

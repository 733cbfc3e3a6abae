/** The live connection to an inspection stream as a small statechart: connecting → live, retrying with back-off. */
import { assign, emit, fromCallback, setup } from 'xstate';
import { authHeaders } from '../api/client.ts';
import { readSse, type SseMessage } from '../api/sse.ts';

type StreamEvent = { type: 'opened' } | { type: 'message'; message: SseMessage } | { type: 'dropped' };

const stream = fromCallback<StreamEvent, { path: string }>(({ input, sendBack }) => {
  const controller = new AbortController();
  readSse(
    input.path,
    authHeaders(),
    { open: () => sendBack({ type: 'opened' }), message: (message) => sendBack({ type: 'message', message }) },
    controller.signal,
  )
    .then(() => sendBack({ type: 'dropped' }))
    .catch(() => {
      if (!controller.signal.aborted) sendBack({ type: 'dropped' });
    });
  return () => controller.abort();
});

export const connectionMachine = setup({
  types: {
    context: {} as { path: string; retries: number; received: number },
    input: {} as { path: string },
    events: {} as StreamEvent,
    emitted: {} as { type: 'inspection'; message: SseMessage },
  },
  actors: { stream },
  // A UI timer, not a clinical one: waiting to reconnect is nothing the pathway needs to remember.
  delays: { backoff: ({ context }) => Math.min(500 * 2 ** context.retries, 10_000) },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({ path: input.path, retries: 0, received: 0 }),
  initial: 'connected',
  states: {
    connected: {
      invoke: { src: 'stream', input: ({ context }) => ({ path: context.path }) },
      initial: 'connecting',
      states: {
        connecting: { on: { opened: { target: 'live', actions: assign({ retries: 0 }) } } },
        live: {},
      },
      on: {
        message: {
          actions: [
            assign({ received: ({ context }) => context.received + 1 }),
            emit(({ event }) => ({ type: 'inspection' as const, message: event.message })),
          ],
        },
        dropped: { target: 'retrying' },
      },
    },
    retrying: {
      entry: assign({ retries: ({ context }) => context.retries + 1 }),
      after: { backoff: 'connected' },
    },
  },
});

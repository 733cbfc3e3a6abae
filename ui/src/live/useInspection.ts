/** Subscribes a page to an inspection stream; calls back on each @xstate.snapshot / @xstate.event for a case. */
import { useMachine } from '@xstate/react';
import { useEffect, useRef } from 'react';
import { connectionMachine } from './connection.ts';

export type Inspected = { type: string; sessionId: string; event?: { type: string }; snapshot?: { value: unknown } };
export type LiveStatus = 'connecting' | 'live' | 'retrying';

export function useInspection(path: string, onInspected: (e: Inspected) => void): { status: LiveStatus; received: number } {
  const [snapshot, , actorRef] = useMachine(connectionMachine, { input: { path } });
  const callback = useRef(onInspected);
  callback.current = onInspected;
  useEffect(() => {
    const sub = actorRef.on('inspection', ({ message }) => {
      try {
        callback.current(JSON.parse(message.data) as Inspected);
      } catch {
        // A malformed message is skipped; the next one carries the whole snapshot again.
      }
    });
    return () => sub.unsubscribe();
  }, [actorRef]);
  const status: LiveStatus = snapshot.matches('retrying') ? 'retrying' : snapshot.matches({ connected: 'live' }) ? 'live' : 'connecting';
  return { status, received: snapshot.context.received };
}

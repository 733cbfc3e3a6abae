/** Opt-in: relays the inspection stream to Stately's own inspector over WebSocket, for teams whose network reaches it. */
import { createWebSocketInspector } from '@statelyai/inspect';
import { ALL_CASES, type InspectionHub } from './inspection.ts';

/**
 * Every case's inspection events go to `url` as well as to our own inspector page — pseudonymised (states and event
 * types, no facts or free text): Stately's inspector is outside the access policy. Returns a stop function.
 */
export function relayToStately(hub: InspectionHub, url: string): () => void {
  const relay = createWebSocketInspector({ url });
  const unsubscribe = hub.subscribe(
    ALL_CASES,
    (event) => relay.adapter.send(event),
    () => 'pseudonymised',
  );
  return () => {
    unsubscribe();
    relay.stop();
  };
}

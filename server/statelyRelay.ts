/** Opt-in: relays the inspection stream to Stately's own inspector over WebSocket, for teams whose network reaches it. */
import { createWebSocketInspector } from '@statelyai/inspect';
import { ALL_CASES, type InspectionHub } from './inspection.ts';

/** Every inspection event of every case goes to `url` as well as to our own inspector page; returns a stop function. */
export function relayToStately(hub: InspectionHub, url: string): () => void {
  const relay = createWebSocketInspector({ url });
  const unsubscribe = hub.subscribe(ALL_CASES, (event) => relay.adapter.send(event));
  return () => {
    unsubscribe();
    relay.stop();
  };
}

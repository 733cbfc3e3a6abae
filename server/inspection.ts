/** The inspection stream: each applied transition reported with @statelyai/inspect (session id = case id) to subscribers. */
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { Applied } from './engine/applyEvent.ts';

/** What the stream reports of an applied transition. */
export type Reported = Pick<Applied, 'caseId' | 'event'> & { snapshot: Pick<Applied['snapshot'], 'status' | 'value' | 'context'> };
/** The applied transition as the stream reports it (no machine objects: it may cross between processes). */
export const reported = ({ caseId, event, snapshot: { status, value, context } }: Reported): Reported => ({
  caseId,
  event,
  snapshot: { status, value, context },
});
export type InspectionListener = (event: StatelyInspectionEvent) => void;
export const ALL_CASES = '*';

export function createInspectionHub() {
  const listeners = new Map<string, Set<InspectionListener>>();
  const deliver = (key: string, event: StatelyInspectionEvent) => {
    for (const listener of listeners.get(key) ?? []) {
      try {
        listener(event);
      } catch {
        // A failing subscriber (a closed stream) must not stop the others.
      }
    }
  };
  const inspector = createInspector({
    send: (event) => {
      deliver(event.sessionId, event);
      deliver(ALL_CASES, event);
    },
  });
  return {
    /** Reports a committed transition: the event the case received, then its new snapshot. */
    report(applied: Reported) {
      const { caseId, event, snapshot } = reported(applied);
      inspector.event(caseId, event, { source: `agency:${event.actor.agencyId}` });
      inspector.snapshot(caseId, snapshot, { event });
    },
    /** Announces a case to one subscriber with its current snapshot (the `@xstate.actor` registration). */
    announce(caseId: string, snapshot: { status: string; value: unknown; context: unknown }, listener: InspectionListener) {
      const registration = createInspector({ send: listener });
      registration.actor(caseId, { status: snapshot.status as 'active', value: snapshot.value, context: snapshot.context });
    },
    subscribe(key: string, listener: InspectionListener): () => void {
      const set = listeners.get(key) ?? new Set();
      set.add(listener);
      listeners.set(key, set);
      return () => {
        set.delete(listener);
        // Only this set's own entry: a second call after a newer subscriber made a new set must not remove that one.
        if (set.size === 0 && listeners.get(key) === set) listeners.delete(key);
      };
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}
export type InspectionHub = ReturnType<typeof createInspectionHub>;

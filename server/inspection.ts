/**
 * The inspection stream: each applied transition reported with @statelyai/inspect (session id = case id) to
 * subscribers, each in the view the access policy gives it of that case (machines/access.ts).
 */
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { LRUCache } from 'lru-cache';
import type { Ties } from '../machines/access.ts';
import type { Applied } from './engine/applyEvent.ts';

/** What the stream reports of an applied transition, with the case's ties (who may see it). */
export type Reported = Pick<Applied, 'caseId' | 'event' | 'ties'> & {
  snapshot: Pick<Applied['snapshot'], 'status' | 'value' | 'context'>;
};
/** The applied transition as the stream reports it (no machine objects: it may cross between processes). */
export const reported = ({ caseId, event, ties, snapshot: { status, value, context } }: Reported): Reported => ({
  caseId,
  event,
  ties,
  snapshot: { status, value, context },
});
export type InspectionListener = (event: StatelyInspectionEvent) => void;
export const ALL_CASES = '*';

/** What the policy needs of a case to decide a subscriber's view of it. */
export type StreamedCase = { id: string; ties: Ties | undefined; snapshot: { context: unknown } };
/** A subscriber's view of one case's events: in full, pseudonymised, or not at all. */
export type StreamView = (kase: StreamedCase) => 'full' | 'pseudonymised' | null;

/**
 * An inspection event without what identifies the person: the snapshot's state and status, the event's type and
 * time — no context (clinical facts, free text) and no event payload.
 */
export function pseudonymised(e: StatelyInspectionEvent): StatelyInspectionEvent {
  const out = { ...e } as Record<string, unknown>;
  const snap = out.snapshot as { status?: unknown; value?: unknown } | undefined;
  if (snap) out.snapshot = { status: snap.status, value: snap.value, context: null };
  const ev = out.event as { type?: unknown; at?: unknown } | undefined;
  if (ev) out.event = { type: ev.type, at: ev.at };
  return out as unknown as StatelyInspectionEvent;
}

export function createInspectionHub() {
  const listeners = new Map<string, Set<InspectionListener>>();
  /** Subscribers of every case, each with its view of each case. */
  const views = new Map<InspectionListener, StreamView>();
  /** The last reported ties and consent of recent cases: what a subscriber's view of their events is decided on. */
  const cases = new LRUCache<string, StreamedCase>({ max: 10_000 });
  /** What ends each open stream when the server shuts down. */
  const closers = new Set<() => void>();
  const deliver = (key: string, event: StatelyInspectionEvent) => {
    const kase = key === ALL_CASES ? cases.get(event.sessionId) : undefined;
    for (const listener of listeners.get(key) ?? []) {
      try {
        const view = views.get(listener);
        if (!view) {
          listener(event);
          continue;
        }
        const v = kase ? view(kase) : null;
        if (v === 'full') listener(event);
        else if (v === 'pseudonymised') listener(pseudonymised(event));
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
      const { caseId, event, snapshot, ties } = reported(applied);
      cases.set(caseId, { id: caseId, ties, snapshot: { context: snapshot.context } });
      inspector.event(caseId, event, { source: `agency:${event.actor.agencyId}` });
      inspector.snapshot(caseId, snapshot, { event });
    },
    /** Announces a case to one subscriber with its current snapshot (the `@xstate.actor` registration). */
    announce(caseId: string, snapshot: { status: string; value: unknown; context: unknown }, listener: InspectionListener) {
      const registration = createInspector({ send: listener });
      registration.actor(caseId, { status: snapshot.status as 'active', value: snapshot.value, context: snapshot.context });
    },
    /** Subscribes to one case's events, or (with `view`) to every case's, each in the view `view` gives. */
    subscribe(key: string, listener: InspectionListener, view?: StreamView): () => void {
      const set = listeners.get(key) ?? new Set();
      set.add(listener);
      listeners.set(key, set);
      if (view) views.set(listener, view);
      return () => {
        set.delete(listener);
        views.delete(listener);
        // Only this set's own entry: a second call after a newer subscriber made a new set must not remove that one.
        if (set.size === 0 && listeners.get(key) === set) listeners.delete(key);
      };
    },
    /** The ties and consent last reported for a case (what a subscriber's view of its next event is decided on). */
    latest: (caseId: string): StreamedCase | undefined => cases.get(caseId),
    /** Runs `close` when the hub closes (shutdown); the returned function cancels it. */
    onClose(close: () => void): () => void {
      closers.add(close);
      return () => closers.delete(close);
    },
    /** Ends every open stream (shutdown). */
    close() {
      for (const close of [...closers]) close();
      closers.clear();
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}
export type InspectionHub = ReturnType<typeof createInspectionHub>;

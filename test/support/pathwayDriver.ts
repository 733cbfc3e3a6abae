/** Drives the real machine through the pure `step()` the engine uses, recording every event applied. */
import {
  type Actor,
  type Blocker,
  type EventBody,
  explainRefusal,
  initialSnapshot,
  type PathwayEvent,
  type PathwaySnapshot,
  step,
} from '../../machines/index.ts';
import { clock, stamp } from './pathwayFactory.ts';

export function drive(start?: string) {
  const time = clock(start);
  let snapshot: PathwaySnapshot = initialSnapshot();
  const history: PathwayEvent[] = [];
  return {
    time,
    get snapshot() {
      return snapshot;
    },
    history,
    /** Sends an event; returns the blockers (empty when it was applied). */
    send(body: EventBody, actor: Actor): Blocker[] {
      const event = stamp(body, actor, time.now());
      const { next, changed } = step(snapshot, event);
      if (!changed) return explainRefusal(snapshot, event);
      snapshot = next;
      history.push(event);
      return [];
    },
    /** Sends an event that must be applied; throws with its blockers otherwise. */
    ok(body: EventBody, actor: Actor): PathwaySnapshot {
      const blockers = this.send(body, actor);
      if (blockers.length > 0) throw new Error(`${body.type} refused: ${JSON.stringify(blockers)}`);
      return snapshot;
    },
  };
}

/** One synthetic journey being lived: events stamped and sent through the machine's own `step()`, deadlines fired when due. */
import { type Actor, type EventBody, type EventType, eventBodies, type PathwayEvent } from '../../../machines/events.ts';
import { explainRefusal } from '../../../machines/explain.ts';
import { deadlinesOf, initialSnapshot, type PathwaySnapshot, statePaths, step } from '../../../machines/snapshot.ts';
import { systemPrincipal } from '../../engine/sweeper.ts';

export const DAY_MS = 86_400_000;

/** The engine's own actor for deadlines, exactly as the sweeper stamps it. */
export const systemActor: Actor = {
  id: systemPrincipal.id,
  agencyId: systemPrincipal.agencyId,
  agencyKind: systemPrincipal.agencyKind ?? 'OUT_OF_AREA',
  role: 'system',
};

/** Deterministic random numbers for one journey (mulberry32), with the shapes journeys need. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
  return {
    next,
    chance: (p: number) => next() < p,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T,
    /** Weighted choice: [[value, weight], …]. */
    weighted: <T>(options: readonly (readonly [T, number])[]) => {
      const total = options.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [v, w] of options) {
        r -= w;
        if (r < 0) return v;
      }
      return (options[options.length - 1] as readonly [T, number])[0];
    },
    /** Days with a long right tail: `median` days, `spread` the log-normal sigma. */
    days: (median: number, spread = 0.8) => median * Math.exp(spread * normal()),
  };
}
export type Random = ReturnType<typeof random>;

/** Parses a body as the API does (defaults applied) and stamps it as the engine does. */
export function stamp(body: EventBody, actor: Actor, at: string): PathwayEvent {
  const { type, ...rest } = body;
  return { type, ...eventBodies[type as EventType].parse(rest), at, actor } as PathwayEvent;
}

export type Refused = { event: PathwayEvent; before: number };

/** Told of every event the machine took (with the leaf states before it) and every event it refused. */
export type JourneyObserver = {
  step: (event: PathwayEvent, from: string[], next: PathwaySnapshot) => void;
  refused: (event: PathwayEvent, snapshot: PathwaySnapshot) => void;
};

export class Journey {
  snapshot: PathwaySnapshot;
  readonly events: PathwayEvent[] = [];
  readonly refused: Refused[] = [];
  /** Deadlines fired, `name|ref|due` → when (the sweeper's `fired_at`). */
  readonly fired = new Map<string, string>();
  stopped = false;
  constructor(
    public t: number,
    readonly end: number,
    readonly observer?: JourneyObserver,
    pathwayVersion?: number,
  ) {
    this.snapshot = initialSnapshot(pathwayVersion);
  }

  private apply(event: PathwayEvent, next: PathwaySnapshot): void {
    this.observer?.step(event, statePaths(this.snapshot.value), next);
    this.snapshot = next;
    this.events.push(event);
  }

  get ctx() {
    return this.snapshot.context;
  }
  get open() {
    return this.snapshot.status === 'active' && !this.stopped;
  }
  in(path: string): boolean {
    return this.snapshot.matches(path as never);
  }

  /** Waits `days`, then sends the event; false (and the journey stops) when that would pass the end of the cohort. */
  send(days: number, body: EventBody, actor: Actor): boolean {
    if (!this.open && this.events.length > 0) return false;
    const at = this.t + Math.max(0, days) * DAY_MS;
    this.fireDue(Math.min(at, this.end));
    if (at > this.end) {
      this.stopped = true;
      return false;
    }
    this.t = at;
    const event = stamp(body, actor, new Date(at).toISOString());
    const { next, changed } = step(this.snapshot, event);
    if (!changed) {
      throw new Error(
        `cohort: ${body.type} refused in ${JSON.stringify(this.snapshot.value)}: ${JSON.stringify(explainRefusal(this.snapshot, event))}`,
      );
    }
    this.apply(event, next);
    return true;
  }

  /** Sends an event the protocol must refuse (a decline on forbidden grounds); the case does not change. */
  attempt(days: number, body: EventBody, actor: Actor): boolean {
    const at = this.t + Math.max(0, days) * DAY_MS;
    this.fireDue(Math.min(at, this.end));
    if (at > this.end || !this.open) return false;
    this.t = at;
    const event = stamp(body, actor, new Date(at).toISOString());
    if (step(this.snapshot, event).changed) throw new Error(`cohort: ${body.type} was expected to be refused`);
    this.refused.push({ event, before: this.events.length });
    this.observer?.refused(event, this.snapshot);
    return true;
  }

  /** Fires, in due order, every pending deadline due by `upTo` (as the sweeper would, at its due time). */
  fireDue(upTo: number): void {
    for (;;) {
      if (this.snapshot.status !== 'active' || this.events.length === 0) return;
      const due = deadlinesOf(this.snapshot)
        .filter((d) => Date.parse(d.dueAt) <= upTo && !this.fired.has(`${d.name}|${d.ref}|${Date.parse(d.dueAt)}`))
        .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0];
      if (!due) return;
      const at = Math.max(Date.parse(due.dueAt), this.t);
      const event = stamp(
        { type: 'deadline.reached', deadline: due.name, ...(due.ref ? { ref: due.ref } : {}) },
        systemActor,
        new Date(at).toISOString(),
      );
      const { next, changed } = step(this.snapshot, event);
      if (!changed) throw new Error(`cohort: deadline ${due.name} refused`);
      this.fired.set(`${due.name}|${due.ref}|${Date.parse(due.dueAt)}`, event.at);
      this.apply(event, next);
      this.t = at;
    }
  }

  /** The end of the journey: the case stays open as it is, with every deadline due by then fired. */
  finish(): void {
    if (this.events.length > 0) this.fireDue(this.end);
  }
}

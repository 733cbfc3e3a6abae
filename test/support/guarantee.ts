/**
 * The headline guarantee of the pathway, stated once, as properties over a case's history (docs/rules.md, "Second
 * reading"): R-LEAD-ACCEPTED and R-CLOSE-GAPLESS (a)–(d).
 *
 * A history is the sequence of steps a case went through, each an event with the snapshot before and after it. The
 * properties read the event's actor and the two snapshots; they name no event type, so they hold every event of every
 * version to the same account, including events added later. What makes an event "accepting" is what it does to the
 * offers of the lead that were open before it, not what it is called.
 *
 * Each property is a fold: `observe` judges one step with a small memory of the steps before it (whether a lead ever
 * existed, which agencies accepted a handover of the case). Two histories that reach the same snapshot with the same
 * memory are judged alike from there on, which lets a graph walk check every path up to a depth by visiting each
 * (snapshot, memory) once.
 */
import {
  type AgencyRef,
  initialSnapshot,
  type PathwayContext,
  type PathwayEvent,
  type PathwaySnapshot,
  step as stepOf,
} from '../../machines/index.ts';

export type HistoryStep = { seq: number; event: PathwayEvent; before: PathwaySnapshot; after: PathwaySnapshot };
export type GuaranteeRule = 'R-LEAD-ACCEPTED' | 'R-CLOSE-GAPLESS';
/** A step that breaks a property, in words: which step, which event and why. */
export type Counterexample = { rule: GuaranteeRule; clause?: 'a' | 'b' | 'c' | 'd'; seq: number; event: string; why: string };
/** What the properties remember of the steps before the one they judge. */
export type GuaranteeMemory = { readonly leadSeen: boolean; readonly handoverAcceptedBy: readonly string[] };

export const emptyMemory: GuaranteeMemory = { leadSeen: false, handoverAcceptedBy: [] };
export const memoryKey = (m: GuaranteeMemory): string => `${m.leadSeen ? 'L' : '-'}${[...m.handoverAcceptedBy].sort().join(',')}`;

/** Roles that act for a service; commissioners, auditors and the engine never do (docs/rules.md). */
const servingRoles: ReadonlySet<string> = new Set(['practitioner', 'serviceManager', 'clinicalDirector']);
const actsFor = (ev: PathwayEvent, agencyId: string | undefined): boolean =>
  !!agencyId && ev.actor.agencyId === agencyId && servingRoles.has(ev.actor.role);
const who = (ev: PathwayEvent): string => `${ev.actor.role} of ${ev.actor.agencyId}`;
const named = (a: { id: string; kind?: string } | undefined | null): string => (a ? `${a.id}${a.kind ? ` (${a.kind})` : ''}` : 'none');

/** Fields later versions may add to a dispute: a resolution proposed by one side, awaiting the other side. */
type Loose = Record<string, unknown> | null | undefined;
const asAgency = (x: unknown): AgencyRef | undefined =>
  x && typeof x === 'object' && typeof (x as AgencyRef).id === 'string' ? (x as AgencyRef) : undefined;

/** A resolution of the dispute proposed by one side and not yet confirmed: the agency it names and who proposed it. */
function proposedResolution(ctx: PathwayContext): { lead: AgencyRef; proposedBy: string | undefined } | null {
  const dispute = ctx.dispute as Loose;
  if (!dispute) return null;
  for (const key of ['resolution', 'proposedResolution', 'proposal']) {
    const r = dispute[key] as Loose;
    const lead = asAgency(r?.lead);
    if (r && lead) {
      const by = r.proposedBy ?? r.by ?? r.from;
      return { lead, proposedBy: asAgency(by)?.id ?? (typeof by === 'string' ? by : undefined) };
    }
  }
  return null;
}

type Offer = { kind: 'handover' | 'lead proposal' | 'dispute resolution'; to: string; by: string | undefined };

/** Every offer of the lead open in a context: to whom, and by whom it was made. */
function leadOffers(ctx: PathwayContext): Offer[] {
  const offers: Offer[] = [];
  if (ctx.handover) offers.push({ kind: 'handover', to: ctx.handover.to.id, by: ctx.handover.from.id });
  if (ctx.leadProposal) offers.push({ kind: 'lead proposal', to: ctx.leadProposal.to.id, by: ctx.lead?.agency.id ?? ctx.referral?.to.id });
  const resolution = proposedResolution(ctx);
  if (resolution) offers.push({ kind: 'dispute resolution', to: resolution.lead.id, by: resolution.proposedBy });
  return offers;
}
const sameOffer = (a: Offer, b: Offer) => a.kind === b.kind && a.to === b.to && a.by === b.by;

/**
 * How the agency of `ev`'s actor accepts the lead at this step, if it does: it answers an offer of the lead made to it
 * by someone else (a handover, a lead proposal, a dispute resolution proposed by the other side), or it takes the
 * lead of a case it holds that has no lead and no offer or dispute open. Null when the step accepts nothing.
 */
function acceptance(before: PathwayContext, after: PathwayContext, ev: PathwayEvent): Offer | { kind: 'self-assignment' } | null {
  const agency = ev.actor.agencyId;
  if (!servingRoles.has(ev.actor.role)) return null;
  const answered = leadOffers(before).find(
    (o) => o.to === agency && o.by !== agency && !leadOffers(after).some((still) => sameOffer(still, o)),
  );
  if (answered) return answered;
  const holdsCase = before.referral?.status === 'accepted' && before.referral.to.id === agency;
  if (!before.lead && holdsCase && leadOffers(before).length === 0 && !before.dispute && !before.handover)
    return { kind: 'self-assignment' };
  return null;
}

/** The handover of the case its receiver accepts at this step (the receiver leads after it, or the case closes to it). */
function acceptedHandover(s: HistoryStep): AgencyRef | null {
  const h = s.before.context.handover;
  if (!h || !actsFor(s.event, h.to.id) || s.after.context.handover) return null;
  const after = s.after.context;
  return after.lead?.agency.id === h.to.id || after.closure?.to?.id === h.to.id ? h.to : null;
}

/** R-CLOSE-GAPLESS (d): care recorded as complete, in the case or by the closing lead, where a version records it. */
function careComplete(ctx: PathwayContext, ev: PathwayEvent): boolean {
  const loose = ctx as unknown as Record<string, Loose | boolean | string>;
  const plan = ctx.carePlan as unknown as Loose;
  const closing = ev as unknown as Record<string, unknown>;
  return closing.careComplete === true || !!loose.careComplete || !!loose.careCompletedAt || !!plan?.completedAt;
}

/** What is open in a context that a closing lead must settle first (R-CLOSE-GAPLESS (b)), apart from what `except` answers. */
function openAtClosure(ctx: PathwayContext, except: AgencyRef | null): string[] {
  return [
    ctx.referral?.status === 'awaiting' ? `the referral to ${named(ctx.referral.to)}` : null,
    ctx.handover && ctx.handover.to.id !== except?.id ? `the handover to ${named(ctx.handover.to)}` : null,
    ctx.leadProposal ? `the lead proposal to ${named(ctx.leadProposal.to)}` : null,
    ...ctx.involvements.filter((i) => i.status === 'requested').map((i) => `the involvement request to ${named(i.agency)}`),
    ctx.dispute ? `the dispute raised by ${named(ctx.dispute.raisedBy)}` : null,
  ].filter((x): x is string => x !== null);
}

/** R-LEAD-ACCEPTED at one step: whoever becomes lead is the agency of the actor, and the event is its acceptance. */
export function leadAcceptedAt(s: HistoryStep): Counterexample | null {
  const from = s.before.context.lead?.agency;
  const to = s.after.context.lead?.agency;
  if (!to || from?.id === to.id) return null;
  const base = { rule: 'R-LEAD-ACCEPTED' as const, seq: s.seq, event: s.event.type };
  const moved = `the lead moved from ${named(from)} to ${named(to)}`;
  if (s.event.actor.agencyId !== to.id) {
    return { ...base, why: `${moved} at an event recorded by the ${who(s.event)}: ${to.id} did not record it` };
  }
  if (!servingRoles.has(s.event.actor.role)) {
    return { ...base, why: `${moved} at an event recorded by the ${who(s.event)}, a role that does not act for the service` };
  }
  if (!acceptance(s.before.context, s.after.context, s.event)) {
    const open = leadOffers(s.before.context).map((o) => `${o.kind} to ${o.to}${o.by ? ` from ${o.by}` : ''}`);
    const dispute = s.before.context.dispute ? `; a dispute raised by ${s.before.context.dispute.raisedBy.id} was open` : '';
    return {
      ...base,
      why: `${moved} at ${to.id}'s own event, but it accepted nothing: no offer of the lead to ${to.id} by another service was open${
        open.length ? ` (open: ${open.join(', ')})` : ''
      }${dispute}, and it was not assigning itself the lead of a case it held with nothing open`,
    };
  }
  return null;
}

/** R-CLOSE-GAPLESS (a)–(d) at one step that closes the case; `memory` holds what the steps before showed. */
export function closeGaplessAt(s: HistoryStep, memory: GuaranteeMemory): Counterexample[] {
  if (s.before.status !== 'active' || s.after.status !== 'done') return [];
  const before = s.before.context;
  const closure = s.after.context.closure;
  const reason = closure?.reason ?? 'none recorded';
  const base = { rule: 'R-CLOSE-GAPLESS' as const, seq: s.seq, event: s.event.type };
  const out: Counterexample[] = [];
  const handover = acceptedHandover(s);

  if (!memory.leadSeen && !before.lead) {
    // (a) Before any lead exists: a decline by the receiving service, or a redirect (onward, or under-18 to CAMHS).
    const declined = reason === 'referralDeclined' && actsFor(s.event, before.referral?.to.id);
    const referrer = s.after.context.referral?.referrer.agencyId;
    const redirected = reason.startsWith('redirected') && !!closure?.to && closure.to.id !== referrer;
    if (!declined && !redirected) {
      out.push({
        ...base,
        clause: 'a',
        why: `closed as "${reason}" by the ${who(s.event)} before any lead existed: only a decline by the receiving service or a redirect may close a case then`,
      });
    }
  } else {
    // (b) Afterwards: only by its lead, with nothing open.
    const lead = handover ?? before.lead?.agency;
    if (!actsFor(s.event, lead?.id)) {
      out.push({ ...base, clause: 'b', why: `closed as "${reason}" by the ${who(s.event)}, not by the lead ${named(lead)}` });
    }
    const open = openAtClosure(before, handover);
    if (open.length) out.push({ ...base, clause: 'b', why: `closed as "${reason}" while ${open.join(', ')} was open` });
  }

  if (reason === 'transferredAccepted') {
    // (c) Only to a service that accepted a handover of the case, never through a support involvement.
    const to = closure?.to;
    const accepted = !!to && (memory.handoverAcceptedBy.includes(to.id) || handover?.id === to.id);
    if (!accepted) {
      const support = to && before.involvements.some((i) => i.agency.id === to.id && (i.status === 'accepted' || i.status === 'active'));
      out.push({
        ...base,
        clause: 'c',
        why: to
          ? `closed as transferred to ${named(to)}, which never accepted a handover of the case${support ? ' (its accepted involvement is support, not a transfer)' : ''}`
          : 'closed as transferred without naming the service that accepted the case',
      });
    }
  }

  if (reason === 'dischargedToGp') {
    // (d) Only in Q4 or with care complete, and after every other service's involvement has ended or been handed over.
    if (before.quadrant !== 'Q4' && !careComplete(before, s.event)) {
      out.push({
        ...base,
        clause: 'd',
        why: `discharged to the GP in ${before.quadrant ?? 'no quadrant'} without care recorded as complete`,
      });
    }
    const lead = handover?.id ?? before.lead?.agency.id;
    const others = before.involvements.filter(
      (i) =>
        (i.status === 'requested' || i.status === 'accepted' || i.status === 'active') &&
        i.agency.id !== lead &&
        i.agency.kind !== 'PRIMARY',
    );
    if (others.length) {
      out.push({
        ...base,
        clause: 'd',
        why: `discharged to the GP while ${others.map((i) => `${named(i.agency)} was still ${i.status}`).join(', ')}`,
      });
    }
  }
  return out;
}

/** Judges one step and moves the memory on. */
export function observe(memory: GuaranteeMemory, s: HistoryStep): { memory: GuaranteeMemory; counterexamples: Counterexample[] } {
  const lead = leadAcceptedAt(s);
  const counterexamples = [...(lead ? [lead] : []), ...closeGaplessAt(s, memory)];
  const handover = acceptedHandover(s);
  const leadSeen = memory.leadSeen || !!s.after.context.lead;
  const handoverAcceptedBy =
    handover && !memory.handoverAcceptedBy.includes(handover.id) ? [...memory.handoverAcceptedBy, handover.id] : memory.handoverAcceptedBy;
  const next = leadSeen === memory.leadSeen && handoverAcceptedBy === memory.handoverAcceptedBy ? memory : { leadSeen, handoverAcceptedBy };
  return { memory: next, counterexamples };
}

/** Every step of a history that breaks R-LEAD-ACCEPTED or R-CLOSE-GAPLESS. */
export function checkHistory(history: readonly HistoryStep[]): Counterexample[] {
  let memory = emptyMemory;
  const out: Counterexample[] = [];
  for (const s of history) {
    const judged = observe(memory, s);
    memory = judged.memory;
    out.push(...judged.counterexamples);
  }
  return out;
}

/** R-LEAD-ACCEPTED over a history. */
export const leadAccepted = (history: readonly HistoryStep[]): Counterexample[] =>
  checkHistory(history).filter((c) => c.rule === 'R-LEAD-ACCEPTED');
/** R-CLOSE-GAPLESS over a history. */
export const closeGapless = (history: readonly HistoryStep[]): Counterexample[] =>
  checkHistory(history).filter((c) => c.rule === 'R-CLOSE-GAPLESS');

/** The history a case goes through from a new snapshot of a version: the events it applies, numbered from 1. */
export function historyOf(events: readonly PathwayEvent[], version?: number): HistoryStep[] {
  let snapshot = initialSnapshot(version);
  const out: HistoryStep[] = [];
  for (const event of events) {
    const before = snapshot;
    const { next, changed } = stepOf(before, event);
    if (changed) out.push({ seq: out.length + 1, event, before, after: next });
    snapshot = next;
  }
  return out;
}

/** One line per counterexample: seq, event, rule and clause, why. */
export const describeCounterexample = (c: Counterexample): string =>
  `seq ${c.seq} ${c.event}: ${c.rule}${c.clause ? ` (${c.clause})` : ''}: ${c.why}`;

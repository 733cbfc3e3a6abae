/**
 * Moving open cases to a later pathway version: the dry run that reports what would happen to each case, and the run
 * that migrates them in batches, each case in its own transaction under its row lock, appending `pathway.migrated`.
 */
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { caseEvents, cases } from '../../db/schema/index.ts';
import type { Actor } from '../../machines/events.ts';
import { explainRefusal } from '../../machines/explain.ts';
import { type MigrationOutcome, migratePersisted, migrationPath } from '../../machines/migrate.ts';
import type { Blocker } from '../../machines/rules.ts';
import {
  type HistoryEvent,
  initialSnapshot,
  type MigratedEvent,
  type PathwaySnapshot,
  restore,
  statePaths,
  step,
} from '../../machines/snapshot.ts';
import { pathwayVersion } from '../../machines/versions.ts';
import type { Section } from '../audits/types.ts';
import { eventFromRow } from './replayCase.ts';
import { transitionWrite, writeTransition } from './transitionWrite.ts';

type CaseRow = typeof cases.$inferSelect;

/** What happens to one open case. */
export type CaseOutcome = 'migrates' | 'migratesDiverging' | 'cannotMigrate';

export type CasePlan = {
  caseId: string;
  reference: string;
  area: string | null;
  leadAgencyId: string | null;
  fromVersion: number;
  state: string[];
  /** The states the migration maps the case to; null when it cannot migrate. */
  mapped: string[] | null;
  outcome: CaseOutcome;
  /** Why the case cannot migrate (it stays on its version, fully usable). */
  reason?: string;
  /** The whole history replayed on the new version: where it ends, or the first event the new version refuses. */
  replay: { agrees: boolean; state?: string[]; refused?: { seq: number; type: string; blockedBy: Blocker[] } };
};

export type Totals = Record<CaseOutcome | 'total', number>;
export type MigrationPlan = {
  to: number;
  asOf: string;
  totals: Totals;
  byArea: Record<string, Totals>;
  byLeadAgency: Record<string, Totals>;
  cases: CasePlan[];
};

const emptyTotals = (): Totals => ({ migrates: 0, migratesDiverging: 0, cannotMigrate: 0, total: 0 });

/** A persisted snapshot carried through every migration step from its version to `to`. */
export function migrateThrough(persisted: unknown, from: number, to: number): MigrationOutcome {
  const path = migrationPath(from, to);
  if ('missing' in path) return { ok: false, reason: `No migration from pathway version ${path.missing}`, from: [] };
  let outcome: MigrationOutcome | undefined;
  let current = persisted;
  for (const m of path) {
    outcome = migratePersisted(current, m);
    if (!outcome.ok) return outcome;
    current = outcome.persisted;
  }
  if (!outcome) return { ok: false, reason: `The case is already on pathway version ${to}`, from: [] };
  return outcome;
}

/** The whole history replayed on version `to` from the start, as if the case had always run on it. */
function replayOn(
  history: readonly HistoryEvent[],
  rows: readonly { seq: number }[],
  to: number,
): CasePlan['replay'] & { snapshot?: PathwaySnapshot } {
  let snapshot = initialSnapshot(to);
  for (const [i, event] of history.entries()) {
    if (event.type === 'pathway.migrated') continue;
    const { next, changed } = step(snapshot, event);
    if (!changed) {
      return { agrees: false, refused: { seq: rows[i]?.seq ?? i + 1, type: event.type, blockedBy: explainRefusal(snapshot, event) } };
    }
    snapshot = next;
  }
  return { agrees: true, state: statePaths(snapshot.value).sort(), snapshot };
}

/** The dry run's verdict on one case, from its row and its history. */
export function planCase(row: CaseRow, events: (typeof caseEvents.$inferSelect)[], to: number): CasePlan {
  const base = {
    caseId: row.id,
    reference: row.reference,
    area: row.area,
    leadAgencyId: row.leadAgencyId,
    fromVersion: row.pathwayVersion,
    state: [...row.statePaths].sort(),
  };
  const history = events.map(eventFromRow);
  const replayed = replayOn(history, events, to);
  const replay: CasePlan['replay'] = replayed.refused
    ? { agrees: false, refused: replayed.refused }
    : { agrees: true, ...(replayed.state ? { state: replayed.state } : {}) };
  const outcome = migrateThrough(row.snapshot, row.pathwayVersion, to);
  if (!outcome.ok) return { ...base, mapped: null, outcome: 'cannotMigrate', reason: outcome.reason, replay };
  const agrees = !!replay.state && replay.state.join(' ') === outcome.to.join(' ');
  return {
    ...base,
    mapped: outcome.to,
    outcome: agrees ? 'migrates' : 'migratesDiverging',
    replay: { ...replay, agrees },
  };
}

/** Open cases on an earlier version, in id order, a batch at a time. */
async function* openCasesBefore(db: Db, to: number, batchSize: number) {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await db
      .select()
      .from(cases)
      .where(and(eq(cases.status, 'open'), lt(cases.pathwayVersion, to), gt(cases.id, after)))
      .orderBy(asc(cases.id))
      .limit(batchSize);
    if (batch.length === 0) return;
    yield batch;
    after = batch[batch.length - 1]?.id ?? after;
  }
}

const historyOf = (db: Db, caseId: string) =>
  db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));

/** The dry run: nothing is written. Every open case on an earlier version, with totals by outcome, area and lead agency. */
export async function planMigration(db: Db, to: number, { batchSize = 500, now = new Date() } = {}): Promise<MigrationPlan> {
  pathwayVersion(to);
  const plan: MigrationPlan = { to, asOf: now.toISOString(), totals: emptyTotals(), byArea: {}, byLeadAgency: {}, cases: [] };
  for await (const batch of openCasesBefore(db, to, batchSize)) {
    for (const row of batch) {
      const c = planCase(row, await historyOf(db, row.id), to);
      plan.cases.push(c);
      const area = c.area ?? 'unknown';
      const lead = c.leadAgencyId ?? 'none';
      plan.byArea[area] = plan.byArea[area] ?? emptyTotals();
      plan.byLeadAgency[lead] = plan.byLeadAgency[lead] ?? emptyTotals();
      for (const totals of [plan.totals, plan.byArea[area], plan.byLeadAgency[lead]]) {
        totals[c.outcome]++;
        totals.total++;
      }
    }
  }
  return plan;
}

export type MigrationRun = {
  to: number;
  migrated: number;
  /** Cases that stay on their version, with why. */
  stayed: { caseId: string; reference: string; reason: string }[];
  /** Cases that moved on between being listed and being locked: judged on what they had become, nothing overwritten. */
  retried: number;
  seconds: number;
};

/** Why a migration leaves the history: who ran it and why, as the audit trail shows it. */
export type MigrationRequest = { to: number; actor: Actor; by: string; reason: string };

/**
 * Migrates one case in its own transaction: the row is locked, its version checked by the same conditional write any
 * event uses, the snapshot rewritten and one `pathway.migrated` entry appended per version step. A case already on
 * `to`, closed, or unable to move is left as it is.
 */
async function migrateCase(
  db: Db,
  listed: CaseRow,
  request: MigrationRequest,
  now: () => Date,
): Promise<{ migrated: boolean; movedOn: boolean; reason?: string }> {
  const caseId = listed.id;
  return db.transaction(async (tx) => {
    const [locked] = await tx.select().from(cases).where(eq(cases.id, caseId)).for('update');
    // An event applied since the case was listed is kept: the case is judged as it is now, never as it was listed.
    const movedOn = !!locked && locked.version !== listed.version;
    if (locked?.status !== 'open' || locked.pathwayVersion >= request.to) return { migrated: false, movedOn };
    const path = migrationPath(locked.pathwayVersion, request.to);
    if ('missing' in path) return { migrated: false, movedOn, reason: `No migration from pathway version ${path.missing}` };
    let row = locked;
    let snapshot = restore(row.snapshot, row.pathwayVersion);
    for (const m of path) {
      const outcome = migratePersisted(row.snapshot, m);
      if (!outcome.ok) {
        if (row !== locked) throw new Error(`migration of case ${caseId} failed after its first step: ${outcome.reason}`);
        return { migrated: false, movedOn, reason: outcome.reason };
      }
      const next = restore(outcome.persisted, m.to);
      // Stamped no earlier than the case's last event, as every event is.
      const at = new Date(Math.max(now().getTime(), row.updatedAt.getTime())).toISOString();
      const event: MigratedEvent & { actor: Actor; by: string } = {
        type: 'pathway.migrated',
        from: m.from,
        to: m.to,
        by: request.by,
        reason: request.reason,
        at,
        actor: request.actor,
      };
      const write = transitionWrite(row, event, snapshot, next, undefined);
      if (!(await writeTransition(tx, write))) throw new Error(`case ${caseId} changed under its row lock`);
      row = write.row;
      snapshot = next;
    }
    return { migrated: true, movedOn };
  });
}

/**
 * The real run: every open case on an earlier version, a batch at a time, each in its own transaction. Idempotent and
 * resumable: a case already moved is skipped, so a run stopped part way is finished by running it again.
 */
export async function runMigration(
  db: Db,
  request: MigrationRequest,
  { batchSize = 200, now = () => new Date(), onCase }: { batchSize?: number; now?: () => Date; onCase?: (done: number) => void } = {},
): Promise<MigrationRun> {
  pathwayVersion(request.to);
  const started = performance.now();
  const run: MigrationRun = { to: request.to, migrated: 0, stayed: [], retried: 0, seconds: 0 };
  let done = 0;
  for await (const batch of openCasesBefore(db, request.to, batchSize)) {
    for (const listed of batch) {
      const result = await migrateCase(db, listed, request, now);
      if (result.movedOn) run.retried++;
      if (result.migrated) run.migrated++;
      else if (result.reason) run.stayed.push({ caseId: listed.id, reference: listed.reference, reason: result.reason });
      onCase?.(++done);
    }
  }
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

const totalsColumns = [
  { key: 'migrates', label: 'Migrates (replay agrees)' },
  { key: 'migratesDiverging', label: 'Migrates (replay diverges)' },
  { key: 'cannotMigrate', label: 'Cannot migrate' },
  { key: 'total', label: 'Open cases' },
];
const totalsRows = (by: Record<string, Totals>, key: string) =>
  Object.entries(by)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, t]) => ({ [key]: k, ...t }));
const blockerText = (blockedBy: Blocker[]) => blockedBy.map((b) => `${b.rule} (${b.clause}): ${b.message}`).join('; ');

/** The dry run as sections: totals, by area, by lead agency, the cases that cannot move and those whose replay diverges. */
export function planSections(plan: MigrationPlan): Section[] {
  const cannot = plan.cases.filter((c) => c.outcome === 'cannotMigrate');
  const diverging = plan.cases.filter((c) => c.outcome === 'migratesDiverging');
  return [
    { name: 'totals', title: `Open cases to pathway version ${plan.to}`, columns: totalsColumns, rows: [plan.totals] },
    {
      name: 'byArea',
      title: 'By area',
      columns: [{ key: 'area', label: 'Area' }, ...totalsColumns],
      rows: totalsRows(plan.byArea, 'area'),
    },
    {
      name: 'byLeadAgency',
      title: 'By lead agency',
      columns: [{ key: 'leadAgency', label: 'Lead agency' }, ...totalsColumns],
      rows: totalsRows(plan.byLeadAgency, 'leadAgency'),
    },
    {
      name: 'cannotMigrate',
      title: 'Cases that cannot migrate (they stay on their version)',
      columns: [
        { key: 'reference', label: 'Case' },
        { key: 'state', label: 'State' },
        { key: 'reason', label: 'Why' },
      ],
      rows: cannot.map((c) => ({ reference: c.reference, state: c.state, reason: c.reason })),
    },
    {
      name: 'diverging',
      title: 'Cases whose history the new version would have judged differently',
      columns: [
        { key: 'reference', label: 'Case' },
        { key: 'mapped', label: 'Mapped to' },
        { key: 'divergence', label: 'Where the replay diverges' },
      ],
      rows: diverging.map((c) => ({
        reference: c.reference,
        mapped: c.mapped,
        divergence: c.replay.refused
          ? `event ${c.replay.refused.seq} (${c.replay.refused.type}) refused: ${blockerText(c.replay.refused.blockedBy)}`
          : `replay ends in ${c.replay.state?.join(' + ')}`,
      })),
    },
  ];
}

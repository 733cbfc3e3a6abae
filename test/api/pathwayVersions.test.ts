/**
 * Pathway versions through the API, and a database written by the release before versions: it upgrades at start,
 * its cases load, open in the inspector, accept events on their own version, and migrate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../db/client.ts';
import * as schema from '../../db/schema/index.ts';
import { loadDirectory } from '../../db/seed/directory.ts';
import { currentVersion, pathwayVersion, pathwayVersions } from '../../machines/versions.ts';
import { runMigration } from '../../server/engine/migrate.ts';
import { backfillTies } from '../../server/engine/ties.ts';
import { type TestApi, testApi } from '../support/api.ts';
import { backends } from '../support/database.ts';
import { insertReleaseV1Rows, releaseV1, releaseV1MigrationsFolder } from '../support/releaseV1.ts';
import { useApi } from '../support/suite.ts';

type CaseJson = { id: string; pathwayVersion: number; nextEvents: { type: string }[]; version: number; leadAgencyId?: string };

describe.each(backends)('pathway versions through the API on $name', (backend) => {
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ api } = opened);
  });

  it('gives each version’s chart, the current one by default, and refuses a version that was never released', async () => {
    const current = await api.request('GET', '/api/pathway', { as: null });
    expect(current.status).toBe(200);
    expect(current.json.version).toBe(currentVersion);
    for (const v of pathwayVersions) {
      const res = await api.request('GET', `/api/pathway?version=${v.version}`, { as: null });
      expect(res.status).toBe(200);
      expect(res.json.version).toBe(v.version);
    }
    const none = await api.request('GET', '/api/pathway?version=99', { as: null });
    expect(none.status).toBe(400);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
  });

  it('lists every version with what changed, in words', async () => {
    const res = await api.request('GET', '/api/pathway/versions', { as: null });
    expect(res.status).toBe(200);
    const items = res.json.items as { version: number; changes: string[]; current: boolean }[];
    expect(items.map((i) => i.version)).toEqual(pathwayVersions.map((v) => v.version));
    expect(items.filter((i) => i.current).map((i) => i.version)).toEqual([currentVersion]);
    for (const i of items) expect(i.changes.length).toBeGreaterThan(0);
  });

  it('offers the migration dry run to service managers and clinical directors only', async () => {
    for (const role of ['serviceManager', 'clinicalDirector'] as const) {
      const res = await api.request('GET', `/api/pathway/versions/${currentVersion}/dry-run`, { as: 'kmpt-cmht-maidstone', role });
      expect(res.status, role).toBe(200);
      expect(res.json.to).toBe(currentVersion);
    }
    for (const role of ['practitioner', 'commissioner', 'auditor'] as const) {
      const res = await api.request('GET', `/api/pathway/versions/${currentVersion}/dry-run`, { as: 'kmpt-cmht-maidstone', role });
      expect(res.status, role).toBe(403);
    }
    expect((await api.request('GET', `/api/pathway/versions/${currentVersion}/dry-run`, { as: null })).status).toBe(401);
  });
});

/** Reads the first server-sent event of a stream. */
async function firstEvent(body: ReadableStream<Uint8Array>): Promise<{ event: string; data: Record<string, unknown> }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    buffer += decoder.decode(value, { stream: true });
    const block = buffer.split('\n\n').find((b) => /^event: /m.test(b) && /^data: /m.test(b));
    if (block) {
      await reader.cancel();
      return { event: block.match(/^event: (.*)$/m)?.[1] ?? '', data: JSON.parse(block.match(/^data: (.*)$/m)?.[1] ?? '{}') };
    }
  }
}

describe('a data directory written by the release before pathway versions', () => {
  const base = mkdtempSync(join(tmpdir(), 'pathway-upgrade-'));
  const dataDir = join(base, 'data');
  let database: Database;
  let api: TestApi;
  const open = (releaseV1.tables.cases ?? []).filter((c) => c.status === 'open');

  beforeAll(async () => {
    // The release's own schema and rows, as it left them on disk.
    const client = new PGlite(dataDir);
    const old = drizzle(client, { schema, casing: 'snake_case' });
    await migrate(old, { migrationsFolder: releaseV1MigrationsFolder() });
    await loadDirectory(old as never);
    await insertReleaseV1Rows(old as never);
    await client.close();
    // This release opens it as the server does at start: migrated forward, each agency's part filled in from the history.
    database = await openDatabase({ dataDir });
    expect(await backfillTies(database.db)).toBeGreaterThan(0);
    expect(await backfillTies(database.db)).toBe(0);
    api = testApi({ ...database, drop: database.close }, '2026-11-30T09:00:00.000Z');
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    rmSync(base, { recursive: true, force: true });
  });

  /** A service with a part in an old case (the access policy hides it from others): its lead, else the one answerable. */
  const partOf = (c: Record<string, unknown>) => (c.lead_agency_id ?? c.responsible_agency_id) as string;

  it('loads every old case on version 1, judged and drawn by version 1', async () => {
    expect(open.length).toBeGreaterThan(10);
    for (const c of open.slice(0, 8)) {
      const res = await api.request('GET', `/api/cases/${c.id}`, {
        as: partOf(c),
        role: 'serviceManager',
      });
      expect(res.status).toBe(200);
      const kase = res.json as unknown as CaseJson;
      expect(kase.pathwayVersion).toBe(1);
      if (kase.nextEvents.length > 0) expect(kase.nextEvents.map((e) => e.type)).toEqual([...pathwayVersion(1).eventTypes]);
      const history = await api.request('GET', `/api/cases/${c.id}/events`, { as: partOf(c) });
      expect(history.status).toBe(200);
      for (const e of history.json.items as { pathwayVersion: number }[]) expect(e.pathwayVersion).toBe(1);
    }
  });

  it('opens an old case in the inspector stream', async () => {
    const c = open[0];
    if (!c) throw new Error('no open case');
    const res = await api.app.request(`/api/cases/${c.id}/inspect`, {
      headers: { Authorization: `Bearer ${await api.token(partOf(c), 'serviceManager')}` },
    });
    expect(res.status).toBe(200);
    if (!res.body) throw new Error('no stream');
    const first = await firstEvent(res.body);
    expect(first.event).toBeTruthy();
  });

  it('accepts events on old cases, then migrates them and accepts events on the new version', async () => {
    const joint = open.find((c) => c.phase === 'jointCare' && c.lead_agency_id);
    if (!joint) throw new Error('no old case in joint care');
    const lead = joint.lead_agency_id as string;
    const before = (await api.request('GET', `/api/cases/${joint.id}`, { as: lead })).json as unknown as CaseJson;
    const sent = await api.request('POST', `/api/cases/${joint.id}/events`, {
      as: lead,
      body: { type: 'mdt.consult', agencies: [lead], outcome: 'Reviewed after the upgrade' },
      headers: { 'If-Match': `"${before.version}"` },
    });
    expect(sent.status).toBe(200);
    expect(sent.json.pathwayVersion).toBe(1);

    // The map counts the old cases in the states of the current chart, saying how many run on an earlier version.
    const stats = async () =>
      (await api.request('GET', '/api/stats/states', { as: 'kent-medway-icb', role: 'commissioner' })).json as {
        open: number;
        onEarlierVersions: number;
      };
    expect(await stats()).toMatchObject({ open: open.length, onEarlierVersions: open.length });

    const actor = { id: 'pathway-migration', agencyId: 'pathway-engine', agencyKind: 'OUT_OF_AREA', role: 'system' } as const;
    const run = await runMigration(database.db, { to: currentVersion, actor, by: 'Test', reason: 'Upgrade drill' });
    expect(run.migrated + run.stayed.length).toBe(open.length);
    expect(await stats()).toMatchObject({ open: open.length, onEarlierVersions: run.stayed.length });

    const after = (await api.request('GET', `/api/cases/${joint.id}`, { as: lead })).json as unknown as CaseJson;
    expect(after.pathwayVersion).toBe(currentVersion);
    const again = await api.request('POST', `/api/cases/${joint.id}/events`, {
      as: lead,
      body: { type: 'mdt.consult', agencies: [lead], outcome: 'Reviewed on the new version' },
      headers: { 'If-Match': `"${after.version}"` },
    });
    expect(again.status).toBe(200);
    const history = (await api.request('GET', `/api/cases/${joint.id}/events`, { as: lead })).json.items as {
      type: string;
      pathwayVersion: number;
    }[];
    const at = history.findIndex((e) => e.type === 'pathway.migrated');
    expect(at).toBeGreaterThan(0);
    expect(history.slice(0, at).every((e) => e.pathwayVersion === 1)).toBe(true);
    expect(history.slice(at).every((e) => e.pathwayVersion === currentVersion)).toBe(true);
  });
});

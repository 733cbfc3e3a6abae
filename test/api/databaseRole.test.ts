/**
 * The server runs as pathway_app (migration 0011): the engine works, and the history cannot be rewritten from its
 * connection — no update, delete or truncate of events, no disabling of triggers, no replica mode, no schema changes.
 * On PGlite (SET ROLE in its one session) and on PostgreSQL (the role set at every connection's start).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRole, type Database, openDatabase } from '../../db/client.ts';
import { loadDirectory } from '../../db/seed/directory.ts';
import { type TestApi, testApi } from '../support/api.ts';
import { openCaseBody, services } from '../support/apiFactory.ts';
import { createPostgresDatabase } from '../support/database.ts';

type Opened = { database: Database; drop: () => Promise<void> };
const openers: { name: string; open: () => Promise<Opened> }[] = [
  {
    name: 'pglite',
    open: async () => {
      const database = await openDatabase({ role: appRole });
      return { database, drop: database.close };
    },
  },
  ...(process.env.DATABASE_URL
    ? [
        {
          name: 'postgres',
          open: async () => {
            const { url, dropDatabase } = await createPostgresDatabase(process.env.DATABASE_URL as string);
            const database = await openDatabase({ url, role: appRole, max: 2 });
            return {
              database,
              drop: async () => {
                await database.close();
                await dropDatabase();
              },
            };
          },
        },
      ]
    : []),
];

describe.each(openers)('the application role on $name', ({ open }) => {
  let opened: Opened;
  let api: TestApi;
  beforeAll(async () => {
    opened = await open();
    await loadDirectory(opened.database.db);
    api = testApi({ ...opened.database, drop: opened.drop });
  });
  afterAll(async () => opened?.drop());

  const run = (statement: string) => opened.database.db.execute(sql.raw(statement));

  it('runs every statement as the role', async () => {
    const result = (await run('select current_user as who')) as unknown as { who: string }[] | { rows: { who: string }[] };
    expect((Array.isArray(result) ? result : result.rows)[0]?.who).toBe(appRole);
  });

  it('opens cases, applies events and reads audits', async () => {
    const created = await api.request('POST', '/api/cases', {
      as: 'kmpt-pcmhs-maidstone',
      body: openCaseBody({ to: services.sms, on: api.now() }),
    });
    expect(created.status).toBe(201);
    const accepted = await api.request('POST', `/api/cases/${created.json.id}/events`, {
      as: services.sms.id,
      body: { type: 'referral.accept' },
      headers: { 'If-Match': '"1"' },
    });
    expect(accepted.status).toBe(200);
    expect((await api.request('GET', '/api/audits/stalled', { as: 'kent-medway-icb', role: 'commissioner' })).status).toBe(200);
  });

  it.each([
    ['update the history', 'update case_events set type = type'],
    ['delete from the history', 'delete from case_events'],
    ['truncate the history', 'truncate case_events'],
    ['disable the append-only trigger', 'alter table case_events disable trigger case_events_no_update_delete'],
    ['disable every trigger by replica mode', 'set session_replication_role = replica'],
    ['delete a case', 'delete from cases'],
    ['drop a table', 'drop table audit_events'],
    ['rewrite the audit projection', 'update audit_events set type = type'],
    ['create a table', 'create table public.shadow (x int)'],
  ])('cannot %s', async (_what, statement) => {
    const refusal = await run(statement).then(
      () => 'allowed',
      (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
    );
    expect(refusal).toMatch(/permission denied|must be owner|must be superuser/i);
  });
});

/** An in-process API for tests: the real app on a test database, tokens minted per person, a clock tests move. */
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { agencies, cases } from '../../db/schema/index.ts';
import type { Role } from '../../machines/vocab.ts';
import { createApp } from '../../server/app.ts';
import { createVerifier, mintToken } from '../../server/auth.ts';
import type { Applied } from '../../server/engine/applyEvent.ts';
import { createLogger } from '../../server/log.ts';
import type { TestDatabase } from './database.ts';

export const testAuth = {
  issuer: 'pathway-test',
  audience: 'pathway-test-api',
  secret: 'test-secret-for-the-api-suite-only-0123456789',
  jwksUrl: undefined,
  development: false,
  maxLifetimeSeconds: 12 * 3600,
};

export type TestApiOptions = {
  /** The logger the app writes to (silent by default). */
  log?: Logger;
  /** Told of every applied transition after commit, beside the list `applied` keeps. */
  onApplied?: (a: Applied) => void;
  /** Requests per principal per minute (no limit by default). */
  rateLimitPerMinute?: number;
};

export function testApi(database: TestDatabase, start = '2026-03-02T09:00:00.000Z', options: TestApiOptions = {}) {
  let now = Date.parse(start);
  const applied: Applied[] = [];
  const app = createApp({
    database,
    verify: createVerifier(testAuth, async (id) => {
      const [row] = await database.db.select({ kind: agencies.kind }).from(agencies).where(eq(agencies.id, id));
      return row;
    }),
    log: options.log ?? createLogger('silent'),
    ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
    now: () => new Date(now),
    onApplied: (a) => {
      applied.push(a);
      options.onApplied?.(a);
    },
  });
  const tokens = new Map<string, Promise<string>>();
  const token = (agency: string, role: Role = 'practitioner') => {
    const key = `${agency}|${role}`;
    if (!tokens.has(key)) tokens.set(key, mintToken(testAuth, { sub: `${agency}-${role}`, name: `Test ${role}`, agency, role }));
    return tokens.get(key) as Promise<string>;
  };
  /** A JSON request as a given agency and role; `as: null` sends no token. */
  const request = async (
    method: string,
    path: string,
    {
      as = 'cgl-west-kent',
      role = 'practitioner' as Role,
      body,
      headers = {},
    }: { as?: string | null; role?: Role; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const h: Record<string, string> = { ...headers };
    if (as) h.Authorization = `Bearer ${await token(as, role)}`;
    if (body !== undefined) h['Content-Type'] ??= 'application/json';
    const res = await app.request(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json: json as Record<string, unknown> & { [k: string]: unknown }, text };
  };
  /** The version a case is at now, as a client would have read it (for If-Match). */
  const versionOf = async (caseId: string): Promise<number | undefined> =>
    (await database.db.select({ version: cases.version }).from(cases).where(eq(cases.id, caseId)))[0]?.version;
  return {
    app,
    applied,
    request,
    token,
    versionOf,
    advanceDays: (days: number) => {
      now += days * 86_400_000;
    },
    now: () => new Date(now),
  };
}
export type TestApi = ReturnType<typeof testApi>;

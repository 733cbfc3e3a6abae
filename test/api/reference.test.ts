/** Reference routes (pathway, directory, OpenAPI, docs), health, secure headers and unknown routes — on every backend. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { directory } from '../../db/seed/directory.ts';
import { eventTypes, type PathwayDefinition, ruleIds } from '../../machines/index.ts';
import { createApp } from '../../server/app.ts';
import type { TestApi } from '../support/api.ts';
import { expectProblem } from '../support/apiChecks.ts';
import { services } from '../support/apiFactory.ts';
import { backends } from '../support/database.ts';
import { useApi } from '../support/suite.ts';

type Schema = { oneOf?: Schema[]; anyOf?: Schema[]; properties?: Record<string, Schema>; enum?: unknown[]; const?: unknown; $ref?: string };
type OpenApi = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, unknown> }>
  >;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, unknown> };
};

describe.each(backends)('reference API on $name', (backend) => {
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ api } = opened);
  });

  describe('GET /api/pathway', () => {
    it('should describe the states with their deadlines and the transitions with their guards and rules', async () => {
      const res = await api.request('GET', '/api/pathway', { as: null });
      expect(res.status).toBe(200);
      const pathway = res.json as unknown as PathwayDefinition & { rules: Record<string, { clause: string }> };

      const ids = pathway.states.map((s) => s.id);
      expect(ids).toEqual(
        expect.arrayContaining([
          'new',
          'active.referral.awaitingAcceptance',
          'active.jointCare',
          'active.handover.awaitingAcceptance',
          'closed',
        ]),
      );
      expect(pathway.states.find((s) => s.id === 'active.jointCare')?.type).toBe('parallel');
      expect(pathway.states.find((s) => s.id === 'closed')?.type).toBe('final');
      expect(pathway.states.find((s) => s.id === 'active.handover.awaitingAcceptance')?.deadline).toEqual({
        name: 'handoverFollowUp',
        days: 14,
      });
      expect(pathway.states.find((s) => s.id === 'active.referral.awaitingAcceptance')?.deadline).toMatchObject({
        name: 'referralFollowUp',
      });

      const accept = pathway.transitions.find((t) => t.source === 'active.handover.awaitingAcceptance' && t.event === 'handover.accept');
      expect(accept?.guards).toEqual([
        {
          name: 'isHandoverReceiver',
          rule: 'R-HANDOVER-ONLYRECEIVER',
          clause: pathway.rules['R-HANDOVER-ONLYRECEIVER']?.clause,
          route: false,
        },
        // Pathway version 2: a safeguarding concern awaiting its decision holds a change of lead.
        {
          name: 'noSafeguardingDecisionPending',
          rule: 'R-SAFEGUARDING',
          clause: pathway.rules['R-SAFEGUARDING']?.clause,
          route: false,
        },
      ]);
      const close = pathway.transitions.find((t) => t.event === 'case.close');
      expect(close?.targets).toEqual(['closed']);
      expect(close?.guards.map((g) => g.rule)).toEqual(expect.arrayContaining(['R-CLOSE-ACCEPTED', 'R-CLOSE-REASON', 'R-DISENGAGE']));
      for (const t of pathway.transitions) {
        expect(eventTypes).toContain(t.event);
        for (const g of t.guards) expect(ruleIds).toContain(g.rule);
      }
      expect(Object.keys(pathway.rules).sort()).toEqual([...ruleIds].sort());
    });
  });

  describe('GET /api/directory', () => {
    it('should list the substance misuse services of the directory with ?kind=SMS', async () => {
      const res = await api.request('GET', '/api/directory?kind=SMS', { as: null });
      expect(res.status).toBe(200);
      const items = res.json.items as { id: string; kind: string; name: string }[];
      expect(items.map((i) => i.id).sort()).toEqual(
        directory
          .filter((d) => d.kind === 'SMS')
          .map((d) => d.id)
          .sort(),
      );
      expect(items.every((i) => i.kind === 'SMS')).toBe(true);
      expect(items.map((i) => i.id)).toContain(services.sms.id);
    });

    it('should filter by area and refuse a kind it does not know', async () => {
      const res = await api.request('GET', '/api/directory?kind=MHS&area=MEDWAY', { as: null });
      expect(res.status).toBe(200);
      const items = res.json.items as { kind: string; area: string }[];
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((i) => i.kind === 'MHS' && i.area === 'MEDWAY')).toBe(true);
      expectProblem(await api.request('GET', '/api/directory?kind=PHARMACY', { as: null }), 400);
    });
  });

  describe('GET /api/openapi.json', () => {
    it('should be an OpenAPI 3.1 document with every route and the event body schemas', async () => {
      const res = await api.request('GET', '/api/openapi.json', { as: null });
      expect(res.status).toBe(200);
      const doc = res.json as unknown as OpenApi;

      expect(doc.openapi).toMatch(/^3\.1\./);
      expect(doc.info.title).toBeTruthy();
      expect(doc.paths['/api/cases']).toHaveProperty('get');
      expect(doc.paths['/api/cases']).toHaveProperty('post');
      expect(doc.paths['/api/cases/{id}']).toHaveProperty('get');
      expect(doc.paths['/api/cases/{id}/events']).toHaveProperty('get');
      expect(doc.paths['/api/cases/{id}/events']).toHaveProperty('post');
      expect(doc.paths['/api/pathway']).toHaveProperty('get');
      expect(doc.paths['/api/directory']).toHaveProperty('get');

      const post = doc.paths['/api/cases/{id}/events']?.post;
      const union = post?.requestBody?.content['application/json']?.schema.oneOf ?? [];
      const types = union.flatMap((s) => {
        const t = s.properties?.type;
        return t?.const !== undefined ? [t.const] : (t?.enum ?? []);
      });
      expect(types.sort()).toEqual([...eventTypes].sort());
      const handover = union.find(
        (s) => s.properties?.type?.enum?.includes('handover.request') || s.properties?.type?.const === 'handover.request',
      );
      expect(Object.keys(handover?.properties ?? {})).toEqual(
        expect.arrayContaining(['to', 'reason', 'carePlan', 'riskSummary', 'personInformed']),
      );
      expect(Object.keys(post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '412', '422']));
      expect(doc.components.schemas).toHaveProperty('Problem');
      expect(doc.components.schemas).toHaveProperty('Case');
      expect(doc.components.securitySchemes).toHaveProperty('bearer');
    });
  });

  describe('GET /api/docs', () => {
    it('should answer HTML that loads only same-origin assets, which are served', async () => {
      const res = await api.request('GET', '/api/docs', { as: null });
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
      expect(res.headers.get('Content-Security-Policy')).toMatch(/default-src 'self'/);
      const sources = [...res.text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1] as string);
      expect(sources.length).toBeGreaterThanOrEqual(2);
      for (const source of sources) {
        expect(source, source).toMatch(/^\/(?!\/)/);
        const asset = await api.request('GET', source, { as: null });
        expect(asset.status, source).toBe(200);
      }
      expect(res.text).not.toMatch(/https?:\/\//);
    });
  });

  describe('Health', () => {
    it('should answer /healthz and /readyz', async () => {
      const live = await api.request('GET', '/healthz', { as: null });
      expect(live.status).toBe(200);
      expect(live.json).toEqual({ status: 'ok' });
      const ready = await api.request('GET', '/readyz', { as: null });
      expect(ready.status).toBe(200);
      expect(ready.json).toEqual({ status: 'ready', database: backend.name });
    });
  });

  describe('Secure headers and unknown routes', () => {
    it('should send secure headers on answers and on errors', async () => {
      for (const [path, as] of [
        ['/api/pathway', null],
        ['/api/cases', services.sms.id],
        ['/api/cases/00000000-0000-4000-8000-000000000000', services.sms.id],
        ['/api/nowhere', null],
      ] as const) {
        const res = await api.request('GET', path, { as });
        expect(res.headers.get('X-Content-Type-Options'), path).toBe('nosniff');
        expect(res.headers.get('X-Frame-Options'), path).toBe('SAMEORIGIN');
        expect(res.headers.get('Referrer-Policy'), path).toBe('no-referrer');
        expect(res.headers.get('X-Request-Id'), path).toBeTruthy();
      }
    });

    it('should answer an unknown route with 404 problem+json', async () => {
      for (const [method, path] of [
        ['GET', '/api/nowhere'],
        ['GET', '/nowhere'],
        ['DELETE', '/api/cases/00000000-0000-4000-8000-000000000000'],
        ['POST', '/api/cases/00000000-0000-4000-8000-000000000000/undo'],
      ] as const) {
        const res = await api.request(method, path, { as: services.sms.id, ...(method === 'POST' ? { body: {} } : {}) });
        const problem = expectProblem(res, 404);
        expect(problem.detail, path).toContain(path);
      }
    });
  });
});

describe('Unexpected failures', () => {
  it('should answer a failing database with 500 problem+json that shows no stack trace, and log it', async () => {
    const logged: string[] = [];
    const sink = new Writable({
      write: (chunk, _encoding, done) => {
        logged.push(String(chunk));
        done();
      },
    });
    const log = pino({ level: 'error' }, sink);
    // A database whose every use fails, as a dropped connection does, with a stack that names source files.
    const db = new Proxy({} as Db, {
      get: () => {
        throw new Error(
          'connection terminated unexpectedly\n    at Connection.query (/work/main/node_modules/postgres/src/connection.js:1:1)',
        );
      },
    });
    const app = createApp({
      database: { db, kind: 'postgres', close: async () => {} },
      verify: async () => ({ id: 'sam', name: 'Sam', agencyId: services.sms.id, agencyKind: 'SMS', role: 'practitioner' }),
      log,
      now: () => new Date(),
      onApplied: () => {},
    });

    const res = await app.request('/api/cases', { headers: { Authorization: 'Bearer any', 'X-Request-Id': 'req-500' } });
    const text = await res.text();
    expectProblem({ status: res.status, headers: res.headers, json: JSON.parse(text), text }, 500);
    expect(text).not.toContain('connection terminated');
    expect(res.headers.get('X-Request-Id')).toBe('req-500');
    expect(logged.join('')).toContain('req-500');

    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
  });
});

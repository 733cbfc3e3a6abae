/** The routes the inspector UI reads: /api/worklist and /api/stats — on every backend. */
import { describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.ts';
import { caseAt, commissioningBody, httpJourneys, referCase, services } from '../support/apiFactory.ts';
import { backends } from '../support/database.ts';
import { useApi } from '../support/suite.ts';

type WorkItem = { id: string; reference: string; person?: { familyName: string }; reasons: { kind: string; overdue: boolean }[] };

describe.each(backends)('inspector routes on $name', (backend) => {
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ api } = opened);
  });

  describe('GET /api/worklist', () => {
    it('should list a referral awaiting the receiving service, with identifiers for that service', async () => {
      const opened = await referCase(api);
      const res = await api.request('GET', '/api/worklist', { as: services.sms.id });
      expect(res.status).toBe(200);
      const item = (res.json.items as WorkItem[]).find((i) => i.id === opened.id);
      expect(item?.reasons.map((r) => r.kind)).toContain('referral');
      expect(item?.person?.familyName).toBe(opened.person.familyName);
    });

    it('should list a handover for the service asked to take it over, and not for an uninvolved one', async () => {
      const opened = await caseAt(api, httpJourneys.handoverPending());
      const cmht = await api.request('GET', '/api/worklist', { as: services.cmht.id });
      expect((cmht.json.items as WorkItem[]).find((i) => i.id === opened.id)?.reasons.map((r) => r.kind)).toContain('handover');
      const other = await api.request('GET', '/api/worklist', { as: services.eip.id });
      expect((other.json.items as WorkItem[]).some((i) => i.id === opened.id)).toBe(false);
    });

    it('should mark a request past its follow-up date as overdue', async () => {
      const opened = await referCase(api);
      api.advanceDays(20);
      const res = await api.request('GET', '/api/worklist', { as: services.sms.id });
      expect((res.json.items as WorkItem[]).find((i) => i.id === opened.id)?.reasons.some((r) => r.overdue)).toBe(true);
    });

    it('should refuse a commissioner (read-only, no worklist)', async () => {
      const res = await api.request('GET', '/api/worklist', { as: commissioningBody, role: 'commissioner' });
      expect(res.status).toBe(403);
    });
  });

  describe('GET /api/stats', () => {
    it('should count open cases per leaf state, and list a state’s cases without identifiers', async () => {
      const opened = await referCase(api);
      const stats = await api.request('GET', '/api/stats/states', { as: commissioningBody, role: 'commissioner' });
      expect(stats.status).toBe(200);
      const states = stats.json.states as { state: string; open: number }[];
      const state = ((await api.request('GET', `/api/cases/${opened.id}`)).json.state as string[])[0] as string;
      expect(states.find((s) => s.state === state)?.open).toBeGreaterThan(0);
      const listed = await api.request('GET', `/api/stats/cases?state=${state}`, { as: commissioningBody, role: 'commissioner' });
      const items = listed.json.items as Record<string, unknown>[];
      expect(items.some((i) => i.id === opened.id)).toBe(true);
      expect(JSON.stringify(items)).not.toContain(opened.person.familyName);
      expect(JSON.stringify(items)).not.toContain(opened.person.nhsNumber);
    });

    it('should refuse a malformed filter and an anonymous caller', async () => {
      expect((await api.request('GET', '/api/stats/states?quadrant=Q9', { as: commissioningBody, role: 'commissioner' })).status).toBe(400);
      expect((await api.request('GET', '/api/stats/states', { as: null })).status).toBe(401);
    });
  });
});

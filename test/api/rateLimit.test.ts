/** Requests are limited per principal: over the limit, 429 problem+json with Retry-After; other principals carry on. */
import { describe, expect, it } from 'vitest';
import { testApi } from '../support/api.ts';
import { expectProblem } from '../support/apiChecks.ts';
import { openCaseBody, services } from '../support/apiFactory.ts';
import { backends } from '../support/database.ts';
import { useDatabase } from '../support/suite.ts';

describe.each(backends.slice(0, 1))('rate limiting on $name', (backend) => {
  const db = useDatabase(backend);

  it('should answer the request over the limit with 429 and Retry-After, per principal, writes included', async () => {
    const api = testApi(db.database, undefined, { rateLimitPerMinute: 5 });
    for (let i = 0; i < 5; i++) {
      const res = await api.request('GET', '/api/cases', { as: services.sms.id });
      expect(res.status).toBe(200);
      expect(res.headers.get('RateLimit-Remaining')).toBe(String(4 - i));
    }
    const over = await api.request('GET', '/api/cases', { as: services.sms.id });
    const problem = expectProblem(over, 429);
    expect(problem.type).toMatch(/too-many-requests$/);
    const retryAfter = Number(over.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.headers.get('Cache-Control')).toBe('no-store');
    // The same person's writes share the budget; nothing is written.
    expectProblem(await api.request('POST', '/api/cases', { as: services.sms.id, body: openCaseBody({ on: api.now() }) }), 429);
    // Another principal (another agency, or another role) has a budget of its own.
    expect((await api.request('GET', '/api/cases', { as: services.cmht.id })).status).toBe(200);
    expect((await api.request('GET', '/api/cases', { as: services.sms.id, role: 'serviceManager' })).status).toBe(200);
    // Reference data needs no principal and is not counted against one.
    expect((await api.request('GET', '/api/pathway', { as: null })).status).toBe(200);
  });
});

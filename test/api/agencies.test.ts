import { describe, expect, it } from 'vitest';
import { testApi } from '../support/api.ts';
import { databaseState, expectProblem } from '../support/apiChecks.ts';
import { openCaseBody, services } from '../support/apiFactory.ts';
import { backends } from '../support/database.ts';
import { useDatabase } from '../support/suite.ts';

describe.each(backends)('agency references on $name', (backend) => {
  const suite = useDatabase(backend);

  it('should refuse a referral to a service that is not in the directory, writing nothing', async () => {
    const api = testApi(suite.database);
    const before = await databaseState(suite.database.db);
    const res = await api.request('POST', '/api/cases', {
      as: services.primary.id,
      body: openCaseBody({ to: { id: 'made-up-service', kind: 'SMS' } }),
    });
    expect(expectProblem(res, 422).detail).toContain('made-up-service is not in the service directory');
    expect(await databaseState(suite.database.db)).toEqual(before);
  });

  it('should refuse a referral that names a directory service under the wrong kind', async () => {
    const api = testApi(suite.database);
    const res = await api.request('POST', '/api/cases', {
      as: services.primary.id,
      body: openCaseBody({ to: { id: services.sms.id, kind: 'MHS' } }),
    });
    expect(expectProblem(res, 422).detail).toContain('is a SMS service, not MHS');
  });

  it('should take the service’s name and kind from the directory, not from the request', async () => {
    const api = testApi(suite.database);
    const res = await api.request('POST', '/api/cases', {
      as: services.primary.id,
      body: openCaseBody({ to: { id: services.sms.id, kind: 'SMS', name: 'Anything at all' } }),
    });
    expect(res.status).toBe(201);
    expect((res.json.facts as { referral: { to: { name: string } } }).referral.to.name).toBe(services.sms.name);
  });
});

/**
 * Notifications: written with the transition (the outbox), delivered to each agency's webhook subscriptions as signed
 * Standard Webhooks requests, retried with backoff until dead, redelivered on request — on every backend.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outbox, webhookDeliveries } from '../../db/schema/index.ts';
import { sweepDeadlines } from '../../server/engine/sweeper.ts';
import { deliverDue, fanOut, retrySchedule } from '../../server/notify/dispatcher.ts';
import type { TestApi } from '../support/api.ts';
import { expectProblem } from '../support/apiChecks.ts';
import { caseAt, httpJourneys, referCase, sendEvent, services } from '../support/apiFactory.ts';
import { backends, type TestDatabase } from '../support/database.ts';
import { bodies } from '../support/pathwayFactory.ts';
import { useApi } from '../support/suite.ts';

type Received = { path: string; headers: Record<string, string>; body: string };

/** A receiver on this machine: records every request; answers what `answer` says. */
function receiver() {
  const received: Received[] = [];
  let answer: (r: Received) => number = () => 200;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers as Record<string, string>, body };
      received.push(r);
      res.statusCode = answer(r);
      res.end();
    });
  });
  return {
    received,
    answerWith: (f: (r: Received) => number) => {
      answer = f;
    },
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(backends)('webhooks on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ database, api } = opened);
  });
  const hook = receiver();
  let base = '';
  beforeAll(async () => {
    base = await hook.start();
  });
  afterAll(() => hook.stop());

  const secrets = new Map<string, string>();
  const subscribe = async (agency: string, eventTypes: string[] = []) => {
    const res = await api.request('POST', '/api/webhooks/subscriptions', {
      as: agency,
      role: 'serviceManager',
      body: { url: `${base}/${agency}`, eventTypes },
    });
    expect(res.status, res.text).toBe(201);
    secrets.set(agency, res.json.secret as string);
    return res.json as { id: string; secret: string };
  };
  /** One beat of the dispatcher at `now` (the API's clock, moved on by `ms`). */
  const beat = async (ms = 0) => {
    const now = new Date(api.now().getTime() + ms);
    await fanOut(database.db, now);
    return deliverDue(database.db, { now, random: () => 0.5 });
  };
  const to = (agency: string) => hook.received.filter((r) => r.path === `/${agency}`);
  const verified = (r: Received, agency: string) =>
    new Webhook(secrets.get(agency) as string).verify(r.body, {
      'webhook-id': r.headers['webhook-id'] as string,
      'webhook-timestamp': r.headers['webhook-timestamp'] as string,
      'webhook-signature': r.headers['webhook-signature'] as string,
    }) as { id: string; type: string; data: { caseId: string; reference: string; about: Record<string, unknown> } };

  // Each test starts with no subscriptions and nothing left to send from the one before.
  beforeEach(async () => {
    await database.db.execute(sql`update webhook_subscriptions set disabled_at = now() where disabled_at is null`);
    await database.db.execute(sql`update outbox set fanned_at = now() where fanned_at is null`);
    await database.db.execute(sql`update webhook_deliveries set status = 'dead' where status = 'pending'`);
    hook.received.length = 0;
    hook.answerWith(() => 200);
  });

  it('should tell the receiving service of a referral, and the referrer of its answer, signed and without clinical content', async () => {
    await subscribe(services.sms.id);
    await subscribe(services.primary.id);
    const opened = await referCase(api);
    expect(await beat()).toMatchObject({ delivered: 1 });
    const [received] = to(services.sms.id);
    if (!received) throw new Error('nothing received');
    const body = verified(received, services.sms.id);
    expect(body).toMatchObject({
      type: 'request.received',
      data: { caseId: opened.id, about: { what: 'referral', awaiting: services.sms.id } },
    });
    expect(received.headers['webhook-id']).toBe(body.id);
    for (const identifier of [opened.person.givenName, opened.person.familyName, opened.person.nhsNumber, 'Low mood'])
      expect(received.body).not.toContain(identifier);

    expect((await sendEvent(api, opened.id, [bodies.acceptReferral(), services.sms])).status).toBe(200);
    expect(await beat()).toMatchObject({ delivered: 1 });
    const [answered] = to(services.primary.id);
    if (!answered) throw new Error('the referrer was not told');
    expect(verified(answered, services.primary.id)).toMatchObject({
      type: 'request.answered',
      data: { caseId: opened.id, about: { what: 'referral', outcome: 'accepted' } },
    });
    // A signature made with another secret does not verify.
    expect(() => new Webhook(secrets.get(services.sms.id) as string).verify(answered.body, answered.headers)).toThrow();
  });

  it('should retry a receiver that fails with the same webhook-id, and deliver once it answers', async () => {
    await subscribe(services.sms.id);
    hook.answerWith(() => 500);
    await referCase(api);
    expect(await beat()).toMatchObject({ delivered: 0, failed: 1 });
    // Not again before its time (10 s ± 20 %), then again.
    expect(await beat(5_000)).toMatchObject({ delivered: 0, failed: 0 });
    hook.answerWith(() => 204);
    expect(await beat(12_000)).toMatchObject({ delivered: 1 });
    const ids = to(services.sms.id).map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('should give up after more than a day of retries, and send a dead delivery again on request', async () => {
    const sub = await subscribe(services.sms.id);
    hook.answerWith(() => 503);
    await referCase(api);
    let elapsed = 0;
    let dead = 0;
    for (let i = 0; i <= retrySchedule.length; i++) {
      const r = await beat(elapsed);
      dead += r.dead;
      elapsed += (retrySchedule[i] ?? 0) * 1.2 + 1;
    }
    expect(dead).toBe(1);
    expect(retrySchedule.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3_600_000);
    const listed = await api.request('GET', '/api/webhooks/deliveries?status=dead', { as: services.sms.id, role: 'serviceManager' });
    const [delivery] = listed.json.items as { id: number; subscriptionId: string; attempts: number; lastStatus: number }[];
    expect(delivery).toMatchObject({ subscriptionId: sub.id, attempts: retrySchedule.length + 1, lastStatus: 503 });
    hook.answerWith(() => 200);
    const again = await api.request('POST', `/api/webhooks/deliveries/${delivery?.id}/redeliver`, {
      as: services.sms.id,
      role: 'serviceManager',
      body: {},
    });
    expect(again.status, again.text).toBe(200);
    expect(await beat()).toMatchObject({ delivered: 1 });
    // Another agency cannot see or resend it.
    expectProblem(
      await api.request('POST', `/api/webhooks/deliveries/${delivery?.id}/redeliver`, {
        as: services.cmht.id,
        role: 'serviceManager',
        body: {},
      }),
      404,
    );
  });

  it('should tell the referrer’s managers when a referral passes its follow-up date unanswered (R-REF-FOLLOWUP)', async () => {
    await subscribe(services.primary.id, ['followUp.overdue']);
    const opened = await referCase(api);
    api.advanceDays(15);
    expect((await sweepDeadlines(database.db, { now: api.now() })).fired).toBeGreaterThanOrEqual(1);
    await beat();
    // (Earlier tests' referrals fall due too: this case's notice is the one asked about.)
    const overdue = to(services.primary.id)
      .map((r) => verified(r, services.primary.id))
      .filter((b) => b.data.caseId === opened.id);
    expect(overdue).toEqual([
      expect.objectContaining({
        type: 'followUp.overdue',
        data: expect.objectContaining({
          caseId: opened.id,
          about: expect.objectContaining({ what: 'referral', awaiting: services.sms.id }),
        }),
      }),
    ]);
  });

  it('should tell every other service with a part in the case of a change of risk (R-RISK-CHANGE)', async () => {
    const opened = await caseAt(api, httpJourneys.handoverPending());
    await subscribe(services.cmht.id, ['risk.changed']);
    const res = await sendEvent(api, opened.id, [
      {
        type: 'risk.change',
        risks: { toSelf: 'high', toOthers: 'low', selfNeglect: false, safeguarding: false },
        summary: 'Overdose last night',
      },
      services.sms,
    ]);
    expect(res.status, res.text).toBe(200);
    await beat();
    const told = to(services.cmht.id).map((r) => verified(r, services.cmht.id));
    expect(told.map((t) => t.type)).toEqual(['risk.changed']);
    expect(to(services.cmht.id)[0]?.body).not.toContain('Overdose');
  });

  it('should tell the service answerable for a case that someone broke glass on it, without the clinician’s note', async () => {
    const opened = await caseAt(api, httpJourneys.smsLedQ3());
    await subscribe(services.sms.id, ['access.breakGlass']);
    const note = 'Seen in crisis tonight, sentinel-note-7f3';
    const res = await api.request('POST', `/api/cases/${opened.id}/break-glass`, {
      as: services.eip.id,
      body: { reason: 'emergency', note },
    });
    expect(res.status, res.text).toBe(201);
    await beat();
    const [told] = to(services.sms.id);
    if (!told) throw new Error('the lead was not told');
    expect(verified(told, services.sms.id)).toMatchObject({
      type: 'access.breakGlass',
      data: { caseId: opened.id, about: { by: { agencyId: services.eip.id, role: 'practitioner' }, reason: 'emergency' } },
    });
    expect(told.body).not.toContain('sentinel-note-7f3');
  });

  it('should write notifications only with a committed transition, and list them to the agency told', async () => {
    const opened = await referCase(api);
    const before = await database.db.select().from(outbox).where(eq(outbox.caseId, opened.id));
    // Refused by the pathway (a decline for substance use, R-REF-NOINTOX): nothing written, nobody told.
    const refused = await sendEvent(api, opened.id, [bodies.declineReferral({ reason: 'substanceUse' }), services.sms]);
    expect(refused.status).toBe(422);
    expect(await database.db.select().from(outbox).where(eq(outbox.caseId, opened.id))).toEqual(before);
    const list = await api.request('GET', '/api/notifications', { as: services.sms.id });
    expect((list.json.items as { caseId: string; type: string }[]).filter((n) => n.caseId === opened.id).map((n) => n.type)).toEqual([
      'request.received',
    ]);
  });

  it('should let only an agency’s service managers and clinical directors manage its subscriptions', async () => {
    expectProblem(await api.request('GET', '/api/webhooks/subscriptions', { as: services.sms.id, role: 'practitioner' }), 403);
    expectProblem(await api.request('GET', '/api/webhooks/subscriptions', { as: 'kent-medway-icb', role: 'commissioner' }), 403);
    expectProblem(
      await api.request('POST', '/api/webhooks/subscriptions', {
        as: services.sms.id,
        role: 'serviceManager',
        body: { url: 'http://example.org/hook' },
      }),
      400,
    );
    const made = await subscribe(services.sms.id);
    const listed = await api.request('GET', '/api/webhooks/subscriptions', { as: services.sms.id, role: 'clinicalDirector' });
    expect(listed.text).toContain(made.id);
    expect(listed.text).not.toContain(made.secret);
    const rotated = await api.request('POST', `/api/webhooks/subscriptions/${made.id}/rotate`, {
      as: services.sms.id,
      role: 'serviceManager',
      body: {},
    });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(made.secret);
    expectProblem(
      await api.request('DELETE', `/api/webhooks/subscriptions/${made.id}`, { as: services.cmht.id, role: 'serviceManager', body: {} }),
      404,
    );
    const off = await api.request('DELETE', `/api/webhooks/subscriptions/${made.id}`, { as: services.sms.id, role: 'serviceManager' });
    expect(off.json.disabledAt).toBeTruthy();
    const deliveries = await database.db.select().from(webhookDeliveries);
    await referCase(api);
    await beat();
    expect((await database.db.select().from(webhookDeliveries)).length).toBe(deliveries.length);
  });
});

import { describe, expect, it } from 'vitest';
import { nextEvents } from '../../machines/index.ts';
import { drive } from '../support/pathwayDriver.ts';
import { actorOf, agencies, bodies, body } from '../support/pathwayFactory.ts';

const allowed = (d: ReturnType<typeof drive>, who: Parameters<typeof actorOf>[0]) =>
  nextEvents(d.snapshot, actorOf(who))
    .filter((e) => e.allowed)
    .map((e) => e.type);

describe('R-PARALLEL: nextEvents offers involvement events only to the services they concern', () => {
  it('should offer no involvement answers while nothing has been asked of anyone', () => {
    const d = drive();
    d.ok(body.referral(agencies.sms), actorOf('gp'));

    expect(allowed(d, 'sms')).not.toContain('involvement.accept');
    expect(allowed(d, 'sms')).not.toContain('involvement.end');
  });

  it('should offer accept and decline to the service asked, and not to another service', () => {
    const d = drive();
    d.ok(body.referral(agencies.sms), actorOf('gp'));
    d.ok({ type: 'referral.accept' }, actorOf('sms'));
    d.ok(bodies.involve(agencies.asc), actorOf('sms'));

    expect(allowed(d, 'asc')).toEqual(expect.arrayContaining(['involvement.accept', 'involvement.decline']));
    expect(allowed(d, 'asc')).not.toContain('involvement.start');
    expect(allowed(d, 'cmht')).not.toContain('involvement.accept');
    const blocked = nextEvents(d.snapshot, actorOf('cmht')).find((e) => e.type === 'involvement.accept');
    expect(blocked?.allowed === false && blocked.blockedBy.map((b) => b.rule)).toContain('R-HANDOVER-ONLYRECEIVER');
  });
});

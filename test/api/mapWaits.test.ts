/** /api/stats: one measure for every role — open cases, over target, median and longest current wait per state. */
import { describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.ts';
import { commissioningBody, httpJourneys, playSteps, referCase, services } from '../support/apiFactory.ts';
import { backends } from '../support/database.ts';
import { useApi } from '../support/suite.ts';

type StateStats = {
  state: string;
  compound: boolean;
  open: number;
  targetDays: number | null;
  overTarget: number | null;
  medianDays: number | null;
  maxDays: number | null;
};

describe.each(backends)('the map’s current waits on $name', (backend) => {
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ api } = opened);
  });

  it('should count each open case once per state, over target and waits since it entered that state, the same for every role', async () => {
    // Day 0: three referrals. Day 2: C assessed, led by CGL (joint care). Day 5: A accepted. Day 8: C's plan agreed. Day 20: now.
    const a = await referCase(api);
    await referCase(api); // B
    const c = await referCase(api);
    api.advanceDays(2);
    await playSteps(api, c.id, httpJourneys.smsLedQ3());
    api.advanceDays(3);
    await playSteps(api, a.id, httpJourneys.smsAssessing());
    api.advanceDays(3);
    await playSteps(api, c.id, httpJourneys.smsCarePlanned().slice(-1));
    api.advanceDays(12);

    const commissioner = await api.request('GET', '/api/stats/states', { as: commissioningBody, role: 'commissioner' });
    expect(commissioner.status).toBe(200);
    expect(commissioner.json.measure).toBe('currentWait');
    const states = commissioner.json.states as StateStats[];
    const at = (id: string) => states.find((s) => s.state === id);
    const pick = ({ open, overTarget, medianDays, maxDays, targetDays }: StateStats) => ({
      open,
      overTarget,
      medianDays,
      maxDays,
      targetDays,
    });

    // B has waited 20 days for acceptance against a 14-day target; the referral stage (no target of its own) says so too.
    expect(pick(at('active.referral.awaitingAcceptance') as StateStats)).toEqual({
      open: 1,
      overTarget: 1,
      medianDays: 20,
      maxDays: 20,
      targetDays: 14,
    });
    expect(pick(at('active.referral') as StateStats)).toEqual({ open: 1, overTarget: 1, medianDays: 20, maxDays: 20, targetDays: null });
    // A has been assessed for 15 days of 28.
    expect(pick(at('active.assessment') as StateStats)).toEqual({ open: 1, overTarget: 0, medianDays: 15, maxDays: 15, targetDays: 28 });
    // C is in both regions of joint care: once there, since day 2; its plan agreed on day 8.
    expect(at('active.jointCare')).toMatchObject({ compound: true, open: 1, medianDays: 18, maxDays: 18, overTarget: null });
    expect(at('active.jointCare.carePlan')).toMatchObject({ open: 1, medianDays: 18 });
    expect(at('active.jointCare.carePlan.agreed')).toMatchObject({ compound: false, open: 1, medianDays: 12 });
    expect(at('active.jointCare.detox')).toMatchObject({ open: 1, medianDays: 18 });
    // Every open case once at the top, however many regions it is in.
    expect(at('active')).toMatchObject({ open: 3, medianDays: 20, maxDays: 20, overTarget: 1 });
    expect(commissioner.json.open).toBe(3);

    // A practitioner sees the same figures: one measure for every role.
    const practitioner = await api.request('GET', '/api/stats/states', { as: services.sms.id, role: 'practitioner' });
    expect(practitioner.json.states).toEqual(states);

    // The cases in joint care: C once, with the regions' states it is in.
    const listed = await api.request('GET', '/api/stats/cases?state=active.jointCare', { as: commissioningBody, role: 'commissioner' });
    expect(listed.json.items).toEqual([
      expect.objectContaining({
        id: c.id,
        state: 'active.jointCare',
        leaves: ['active.jointCare.carePlan.agreed', 'active.jointCare.detox.none'],
        daysInState: 18,
      }),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { statePaths } from '../../machines/index.ts';
import { drive } from '../support/pathwayDriver.ts';
import { actorOf, agencies, bodies, body } from '../support/pathwayFactory.ts';

/** A case referred to the CMHT, assessed Q3 (moderate, dependent): the quadrant names SMS as lead. */
function assessedQ3AtCmht() {
  const d = drive();
  d.ok(body.referral(agencies.cmht, { referrer: { name: 'Dr Shah', qualification: 'consultantPsychiatrist' } }), actorOf('cmht'));
  d.ok(body.assessment('moderate', true), actorOf('cmht'));
  return d;
}

describe('R-LEAD-ONE: a service that becomes lead is not also its own support', () => {
  it('should end the new lead’s pending involvement when it accepts the lead, so the case can later close', () => {
    const d = assessedQ3AtCmht();
    d.ok(bodies.involve(agencies.sms), actorOf('cmht'));
    d.ok(bodies.proposeLead(agencies.sms), actorOf('cmht'));
    d.ok(bodies.acceptLead(), actorOf('sms'));

    expect(d.snapshot.context.lead?.agency.id).toBe(agencies.sms.id);
    expect(d.snapshot.context.involvements.find((i) => i.agency.id === agencies.sms.id)?.status).toBe('ended');
    expect(d.send(body.close(), actorOf('sms'))).toEqual([]);
  });
});

describe('R-STEP: a lead kept with a rationale is not asked again while the quadrant stays', () => {
  it('should adjust the plan in place when a rationale-kept lead is reassessed in the same quadrant', () => {
    const d = assessedQ3AtCmht();
    d.ok(bodies.assignLead({ rationale: 'Known to the CMHT for psychosis history; CGL supports' }), actorOf('cmht'));
    d.ok(body.reassessment('moderate', true), actorOf('cmht'));

    expect(statePaths(d.snapshot.value).every((p) => p.startsWith('active.jointCare'))).toBe(true);
    expect(d.snapshot.context.stepChange).toBeNull();
  });

  it('should still require a handover when the quadrant moves to a third lead kind', () => {
    const d = assessedQ3AtCmht();
    d.ok(bodies.assignLead({ rationale: 'Known to the CMHT' }), actorOf('cmht'));
    d.ok(body.reassessment('mild', false), actorOf('cmht'));

    expect(statePaths(d.snapshot.value)).toEqual(['active.handover.required']);
    expect(d.snapshot.context.stepChange).toMatchObject({ from: 'Q3', to: 'Q4' });
  });
});

describe('R-DISPUTE: a resolution names a party to the case', () => {
  it('should refuse a resolution naming a service outside the case, and allow one naming a party', () => {
    const d = assessedQ3AtCmht();
    d.ok(bodies.proposeLead(agencies.sms), actorOf('cmht'));
    d.ok({ type: 'lead.decline', reason: 'needsBetterMetElsewhere', explanation: 'Psychosis needs MHS lead' }, actorOf('sms'));
    d.ok({ type: 'dispute.raise', about: 'Who leads a Q3 case with psychosis history', proposedLead: agencies.sms }, actorOf('cmht'));

    const outsider = d.send(
      bodies.proposeResolution(agencies.sms2, { outcome: 'Forward Trust to lead' }),
      actorOf('cmht', 'serviceManager'),
    );
    expect(outsider.map((b) => b.guard)).toContain('resolutionNamesParty');

    // Pathway version 2: the CMHT proposes, and CGL, which becomes lead, confirms (R-LEAD-ACCEPTED).
    d.ok(bodies.proposeResolution(agencies.sms, { outcome: 'CGL leads; CMHT supports' }), actorOf('cmht', 'serviceManager'));
    expect(d.snapshot.context.lead).toBeNull();
    d.ok(bodies.confirmResolution('Sam Okafor'), actorOf('sms', 'serviceManager'));
    expect(d.snapshot.context.lead?.agency.id).toBe(agencies.sms.id);
  });
});

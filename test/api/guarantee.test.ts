/** Issue 13's reproductions through the API, on pathway version 2: each was accepted before, each is refused by its guard. */
import { describe, expect, it } from 'vitest';
import type { Blocker } from '../../machines/index.ts';
import type { TestApi } from '../support/api.ts';
import { caseOf, expectProblem } from '../support/apiChecks.ts';
import { caseAt, httpJourneys, referCase, sendEvent, services } from '../support/apiFactory.ts';
import { backends } from '../support/database.ts';
import { bodies, body } from '../support/pathwayFactory.ts';
import { useApi } from '../support/suite.ts';

/** The refusing guards of a problem, as `guard (rule)`. */
const refusedBy = (json: Record<string, unknown>) => (json.blockedBy as Blocker[]).map((b) => `${b.guard ?? 'no guard'} (${b.rule})`);

describe.each(backends)('the headline guarantee on $name', (backend) => {
  let api: TestApi;
  useApi(backend, (opened) => {
    ({ api } = opened);
  });

  it('does not let one side’s manager name the other service as lead; the new lead confirms, from its worklist', async () => {
    const { id } = await caseAt(api, [...httpJourneys.handoverPending(), [bodies.declineHandover(), services.cmht]]);
    const raised = await sendEvent(api, id, [bodies.raiseDispute('Q1: the CMHT should lead', services.cmht), services.sms]);
    expect(raised.status, raised.text).toBe(200);

    const resolved = await sendEvent(api, id, [bodies.resolveDispute(services.cmht), services.sms], { role: 'serviceManager' });
    expect(expectProblem(resolved, 422)).toMatchObject({ rule: 'R-DISPUTE' });

    const proposed = await sendEvent(api, id, [bodies.proposeResolution(services.cmht), services.sms], { role: 'serviceManager' });
    expect(proposed.status, proposed.text).toBe(200);
    expect(caseOf(proposed).responsibility.lead?.agency.id).toBe(services.sms.id);
    const selfConfirmed = await sendEvent(api, id, [bodies.confirmResolution('Sam Okafor'), services.sms], { role: 'serviceManager' });
    expect(refusedBy(expectProblem(selfConfirmed, 422) as unknown as Record<string, unknown>)).toEqual([
      'confirmedByOtherSide (R-DISPUTE)',
      'newLeadConfirms (R-LEAD-ACCEPTED)',
    ]);

    const worklist = await api.request('GET', '/api/worklist', { as: services.cmht.id, role: 'serviceManager' });
    expect(worklist.status, worklist.text).toBe(200);
    const item = (worklist.json.items as { id: string; reasons: { kind: string }[] }[]).find((i) => i.id === id);
    expect(item?.reasons.map((r) => r.kind)).toContain('disputeResolution');

    const confirmed = await sendEvent(api, id, [bodies.confirmResolution('Jo Reed'), services.cmht], { role: 'serviceManager' });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(caseOf(confirmed).responsibility.lead).toMatchObject({ agency: { id: services.cmht.id }, coordinator: { name: 'Jo Reed' } });
  });

  it('refuses a handover decline whose JSON body has no explanation key', async () => {
    const { id } = await caseAt(api, httpJourneys.handoverPending());
    const res = await sendEvent(api, id, [{ type: 'handover.decline', reason: 'other' }, services.cmht]);
    expect(refusedBy(expectProblem(res, 422) as unknown as Record<string, unknown>)).toEqual(['declineGivesReasons (R-HANDOVER-DECLINE)']);
  });

  it('takes R-REF-CONTENT’s sender from the directory: an SMS writing source GP still owes the content', async () => {
    const res = await api.request('POST', '/api/cases', {
      as: services.sms.id,
      body: {
        person: { nhsNumber: '9434765919', givenName: 'Kit', familyName: 'Example', dateOfBirth: '1990-04-01', area: 'WEST_KENT' },
        residency: 'permanent',
        referral: {
          source: 'GP',
          referrer: { name: 'Key worker Ali', agencyId: services.sms.id, qualification: 'other' },
          to: services.cmht,
          reasonForReferral: 'Low mood and daily heavy drinking',
          consent: { sharing: 'given' },
        },
      },
    });
    expect(refusedBy(expectProblem(res, 422) as unknown as Record<string, unknown>)).toEqual(['referralContentComplete (R-REF-CONTENT)']);
  });

  it('names the referring service responsible while the referral awaits acceptance, and refuses closing before a lead', async () => {
    const opened = await referCase(api);
    expect(caseOf(opened.res).responsibility).toMatchObject({
      responsible: { id: services.primary.id },
      referrer: { agency: { id: services.primary.id } },
    });
    const accepted = await sendEvent(api, opened.id, [bodies.acceptReferral(), services.sms]);
    expect(caseOf(accepted).responsibility.responsible?.id).toBe(services.sms.id);
    const closed = await sendEvent(api, opened.id, [body.close(), services.sms]);
    expect(refusedBy(expectProblem(closed, 422) as unknown as Record<string, unknown>)).toEqual([
      'leadExistsToClose (R-CLOSE-GAPLESS)',
      'closedByLead (R-CLOSE-GAPLESS)',
    ]);
  });
});

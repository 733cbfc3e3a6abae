import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, consoleErrors, launch, screenshot, seriousViolations, signedInPage, token } from './browser.ts';

const baseUrl = inject('baseUrl');
type Summary = { id: string; reference: string; receiver: string };
type Person = { givenName: string; familyName: string; nhsNumber: string | null };

let browser: Browser;
let commissioner: string;
let practitioner: string;
let colleague: string;
let accepted: Summary;
let declined: Summary;

beforeAll(async () => {
  browser = await launch();
  commissioner = await token(baseUrl, 'cgl-west-kent', 'commissioner');
  // Two referrals waiting on one service in the demo cohort: one to accept, one to try to decline on forbidden grounds.
  const { items } = await api<{ items: { id: string; reference: string }[] }>(
    baseUrl,
    commissioner,
    '/api/cases?state=active.referral.awaitingAcceptance&limit=200',
  );
  // The service the referral awaits (while it waits, the referrer is the one responsible: R-CLARITY).
  const byAgency = new Map<string, Summary[]>();
  for (const c of items) {
    const detail = await api<{ responsibility: { awaiting: { what: string; agency: { id: string } }[] } }>(
      baseUrl,
      commissioner,
      `/api/cases/${c.id}`,
    );
    const receiver = detail.responsibility.awaiting.find((a) => a.what === 'referral')?.agency.id;
    if (receiver) byAgency.set(receiver, [...(byAgency.get(receiver) ?? []), { ...c, receiver }]);
  }
  const pair = [...byAgency.values()].find((list) => list.length >= 2);
  if (!pair?.[0] || !pair[1]) throw new Error('the demo cohort has no service with two referrals waiting');
  [accepted, declined] = [pair[0], pair[1]];
  practitioner = await token(baseUrl, accepted.receiver, 'practitioner', 'Alex Practitioner');
  colleague = await token(baseUrl, accepted.receiver, 'practitioner', 'Bo Colleague');
});
afterAll(async () => {
  await browser?.close();
});

const newPage = async (bearer: string, path: string): Promise<Page> =>
  signedInPage(await browser.newContext({ viewport: { width: 1400, height: 1000 } }), baseUrl, bearer, path);

describe('the case inspector', () => {
  it('should show the path the case took, its timeline and responsibility, and replay it', async () => {
    const { items } = await api<{ items: unknown[] }>(baseUrl, practitioner, `/api/cases/${accepted.id}/events`);
    const page = await newPage(practitioner, `/cases/${accepted.id}`);
    await page.getByTestId('case-reference').filter({ hasText: accepted.reference }).waitFor();
    await expect.poll(() => page.getByTestId('timeline').locator('li').count(), { timeout: 10_000 }).toBe(items.length);
    expect(await page.getByTestId('current-state').textContent()).toContain('Awaiting acceptance');
    expect(await page.getByTestId('state-active.referral.awaitingAcceptance').textContent()).toContain('Current state');
    expect(await page.getByTestId('state-active.referral').textContent()).toMatch(/Step \d/);
    // R-CLARITY: who referred the person stays responsible until acceptance (a self-referral is said as one).
    expect(await page.getByTestId('statement').textContent()).toMatch(/You have been referred to|You referred yourself to/);
    expect(await page.getByTestId('identifiers').count()).toBe(1);
    await page.getByTestId('blocked-events').locator('xpath=..').locator('..').locator('summary').click();
    expect(await page.getByTestId('blocked-events').textContent()).toMatch(/R-[A-Z-]+/);
    await page.getByTestId('live-status').and(page.locator('[data-status="live"]')).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'case');
    // Time travel: back to before the first event, the real machine replayed in the browser.
    await page.getByLabel(/Time travel/).fill('0');
    await page.getByTestId('replayed-state').filter({ hasText: 'New' }).waitFor();
    await screenshot(page, 'case-time-travel');
    expect(consoleErrors(page)).toEqual([]);
    await page.context().close();
  });

  it('should show a commissioner no identifiers', async () => {
    const person = (await api<{ person: Person }>(baseUrl, practitioner, `/api/cases/${accepted.id}`)).person;
    expect(person.familyName).toBeTruthy();
    const page = await newPage(commissioner, `/cases/${accepted.id}`);
    await page.getByTestId('case-reference').waitFor();
    await page.getByTestId('pseudonymised').waitFor();
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).not.toContain(person.familyName);
    if (person.nhsNumber) expect(text).not.toContain(person.nhsNumber);
    expect(await page.getByTestId('identifiers').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'case-commissioner');
    await page.context().close();
  });
});

describe('the worklist', () => {
  it('should move the case when an event is sent, and the map and a second browser see it live', async () => {
    const map = await newPage(commissioner, '/');
    const cell = map.getByTestId('open-active.referral.awaitingAcceptance');
    await cell.waitFor();
    await expect.poll(async () => Number(await cell.textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    const before = Number(await cell.textContent());
    const watcher = await newPage(colleague, `/cases/${accepted.id}`);
    await watcher.getByTestId('live-status').and(watcher.locator('[data-status="live"]')).waitFor();

    const page = await newPage(practitioner, '/worklist');
    const item = page.getByTestId(`work-${accepted.reference}`);
    await item.getByText('Referral awaits your acceptance').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await item.getByRole('button', { name: `Act on ${accepted.reference}` }).click();
    await item.getByLabel(/What happened/).selectOption({ label: 'Accept the referral' });
    await item.getByTestId('event-form').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'worklist-form');
    const sentAt = Date.now();
    await item.getByRole('button', { name: 'Send: Accept the referral' }).click();
    await page.getByTestId('sent').filter({ hasText: 'Assessment' }).waitFor();

    await watcher
      .getByTestId('current-state')
      .filter({ hasText: 'Assessment' })
      .waitFor({ timeout: 5000 })
      .catch(async (e) => {
        await screenshot(watcher, 'debug-watcher');
        const kase = await api<{ state: string[]; version: number }>(baseUrl, practitioner, `/api/cases/${accepted.id}`);
        const received = async (p: Page) =>
          `${await p.getByTestId('live-status').getAttribute('data-status')}/${await p.getByTestId('live-status').getAttribute('data-received')}`;
        console.log(
          'watcher',
          await received(watcher),
          'map',
          await received(map),
          'worklist',
          await received(page),
          kase.state,
          kase.version,
        );
        throw e;
      });
    const liveMs = Date.now() - sentAt;
    await expect.poll(async () => Number(await cell.textContent()), { timeout: 10_000 }).toBe(before - 1);
    // The issue asks for an update within a second; allow for a loaded CI machine, and record it.
    console.log(`a second browser saw the change ${liveMs} ms after Send was clicked`);
    expect(liveMs).toBeLessThan(3000);
    await screenshot(page, 'worklist');
    await screenshot(watcher, 'case-live-update');
    for (const p of [map, watcher, page]) await p.context().close();
  });

  it('should show the rule that blocks an event the protocol forbids', async () => {
    const page = await newPage(practitioner, '/worklist');
    const item = page.getByTestId(`work-${declined.reference}`);
    await item.getByRole('button', { name: `Act on ${declined.reference}` }).click();
    await item.getByLabel(/What happened/).selectOption({ label: 'Decline the referral' });
    await item.getByLabel('Reason').selectOption({ label: 'Substance use' });
    await item.getByLabel('Explanation (optional)').fill('Still drinking daily');
    await item.getByLabel('Written to person').check();
    await item.getByLabel('Recommendation to referrer (optional)').fill('Refer again when abstinent');
    await item.getByRole('button', { name: 'Send: Decline the referral' }).click();
    // Both R-REF-NOINTOX guards refuse it: the reason code and the wording of the recommendation.
    await item.getByTestId('blocking-rule').filter({ hasText: 'R-REF-NOINTOX' }).first().waitFor();
    await screenshot(page, 'worklist-refusal');
    await page.context().close();
  });

  it('should refuse a change made from a stale version (If-Match)', async () => {
    const open = async (bearer: string) => {
      const page = await newPage(bearer, '/worklist');
      const item = page.getByTestId(`work-${declined.reference}`);
      await item.getByRole('button', { name: `Act on ${declined.reference}` }).click();
      await item.getByLabel(/What happened/).selectOption({ label: 'Record consent to share information' });
      await item.getByLabel('Sharing').selectOption({ label: 'Given' });
      return { page, item };
    };
    const first = await open(practitioner);
    const second = await open(colleague);
    await first.item.getByRole('button', { name: /^Send/ }).click();
    await first.page.getByTestId('sent').waitFor();
    await second.item.getByRole('button', { name: /^Send/ }).click();
    await second.item.getByText('This case has changed').waitFor();
    await screenshot(second.page, 'worklist-stale');
    for (const p of [first.page, second.page]) await p.context().close();
  });
});

describe('who sees a case', () => {
  it('should hide a case from a service with no part in it, open it on a stated reason, and show the lead who looked', async () => {
    // A directory service with no part in the declined-to-be case: the API answers it 404, as for no case at all.
    const { items: directory } = await api<{ items: { id: string }[] }>(baseUrl, commissioner, '/api/directory');
    let stranger: string | undefined;
    for (const a of directory) {
      const bearer = await token(baseUrl, a.id, 'practitioner', 'Casey Stranger');
      const res = await fetch(`${baseUrl}/api/cases/${declined.id}`, { headers: { Authorization: `Bearer ${bearer}` } });
      if (res.status === 404) {
        stranger = bearer;
        break;
      }
    }
    if (!stranger) throw new Error('every directory service has a part in the case');
    const page = await newPage(stranger, `/cases/${declined.id}`);
    await page.getByRole('heading', { name: 'No case you can see' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Safeguarding').check();
    await page.getByLabel(/Why you need it now/).fill('Presented at A&E tonight, history needed to assess risk');
    await page.getByRole('button', { name: 'Open the case' }).click();
    await page.getByTestId('case-reference').filter({ hasText: declined.reference }).waitFor();
    expect(await page.getByTestId('access-banner').textContent()).toContain('Emergency access until');
    expect(await page.getByTestId('identifiers').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'case-break-glass');
    expect(consoleErrors(page).filter((e) => !e.includes('404'))).toEqual([]);
    await page.context().close();

    // The service answerable for the case is told, on its managers' worklist.
    // (While a referral awaits acceptance the referrer answers for it; for a self-referral, the service it went to.)
    const answerable =
      (await api<{ responsibility: { responsible: { id: string } | null } }>(baseUrl, commissioner, `/api/cases/${declined.id}`))
        .responsibility.responsible?.id ?? declined.receiver;
    const manager = await newPage(await token(baseUrl, answerable, 'serviceManager', 'Morgan Manager'), '/worklist');
    await manager.getByTestId('break-glass-notices').filter({ hasText: declined.reference }).waitFor();
    expect(await manager.getByTestId('break-glass-notices').textContent()).toContain('Presented at A&E tonight');
    // …and among what the service was told (the notification itself carries no note).
    await manager.getByTestId('notifications').locator('summary').click();
    await manager
      .getByTestId('notifications')
      .getByText(/Opened in an emergency/)
      .first()
      .waitFor();
    expect(await seriousViolations(manager)).toEqual([]);
    await manager.context().close();

    // An auditor reads who looked at the case, the break-glass with its reason among them.
    const auditor = await newPage(await token(baseUrl, 'cgl-west-kent', 'auditor', 'Ari Auditor'), `/cases/${declined.id}`);
    await auditor.getByTestId('pseudonymised').waitFor();
    await auditor.getByTestId('access-log').locator('summary').click();
    await auditor.getByTestId('access-log').filter({ hasText: 'breakGlass' }).waitFor();
    expect(await seriousViolations(auditor)).toEqual([]);
    await screenshot(auditor, 'case-access-log');
    await auditor.context().close();
  });
});

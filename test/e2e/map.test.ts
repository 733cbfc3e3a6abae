import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, consoleErrors, launch, screenshot, seriousViolations, signedInPage, token } from './browser.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('the pathway map', () => {
  it('should render the statechart with live counts for a commissioner', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const bearer = await token(baseUrl, 'cgl-west-kent', 'commissioner');
    const page = await signedInPage(context, baseUrl, bearer);
    await page.getByRole('heading', { name: 'Pathway map' }).waitFor();
    await page.getByTestId('live-status').and(page.locator('[data-status="live"]')).waitFor();
    await page.getByTestId('state-active.assessment').waitFor();
    await page.getByTestId('open-active.assessment').waitFor();
    // The counts on the chart and in the table are the server's aggregates.
    const stats = await api<{ states: { state: string; open: number }[] }>(baseUrl, bearer, '/api/stats/states');
    const assessment = stats.states.find((x) => x.state === 'active.assessment')?.open ?? 0;
    await expect.poll(() => page.getByTestId('open-active.assessment').textContent(), { timeout: 10_000 }).toBe(String(assessment));
    expect(await page.getByTestId('count-active.assessment').textContent()).toContain(`${assessment} open`);
    // A state's cases, longest-waiting first, by pseudonymised reference.
    await page.getByRole('button', { name: 'Show cases in Referral › Awaiting acceptance' }).click();
    const listed = page.getByTestId('state-cases').locator('tbody tr');
    await expect.poll(() => listed.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await listed.first().locator('a').textContent()).toMatch(/^DD-/);
    await screenshot(page, 'map');
    expect(consoleErrors(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});

describe('sign-in (development only)', () => {
  it('should sign in as a chosen agency and role', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Development only').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');
    await page.getByLabel('Agency').selectOption('cgl-west-kent');
    await page.getByLabel('Commissioner').check();
    await page.getByRole('button', { name: 'Sign in (development only)' }).click();
    await page.getByRole('heading', { name: 'Pathway map' }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Worklist' }).count(), { timeout: 5000 }).toBe(0);
    await context.close();
  });
});

describe('the audits', () => {
  it('should show charts and tables, and download CSV', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    const page = await signedInPage(context, baseUrl, await token(baseUrl, 'cgl-west-kent', 'commissioner'), '/audits');
    await page.getByTestId('table-states').waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'audits-dwell');
    await page.getByRole('button', { name: 'Stalled now' }).click();
    await page.getByText('Stalled cases by agency').waitFor();
    await screenshot(page, 'audits-stalled');
    await page.getByRole('button', { name: 'Quality standards pack' }).click();
    await page.getByTestId('table-summary').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download all as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('quality.csv');
    expect(consoleErrors(page)).toEqual([]);
    await context.close();
  });
});

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

type StateStats = { state: string; open: number; overTarget: number | null; medianDays: number | null; maxDays: number | null };
const daysText = (n: number | null) => (n === null ? '—' : `${n} ${n === 1 ? 'day' : 'days'}`);

describe('the map’s one measure', () => {
  for (const role of ['commissioner', 'practitioner'] as const) {
    it(`should show a ${role} the API’s current waits for every state, each case once, and fire no refused request`, async () => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const bearer = await token(baseUrl, 'cgl-west-kent', role);
      const refused: string[] = [];
      context.on('response', (r) => {
        if (r.status() === 403) refused.push(r.url());
      });
      const page = await signedInPage(context, baseUrl, bearer);
      await page.getByTestId('live-status').and(page.locator('[data-status="live"]')).waitFor();
      await page.getByTestId('state-active.jointCare').waitFor();
      const stats = await api<{ open: number; states: StateStats[] }>(baseUrl, bearer, '/api/stats/states');
      const joint = stats.states.find((s) => s.state === 'active.jointCare') as StateStats;
      await expect.poll(() => page.getByTestId('open-active.jointCare').textContent(), { timeout: 10_000 }).toBe(String(joint.open));
      // Every state's row in the table is the API's figures: open now, over target, median and longest current wait.
      for (const s of stats.states) {
        const row = page.getByTestId(`row-${s.state}`);
        expect.soft(await row.getByTestId(`open-${s.state}`).textContent(), s.state).toBe(String(s.open));
        expect
          .soft(await row.getByTestId(`over-${s.state}`).textContent(), s.state)
          .toBe(s.overTarget === null ? '—' : String(s.overTarget));
        expect.soft(await row.getByTestId(`median-${s.state}`).textContent(), s.state).toBe(daysText(s.medianDays));
        expect.soft(await row.getByTestId(`max-${s.state}`).textContent(), s.state).toBe(daysText(s.maxDays));
      }
      // The chart says the same on the state itself.
      expect(await page.getByTestId('count-active.jointCare').textContent()).toContain(`${joint.open} open`);
      expect(await page.getByTestId('waits-active.jointCare').textContent()).toBe(
        `Waiting now: median ${daysText(joint.medianDays)}, longest ${daysText(joint.maxDays)}`,
      );
      // No double counts: Active is every open case once; joint care lists each of its cases once.
      expect(await page.getByTestId('open-active').textContent()).toBe(String(stats.open));
      if (role === 'commissioner') {
        await page.getByRole('button', { name: 'Show cases in Joint care', exact: true }).click();
        const listed = page.getByTestId('state-cases').locator('tbody tr');
        await expect.poll(() => listed.count(), { timeout: 10_000 }).toBe(Math.min(joint.open, 100));
        const references = await listed.locator('td:first-child a').allTextContents();
        expect(new Set(references).size).toBe(references.length);
      }
      await screenshot(page, `map-measure-${role}`);
      expect(refused).toEqual([]);
      expect(consoleErrors(page)).toEqual([]);
      await context.close();
    });
  }
});

describe('the address keeps the page’s state', () => {
  it('should keep the map’s filters and chosen state, and the audit tab and its filters, over a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await signedInPage(context, baseUrl, await token(baseUrl, 'cgl-west-kent', 'commissioner'));
    await page.getByTestId('state-active.jointCare').waitFor();
    await page.getByLabel('Quadrant').selectOption('Q1');
    await page.getByLabel('Period', { exact: true }).selectOption('365');
    await page.getByRole('button', { name: 'Show cases in Joint care', exact: true }).click();
    await page.getByRole('heading', { name: 'Cases in Joint care' }).waitFor();
    const search = new URL(page.url()).searchParams;
    expect(Object.fromEntries(search)).toEqual({ quadrant: 'Q1', period: '365', state: 'active.jointCare' });

    await page.reload();
    await page.getByRole('heading', { name: 'Cases in Joint care' }).waitFor();
    expect(await page.getByLabel('Quadrant').inputValue()).toBe('Q1');
    expect(await page.getByLabel('Period', { exact: true }).inputValue()).toBe('365');
    expect(await page.getByTestId('state-active.jointCare').getAttribute('class')).toContain('app-state--selected');

    // The audits: the tab and the "now" audit's own period.
    await page.goto(`${baseUrl}/audits`);
    await page.getByRole('button', { name: 'Overdue' }).click();
    await page.getByTestId('audit-overdue').waitFor();
    await page.getByLabel('Area').selectOption('MEDWAY');
    await page.getByLabel('Period', { exact: true }).selectOption('30');
    await expect
      .poll(() => Object.fromEntries(new URL(page.url()).searchParams))
      .toEqual({ audit: 'overdue', area: 'MEDWAY', nowPeriod: '30' });
    await page.reload();
    await page.getByTestId('audit-overdue').waitFor();
    expect(await page.getByRole('button', { name: 'Overdue' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByLabel('Area').inputValue()).toBe('MEDWAY');
    expect(await page.getByLabel('Period', { exact: true }).inputValue()).toBe('30');
    expect(consoleErrors(page)).toEqual([]);
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
    const scripts: { url: string; encoding: string | undefined }[] = [];
    context.on('response', (r) => {
      if (/\/assets\/.*\.js$/.test(r.url())) scripts.push({ url: r.url(), encoding: r.headers()['content-encoding'] });
    });
    const page = await signedInPage(context, baseUrl, await token(baseUrl, 'cgl-west-kent', 'commissioner'), '/audits');
    await page.getByTestId('table-states').waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'audits-dwell');
    // "Stalled now" looks at every open case, whenever it entered its state, unless a period is chosen for it.
    const asked = page.waitForRequest((r) => r.url().includes('/api/audits/stalled'));
    await page.getByRole('button', { name: 'Stalled now' }).click();
    expect(new URL((await asked).url()).searchParams.has('from')).toBe(false);
    await page.getByText('Stalled cases by agency').waitFor();
    expect(await page.getByTestId('audit-period').textContent()).toMatch(/^Every open case as of .*, whenever it entered its state$/);
    expect(await page.getByLabel('Period', { exact: true }).inputValue()).toBe('');
    await screenshot(page, 'audits-stalled-now');
    const narrowed = page.waitForRequest((r) => r.url().includes('/api/audits/stalled') && r.url().includes('from='));
    await page.getByLabel('Period', { exact: true }).selectOption('30');
    await narrowed;
    await screenshot(page, 'audits-stalled');
    await page.getByRole('button', { name: 'Quality standards pack' }).click();
    await page.getByTestId('table-summary').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download all as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('quality.csv');
    // Scripts arrive precompressed; the audits load their charts and never the chart layout library.
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => s.encoding !== 'br')).toEqual([]);
    expect(scripts.some((s) => /\/Charts-/.test(s.url))).toBe(true);
    expect(scripts.some((s) => /elk/.test(s.url))).toBe(false);
    expect(consoleErrors(page)).toEqual([]);
    await context.close();
  });
});

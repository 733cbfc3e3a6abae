/** Browser helpers: Debian's chromium through playwright-core, tokens from the dev sign-in, axe, screenshots. */
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const artifacts = 'test-artifacts';
mkdirSync(artifacts, { recursive: true });

export const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

export async function token(baseUrl: string, agency: string, role: string, name = 'E2E Tester'): Promise<string> {
  const res = await fetch(`${baseUrl}/api/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ agency, role, name }),
  });
  if (!res.ok) throw new Error(`dev token: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export async function api<T>(baseUrl: string, bearer: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json', ...init.headers },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A page signed in as someone: the token is handed over in the fragment, as an identity provider would. */
export async function signedInPage(context: BrowserContext, baseUrl: string, bearer: string, path = '/'): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors?: string[] }).errors = errors;
  await page.goto(`${baseUrl}${path}#token=${bearer}`);
  return page;
}

export const consoleErrors = (page: Page): string[] => (page as Page & { errors?: string[] }).errors ?? [];

/** Serious and critical accessibility violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 5)
          .join(' | ')}`,
    );
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });

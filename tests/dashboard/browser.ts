/**
 * Debian's chromium driven by playwright-core (never `npx playwright install`: this machine
 * reaches no browser download). Screenshots go to test-results/dashboard/, which CI keeps.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import { eventually } from '../support/eventually';

export const CHROMIUM = process.env.PHYSWATCH_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(__dirname, '../../test-results/dashboard');

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The locator's text once `check` accepts it (the page loads and refreshes on its own). */
export function textWhen(locator: Locator, what: string, check: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  return eventually(
    what,
    async () => {
      const text = (await locator.innerText({ timeout: 1000 })).replace(/\s+/g, ' ').trim();
      return check(text) ? text : undefined;
    },
    timeoutMs,
  ).catch(async (err) => {
    const last = await locator.innerText({ timeout: 500 }).catch(() => '(not on the page)');
    throw new Error(`${(err as Error).message}; last text: ${last.replace(/\s+/g, ' ').slice(0, 500)}`);
  });
}

/** Cells of each row of a table, as the user reads them. */
export async function tableRows(table: Locator): Promise<string[][]> {
  // Runs in the page; the tests' TypeScript has no DOM types, hence the loose element type.
  type Cell = { textContent: string | null };
  return table.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => Array.from((row as unknown as { querySelectorAll(s: string): Iterable<Cell> }).querySelectorAll('td')).map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
}

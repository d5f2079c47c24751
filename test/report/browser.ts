import { access } from 'node:fs/promises';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Debian's Chromium, driven by puppeteer-core. CI installs it (scripts/setup-host.sh
 * --for-tests), so a missing browser fails the test instead of skipping it.
 */
export const CHROMIUM = process.env.HVBENCH_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  await access(CHROMIUM).catch(() => {
    throw new Error(
      `${CHROMIUM} not found: the report page test needs Chromium (apt-get install chromium, or bash scripts/setup-host.sh --for-tests; HVBENCH_CHROMIUM names another binary)`,
    );
  });
  // As root, Chromium refuses to start without --no-sandbox.
  const root = process.getuid?.() === 0;
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...(root ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

export interface PageCheck {
  problems: string[];
  charts: { id: string; rendered: string | null; svg: boolean }[];
  text: string;
  pwned: unknown;
}

/** Opens a report page from disk, waits for every chart, and collects console errors and any network request. */
export async function checkPage(browser: Browser, file: string, screenshot: string): Promise<PageCheck> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`network request: ${r.url()}`);
  });
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-charts="done"]', { timeout: 60_000 });
  const charts = await page.$$eval('.chart', (els) =>
    els.map((e) => ({ id: e.id, rendered: e.getAttribute('data-rendered'), svg: e.querySelector('svg') !== null })),
  );
  const text = await page.evaluate(() => document.body.textContent);
  const pwned = await page.evaluate(() => (window as unknown as { __hvbPwned?: unknown }).__hvbPwned);
  await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
  await page.close();
  return { problems, charts, text, pwned };
}

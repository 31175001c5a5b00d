/**
 * The e2e tests' browser: the production build (apps/demo/dist, built by turbo before `test`)
 * served by the same server `pnpm start` uses, with or without the isolation headers, opened in
 * Debian's Chromium through playwright-core with the flags of tooling/vitest-config. Console
 * errors and page errors are collected for the "no console errors" checks.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath } from '@gated/vitest-config';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { serve } from '../../scripts/server.js';

export const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));
/**
 * Every wait is for a real event (never a fixed sleep) that bounded work in the page produces, so
 * none has a wall-clock limit (0 is Playwright's "no timeout"): on a loaded 2-core machine a limit
 * only turns slow into failed (docs/decisions/0021). Page errors are collected and checked.
 */
export const WAIT = 0;

export interface Session {
  readonly url: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught page errors so far. */
  readonly problems: string[];
  close(): Promise<void>;
}

export async function open(options: { isolated: boolean; width?: number; height?: number }): Promise<Session> {
  if (!existsSync(`${DIST}/index.html`))
    throw new Error(`${DIST} has no build: run "pnpm --filter @gated/demo build" (turbo builds it before the tests)`);
  if (!existsSync(chromiumPath))
    throw new Error(`the e2e tests need Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  await mkdir(SCREENSHOTS, { recursive: true });
  const { server, url } = await serve({ root: DIST, isolated: options.isolated });
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: WAIT });
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
      acceptDownloads: true,
    });
    // Clicks, navigations and selections too (Playwright's default is 30 s each).
    context.setDefaultTimeout(WAIT);
    context.setDefaultNavigationTimeout(WAIT);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const opened = browser;
    return {
      url,
      browser: opened,
      context,
      page,
      problems,
      async close() {
        await opened.close();
        await closeServer(server);
      },
    };
  } catch (error) {
    await browser?.close();
    await closeServer(server);
    throw error;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => {
      resolve();
    });
  });
}

/** Loads the page and waits until the worker has started every backend, loaded the pretrained model and sampled it. */
export async function load(page: Page, url: string, hash = ''): Promise<void> {
  await page.goto(`${url}${hash}`);
  await page.waitForSelector('[data-testid=status][data-ready=true]', { timeout: WAIT });
  // The text page opens with a first sample of the pretrained model.
  if (hash === '' || hash === '#/text') {
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=sample-output]')?.getAttribute('data-count')) >= 1,
      undefined,
      { timeout: WAIT },
    );
  }
}

/** Text shown in the page's error bar (empty when none). */
export async function pageErrors(page: Page): Promise<string> {
  const bar = page.locator('[data-testid=errors]');
  return (await bar.count()) > 0 ? ((await bar.textContent()) ?? '') : '';
}

export async function tab(page: Page, id: 'text' | 'inspect' | 'forecast' | 'backends'): Promise<void> {
  await page.click(`[data-testid=tab-${id}]`);
  await page.waitForSelector(`[data-testid=page-${id}]`, { state: 'visible', timeout: WAIT });
}

/** Backends the page lists as running here, in table order. */
export async function offeredBackends(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=backend-table] tr[data-available=true]', (rows) =>
    rows.map((r) => r.getAttribute('data-backend') ?? ''),
  );
}

/** Switches the running model to `name` on the backends page (a no-op when it already runs there). */
export async function useBackend(page: Page, name: string): Promise<void> {
  await tab(page, 'backends');
  const button = page.locator(`[data-testid=use-${name}]`);
  if ((await button.count()) > 0) await button.click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=status]')?.textContent.startsWith(`backend ${n}`) === true, name, {
    timeout: WAIT,
  });
}

/** Losses the training panel has shown so far. */
export async function losses(page: Page): Promise<number[]> {
  const raw = await page.getAttribute('[data-testid=train-stats]', 'data-losses');
  return (JSON.parse(raw ?? '[]') as (number | null)[]).filter((v): v is number => v !== null);
}

/**
 * Creates a new model on the current backend and trains it from scratch for at least `steps`
 * steps; returns the losses.
 */
export async function trainFromScratch(page: Page, steps: number, hidden = 64): Promise<number[]> {
  await tab(page, 'text');
  await page.selectOption('[data-testid=hidden-size]', String(hidden));
  await page.selectOption('[data-testid=layers]', '1');
  // Wait for a model other than the one shown now: the previous backend's new model also reads
  // "new, to train on", and its losses would satisfy the wait below until this one replaces it.
  const before = await page.getAttribute('[data-testid=model-card]', 'data-model-id');
  await page.click('[data-testid=new-model]');
  await page.waitForFunction(
    (id) => {
      const card = document.querySelector('[data-testid=model-card]');
      return card?.getAttribute('data-model-id') !== id && card?.textContent.includes('new, to train on') === true;
    },
    before,
    { timeout: WAIT },
  );
  await page.click('[data-testid=train]');
  await page.waitForFunction(
    (n) => (JSON.parse(document.querySelector('[data-testid=train-stats]')?.getAttribute('data-losses') ?? '[]') as unknown[]).length >= n,
    steps,
    { timeout: WAIT },
  );
  await page.click('[data-testid=pause]');
  await page.waitForSelector('[data-testid=train]', { timeout: WAIT });
  return losses(page);
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

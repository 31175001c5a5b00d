/**
 * The same build on a static host that cannot send COOP/COEP: the page is not cross-origin
 * isolated, so backend-wasm falls back to one thread. Everything still works.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SCREENSHOTS, WAIT, load, mean, offeredBackends, open, pageErrors, tab, trainFromScratch, type Session } from './harness.js';

let session: Session;
let page: Page;

beforeAll(async () => {
  session = await open({ isolated: false });
  page = session.page;
  await load(page, session.url);
});

afterAll(async () => {
  await session.close();
});

describe('the demo on a static host without isolation headers', () => {
  test('wasm runs on one thread and says why the threaded variant is not offered', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.textContent('[data-testid=status]')).toBe('backend wasm');
    await tab(page, 'backends');
    const offered = await offeredBackends(page);
    expect(offered).toEqual(expect.arrayContaining(['ts', 'wasm']));
    expect(offered.filter((b) => /^wasm-\d+t$/.test(b))).toEqual([]);
    expect(Number(await page.textContent('tr[data-backend=wasm] td'))).toBe(1);
    const threaded = page.locator('tr[data-backend^="wasm-"]');
    if ((await threaded.count()) > 0) {
      expect(await threaded.getAttribute('data-available')).toBe('false');
      expect(await threaded.textContent()).toMatch(/cross-origin-isolated/);
    }
    await page.screenshot({ path: `${SCREENSHOTS}/static-host-backends.png`, fullPage: true });
  });

  test('the pretrained model samples, and training from scratch makes the loss fall', async () => {
    await tab(page, 'text');
    // load() waited for the first sample, drawn when the page opened.
    expect(((await page.textContent('[data-testid=sample-output]')) ?? '').length).toBeGreaterThan(100);
    const values = await trainFromScratch(page, 30);
    expect(mean(values.slice(-5))).toBeLessThan(mean(values.slice(0, 5)) - 0.3);
  });

  test('the inspector shows its equations', async () => {
    await tab(page, 'inspect');
    await page.click('[data-testid=inspect]');
    await page.waitForSelector('[data-testid=step-equations]', { timeout: WAIT });
    expect(Number(await page.getAttribute('[data-testid=eq-h]', 'data-value'))).not.toBeNaN();
  });

  test('no console errors and no error in the page', async () => {
    expect(session.problems).toEqual([]);
    expect(await pageErrors(page)).toBe('');
  });
});

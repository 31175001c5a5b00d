/**
 * The production build served as `pnpm start` serves it (COOP/COEP: wasm threads), in headless
 * Chromium: every page, every offered backend, the inspector against an independent float64
 * reference, save/reload, download, forecasting, the benchmark, keyboard use, screenshots.
 */
import { readFile } from 'node:fs/promises';
import { parseSafetensors } from '@gated/lstm';
import { importOnnx } from '@gated/onnx';
import { dispose, tensor } from '@gated/tensor';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { referenceModel, type ReferenceModel } from '../reference/char-lstm-f64.js';
import { DEFAULT_TEXT } from '../../src/core/default-text.js';
import {
  SCREENSHOTS,
  WAIT,
  load,
  mean,
  offeredBackends,
  open,
  pageErrors,
  tab,
  trainFromScratch,
  useBackend,
  type Session,
} from './harness.js';
import { corpusWordShare } from './words.js';
import { useTs } from '../setup-ts.js';

let session: Session;
let page: Page;
let reference: ReferenceModel;
let startBackend = '';

beforeAll(async () => {
  reference = referenceModel(new Uint8Array(await readFile(new URL('../../model/pretrained.safetensors', import.meta.url))));
  session = await open({ isolated: true });
  page = session.page;
  await load(page, session.url);
  startBackend = ((await page.textContent('[data-testid=status]')) ?? '').replace(/^backend /, '').trim();
});

afterAll(async () => {
  await session.close();
});

async function sample(seed: number, length = 400): Promise<string> {
  await tab(page, 'text');
  await page.fill('[data-testid=seed]', String(seed));
  await page.fill('[data-testid=sample-length]', String(length));
  await page.fill('[data-testid=prompt]', 'ROMEO:\n');
  const count = Number(await page.getAttribute('[data-testid=sample-output]', 'data-count'));
  await page.click('[data-testid=sample]');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=sample-output]')?.getAttribute('data-count')) > n, count, {
    timeout: WAIT,
  });
  return (await page.textContent('[data-testid=sample-output]')) ?? '';
}

/** Reads the step equations for (layer, t, unit) and checks them against the float64 reference. */
async function checkStep(layer: number, t: number, unit: number): Promise<void> {
  await page.selectOption('[data-testid=layer]', String(layer));
  await page.fill('[data-testid=step]', String(t));
  await page.fill('[data-testid=unit]', String(unit));
  await page.waitForFunction(
    ([l, s, u]) => document.querySelector('#eq-title')?.textContent.includes(`layer ${l}, unit ${u}, step ${s} `) === true,
    [layer, t, unit],
    { timeout: WAIT },
  );
  const read = async (id: string) => Number(await page.getAttribute(`[data-testid=eq-${id}]`, 'data-value'));
  const want = reference.run(DEFAULT_TEXT).steps[layer]![t]![unit]!;
  const got = {
    zi: await read('zi'),
    zf: await read('zf'),
    zg: await read('zg'),
    zo: await read('zo'),
    i: await read('i'),
    f: await read('f'),
    g: await read('g'),
    o: await read('o'),
  };
  const tol = 1e-4;
  expect(Math.abs(got.zi - want.z.i)).toBeLessThan(tol);
  expect(Math.abs(got.zf - want.z.f)).toBeLessThan(tol);
  expect(Math.abs(got.zg - want.z.g)).toBeLessThan(tol);
  expect(Math.abs(got.zo - want.z.o)).toBeLessThan(tol);
  expect(Math.abs(got.i - want.gates.i)).toBeLessThan(tol);
  expect(Math.abs(got.f - want.gates.f)).toBeLessThan(tol);
  expect(Math.abs(got.g - want.gates.g)).toBeLessThan(tol);
  expect(Math.abs(got.o - want.gates.o)).toBeLessThan(tol);
  expect(Math.abs((await read('cprev')) - want.cPrev)).toBeLessThan(tol);
  expect(Math.abs((await read('c')) - want.c)).toBeLessThan(tol);
  expect(Math.abs((await read('h')) - want.h)).toBeLessThan(tol);
}

describe('the demo, cross-origin isolated (pnpm start)', () => {
  test('loads, starts every backend this browser offers, and shows none as broken', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await tab(page, 'backends');
    const offered = await offeredBackends(page);
    expect(offered).toContain('ts');
    expect(offered).toContain('wasm');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    if (cores > 1) expect(offered.some((b) => /^wasm-\d+t$/.test(b))).toBe(true);
    // The threaded wasm row says how many threads it really runs.
    const threaded = offered.find((b) => /^wasm-\d+t$/.test(b));
    if (threaded) expect(Number(await page.textContent(`tr[data-backend=${threaded}] td`))).toBe(Number(threaded.match(/\d+/)![0]));
    // WebGPU runs in this Chromium (on SwiftShader, a software adapter): offered, its adapter and limits named.
    expect(offered).toContain('webgpu');
    const webgpu = (await page.textContent('tr[data-backend=webgpu]')) ?? '';
    expect(webgpu).toMatch(/adapter: \S/);
    expect(webgpu).toMatch(/maxStorageBufferBindingSize: \d+/);
    expect(startBackend).toBe(threaded ?? 'wasm');
    expect(await pageErrors(page)).toBe('');
  });

  test('the pretrained model samples Shakespeare-like text at once', async () => {
    const text = await sample(3);
    expect(text.startsWith('ROMEO:\n')).toBe(true);
    const { share, count } = corpusWordShare(text.slice('ROMEO:\n'.length));
    expect(count).toBeGreaterThan(30);
    expect(share).toBeGreaterThan(0.7);
    const card = (await page.textContent('[data-testid=model-card]')) ?? '';
    expect(card).toMatch(/validation loss/);
    expect(card).toMatch(/seed/);
  });

  test('the inspector shows the activations a float64 reference computes in Node from the same weights, on every backend', async () => {
    const offered = await offeredBackends(page);
    for (const backend of offered) {
      await useBackend(page, backend);
      await tab(page, 'inspect');
      await page.fill('[data-testid=inspect-text]', DEFAULT_TEXT);
      const before = Number(await page.getAttribute('[data-testid=page-inspect]', 'data-inspections'));
      await page.click('[data-testid=inspect]');
      await page.waitForFunction(
        (n) => Number(document.querySelector('[data-testid=page-inspect]')?.getAttribute('data-inspections')) > n,
        before,
        { timeout: WAIT },
      );
      await page.waitForSelector('[data-testid=step-equations]', { timeout: WAIT });
      const T = Array.from(DEFAULT_TEXT).length;
      for (const [layer, t, unit] of [
        [0, 0, 0],
        [0, 17, 5],
        [reference.numLayers - 1, T - 1, reference.hiddenSize - 1],
        [reference.numLayers - 1, 40, 77],
      ] as const) {
        await checkStep(layer, t, unit);
      }
    }
    await useBackend(page, startBackend);
    await tab(page, 'inspect');
    // Feature ranking and saliency are computed in the page from the same trace.
    await page.waitForSelector('[data-testid=feature-ranking] button.chip', { timeout: WAIT });
    await page.waitForSelector('[data-testid=saliency-predicted]', { timeout: WAIT });
    const logits = reference.run(DEFAULT_TEXT).logits;
    let best = 0;
    for (let k = 1; k < logits.length; k++) if (logits[k]! > logits[best]!) best = k;
    expect(await page.textContent('[data-testid=saliency-predicted]')).toContain(JSON.stringify(Array.from(reference.chars)[best]));
  });

  test('the inspector works by keyboard: arrow keys move the selected step and unit', async () => {
    await tab(page, 'inspect');
    await page.fill('[data-testid=step]', '3');
    await page.fill('[data-testid=unit]', '2');
    await page.waitForFunction(() => document.querySelector('#eq-title')?.textContent.includes('unit 2, step 3 ') === true, undefined, {
      timeout: WAIT,
    });
    await page.focus('.heatmap canvas');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => document.querySelector('#eq-title')?.textContent.includes('unit 3, step 4 ') === true, undefined, {
      timeout: WAIT,
    });
    // The tabs follow the arrow keys too.
    await page.focus('[data-testid=tab-inspect]');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('[data-testid=page-forecast]', { state: 'visible', timeout: WAIT });
  });

  test('training from scratch makes the loss fall on every offered backend', async () => {
    for (const backend of await offeredBackends(page)) {
      await useBackend(page, backend);
      const values = await trainFromScratch(page, 30);
      expect(values.length, backend).toBeGreaterThanOrEqual(30);
      expect(values.every(Number.isFinite), backend).toBe(true);
      // ln(65) ≈ 4.17 at the start; 30 Adam steps bring it well below.
      expect(mean(values.slice(-5)), backend).toBeLessThan(mean(values.slice(0, 5)) - 0.3);
      expect(await page.textContent('[data-testid=train-samples]'), backend).not.toBe('');
      await tab(page, 'backends');
      expect(await page.textContent(`[data-testid=step-ms-${backend}]`), backend).toMatch(/ms$/);
    }
  });

  test('save in IndexedDB, reload, load: the same output', async () => {
    await useBackend(page, startBackend);
    const before = await sample(42, 120);
    await page.fill('[data-testid=save-name]', 'e2e');
    await page.click('[data-testid=save-idb]');
    await page.waitForSelector('[data-testid=load-e2e]', { timeout: WAIT });
    await load(page, session.url);
    await page.click('[data-testid=load-e2e]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=model-card]')?.textContent.includes('IndexedDB "e2e"') === true,
      undefined,
      { timeout: WAIT },
    );
    expect(await sample(42, 120)).toBe(before);
  });

  test('download gives a safetensors file with nn.LSTM names; uploading it loads the same model', async () => {
    await tab(page, 'text');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), page.click('text=Download .safetensors')]);
    const path = await download.path();
    const bytes = new Uint8Array(await readFile(path));
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata['format']).toBe('pt');
    expect([...tensors.keys()].sort()).toEqual(
      ['embed.weight', 'head.bias', 'head.weight', 'lstm.bias_hh_l0', 'lstm.bias_ih_l0', 'lstm.weight_hh_l0', 'lstm.weight_ih_l0'].sort(),
    );
    const before = await sample(5, 80);
    await page.click('[data-testid=load-pretrained]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=model-card]')?.textContent.includes('pretrained') === true,
      undefined,
      { timeout: WAIT },
    );
    await page.setInputFiles('[data-testid=upload]', path);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=model-card]')?.textContent.includes('loaded from') === true,
      undefined,
      { timeout: WAIT },
    );
    expect(await sample(5, 80)).toBe(before);
  });

  test('download .onnx: ONNX that @gated/onnx imports in Node computes the float64 reference logits of the pretrained model', async () => {
    await tab(page, 'text');
    await page.click('[data-testid=load-pretrained]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=model-card]')?.textContent.includes('pretrained (') === true,
      undefined,
      { timeout: WAIT },
    );
    const downloads: Download[] = [];
    const both = new Promise<void>((resolve) => {
      const onDownload = (d: Download) => {
        downloads.push(d);
        if (downloads.length === 2) {
          page.off('download', onDownload);
          resolve();
        }
      };
      page.on('download', onDownload);
    });
    await page.click('text=Download .onnx');
    await both;
    const byName = Object.fromEntries(downloads.map((d) => [d.suggestedFilename(), d]));
    const chars = JSON.parse(await readFile(await byName['gated-char-lstm.vocab.json']!.path(), 'utf8')) as string[];
    expect(chars.join('')).toBe(reference.chars);
    await useTs();
    const model = importOnnx(new Uint8Array(await readFile(await byName['gated-char-lstm.onnx']!.path())));
    const text = 'ROMEO:\nBut soft';
    const ids = Int32Array.from(text, (ch) => chars.indexOf(ch));
    const input = tensor(ids, { shape: [1, ids.length], dtype: 'int32' });
    const out = model.run({ input });
    const logits = (await out['output']!.data()) as Float32Array;
    dispose([input, ...Object.values(out)]);
    model.dispose();
    const want = reference.run(text).logits;
    const last = logits.subarray((ids.length - 1) * chars.length);
    for (let k = 0; k < chars.length; k++) expect(Math.abs(last[k]! - want[k]!)).toBeLessThan(1e-4);
  });

  test('the forecast renders against the held-out truth, with its error beside the seasonal-naive baseline', async () => {
    await tab(page, 'forecast');
    for (const series of ['synthetic', 'airline']) {
      await page.selectOption('[data-testid=series]', series);
      await page.fill('[data-testid=epochs]', '3');
      await page.click('[data-testid=forecast-run]');
      await page.waitForSelector('[data-testid=forecast-errors]', { timeout: WAIT });
      await page.waitForSelector('[data-testid=forecast-chart] canvas', { timeout: WAIT });
      const model = Number(await page.textContent('[data-testid=mae-model]'));
      const naive = Number(await page.textContent('[data-testid=mae-naive]'));
      expect(Number.isFinite(model) && model > 0, series).toBe(true);
      expect(Number.isFinite(naive) && naive > 0, series).toBe(true);
    }
  });

  test('benchmarks this machine on every backend, and shows the committed apps/bench results', async () => {
    await tab(page, 'backends');
    await page.waitForSelector('[data-testid=bench-results] table', { timeout: WAIT });
    await page.click('[data-testid=bench-run]');
    const offered = await offeredBackends(page);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=bench-rows] tbody tr').length === n, offered.length, {
      timeout: WAIT,
    });
    const cells = await page.$$eval('[data-testid=bench-rows] tbody td', (tds) => tds.map((td) => parseFloat(td.textContent)));
    expect(cells.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  });

  test('screenshots, desktop and 390 px wide; nothing overflows a phone screen', async () => {
    // A fresh page, as a visitor first sees it (the pretrained model), each tab once it has drawn.
    await load(page, session.url);
    for (const id of ['text', 'inspect', 'forecast', 'backends'] as const) {
      await tab(page, id);
      if (id === 'inspect') await page.waitForSelector('[data-testid=saliency-predicted]', { timeout: WAIT });
      if (id === 'forecast') {
        await page.selectOption('[data-testid=series]', 'airline');
        await page.click('[data-testid=forecast-run]');
        await page.waitForSelector('[data-testid=forecast-chart] canvas', { timeout: WAIT });
      }
      if (id === 'backends') await page.waitForSelector('[data-testid=bench-results] table', { timeout: WAIT });
      await page.screenshot({ path: `${SCREENSHOTS}/desktop-${id}.png`, fullPage: true });
    }
    const phone = await session.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const small = await phone.newPage();
      small.on('console', (m) => {
        if (m.type() === 'error') session.problems.push(`console (390 px): ${m.text()}`);
      });
      await load(small, session.url);
      for (const id of ['text', 'inspect', 'forecast', 'backends'] as const) {
        await small.click(`[data-testid=tab-${id}]`);
        await small.waitForSelector(`[data-testid=page-${id}]`, { state: 'visible', timeout: WAIT });
        if (id === 'inspect') await small.waitForSelector('[data-testid=step-equations]', { timeout: WAIT });
        expect(await small.evaluate(() => document.documentElement.scrollWidth), id).toBeLessThanOrEqual(390);
        await small.screenshot({ path: `${SCREENSHOTS}/phone-${id}.png`, fullPage: true });
      }
    } finally {
      await phone.close();
    }
  });

  test('no console errors and no error in the page during the whole session', async () => {
    expect(session.problems).toEqual([]);
    expect(await pageErrors(page)).toBe('');
  });
});

/**
 * First-load JavaScript ≤ 250 KB gzipped (the budget; wasm, weights and data aside):
 * the entry script of index.html, every chunk it imports statically, and the worker it starts
 * at once with everything the worker imports (its dynamic imports too: it loads every backend
 * package at start-up). The page's own dynamic imports (the bench results, loaded when the
 * Backends tab opens) are not first-load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { DIST } from './harness.js';

const BUDGET = 250 * 1024;

const Q = '["\'`]';

/** Static imports of a built module (`import … from "./x.js"`, `import "./x.js"`). */
function staticImports(code: string): string[] {
  return [...code.matchAll(new RegExp(`(?:^|[;\\s})])import\\s*(?:[\\w*{}\\s,$]+from\\s*)?${Q}([^"'\`]+\\.js)${Q}`, 'g'))].map(
    (m) => m[1]!,
  );
}

/** Dynamic imports, `import("./x.js")`. */
function dynamicImports(code: string): string[] {
  return [...code.matchAll(new RegExp(`import\\(\\s*${Q}([^"'\`]+\\.js)${Q}\\s*\\)`, 'g'))].map((m) => m[1]!);
}

/** Workers the module starts: Vite writes `new Worker(new URL(new URL("worker-….js", import.meta.url)…`. */
function workers(code: string): string[] {
  return [...code.matchAll(new RegExp(`new Worker\\((?:\\s*new URL\\()+\\s*${Q}([^"'\`]+\\.js)${Q}`, 'g'))].map((m) => m[1]!);
}

export function firstLoad(): Map<string, number> {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const entries = [
    ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  const sizes = new Map<string, number>();
  const visit = (path: string, inWorker: boolean) => {
    const file = join(DIST, path.replace(/^\.?\//, ''));
    if (sizes.has(file)) return;
    const code = readFileSync(file, 'utf8');
    sizes.set(file, gzipSync(code, { level: 9 }).length);
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
    const resolve = (dep: string) => (dep.startsWith('./') ? `${dir}${dep.slice(2)}` : dep.startsWith('/') ? dep.slice(1) : `${dir}${dep}`);
    for (const dep of staticImports(code)) visit(resolve(dep), inWorker);
    if (inWorker) for (const dep of dynamicImports(code)) visit(resolve(dep), true);
    for (const dep of workers(code)) visit(resolve(dep), true);
  };
  for (const entry of entries) visit(entry, false);
  return sizes;
}

describe('first-load JavaScript', () => {
  test('is at most 250 KB gzipped, the worker included', () => {
    const sizes = firstLoad();
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    // The walk found the page's entry and the worker.
    expect([...sizes.keys()].some((f) => /worker-[\w-]+\.js$/.test(f))).toBe(true);
    expect(total, [...sizes].map(([f, n]) => `${f}: ${(n / 1024).toFixed(1)} KB`).join('\n')).toBeLessThanOrEqual(BUDGET);
  });
});

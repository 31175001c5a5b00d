// One config factory for every package (the vercel/ai habit): tests read sibling packages through
// the `source` export condition, so nothing needs building first. With `browser: true` the same
// test files run a second time in headless Chromium (Debian's /usr/bin/chromium, driven by
// Playwright; Playwright's own browser download cannot work on these machines).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags verified on these machines (docs/toolchain.md): headless, no sandbox (CI runs as root), WebGPU on SwiftShader, quiet network. */
export const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const resolve = { conditions: ['source', 'module', 'browser', 'development|production'] };
const ssr = { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } };

/**
 * No wall-clock limit on tests and hooks (docs/decisions/0021): every test does bounded work, and
 * on a loaded 2-core machine a limit only turns slow into failed (a 120 s hook once ran 131 s). To
 * find a test that hangs, set GATED_TEST_TIMEOUT_MS (e.g. 600000): every test and hook then gets
 * that limit, and the report names the one that ran past it.
 */
function testTimeoutFromEnv() {
  const value = process.env.GATED_TEST_TIMEOUT_MS;
  if (value === undefined || value === '') return 0;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`GATED_TEST_TIMEOUT_MS must be a whole number of milliseconds, got "${value}"`);
  return ms;
}

/**
 * @param {{ browser?: boolean; include?: string[]; nodeOnly?: string[]; crossOriginIsolated?: boolean }} [options]
 */
export async function gatedVitest(options = {}) {
  // One layout everywhere: shipped code in src/, tests in test/.
  const include = options.include ?? ['test/**/*.test.ts'];
  const testTimeout = testTimeoutFromEnv();
  /** @type {import('vitest/config').TestProjectInlineConfiguration[]} */
  const projects = [{ extends: true, test: { name: 'node', environment: 'node', include } }];
  if (options.browser) {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `browser tests need Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH); .ci/run installs it`,
      );
    }
    const { playwright } = await import('@vitest/browser-playwright');
    projects.push({
      extends: true,
      test: {
        name: 'chromium',
        include,
        exclude: options.nodeOnly ?? [],
        browser: {
          enabled: true,
          headless: true,
          screenshotFailures: false,
          provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
          instances: [{ browser: 'chromium' }],
        },
      },
    });
  }
  // Cross-origin isolation (COOP + COEP) gives the test page SharedArrayBuffer, so backends with
  // worker threads run them in Chromium too.
  const server = options.crossOriginIsolated
    ? { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } }
    : {};
  // Each package keeps its own module cache: vitest 5 defaults to one directory at the workspace
  // root, which parallel turbo test tasks delete from under each other (ENOTEMPTY).
  const fsModuleCachePath = join(process.cwd(), 'node_modules', '.vitest-cache');
  // The conformance fuzz suite's settings reach browser tests too (they have no process.env).
  const provide = {
    gatedFuzz: {
      runs: process.env.GATED_FUZZ_RUNS ?? '',
      seed: process.env.GATED_FUZZ_SEED ?? '',
      trace: process.env.GATED_FUZZ_TRACE ?? '',
    },
  };
  return defineConfig({ resolve, ssr, server, test: { testTimeout, hookTimeout: testTimeout, fsModuleCachePath, provide, projects } });
}

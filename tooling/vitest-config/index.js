// One config factory for every package (the vercel/ai habit): tests read sibling packages through
// the `source` export condition, so nothing needs building first. With `browser: true` the same
// test files run a second time in headless Chromium (Debian's /usr/bin/chromium, driven by
// Playwright; Playwright's own browser download cannot work on these machines).
import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags verified in TOOLCHAIN.md: headless, no sandbox (CI runs as root), WebGPU on SwiftShader, quiet network. */
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
 * @param {{ browser?: boolean; include?: string[]; testTimeoutMs?: number }} [options]
 */
export async function gatedVitest(options = {}) {
  const include = options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'];
  const testTimeout = options.testTimeoutMs ?? 30_000;
  /** @type {import('vitest/config').TestProjectInlineConfiguration[]} */
  const projects = [
    { extends: true, test: { name: 'node', environment: 'node', include } },
  ];
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
  return defineConfig({ resolve, ssr, test: { testTimeout, hookTimeout: testTimeout, projects } });
}

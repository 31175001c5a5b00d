/**
 * Drives the browser runner: builds the page with Vite, serves it on 127.0.0.1 with the
 * cross-origin-isolation headers wasm threads need (COOP/COEP), opens it in Debian's Chromium
 * through playwright-core (headless, WebGPU enabled: the flags the browser tests use), and
 * returns what `window.gatedBench` measured.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath } from '@gated/vitest-config';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import type { CliOptions } from '../core/options.js';
import type { PageResult } from './page.js';
import { pageConfig } from './vite-config.js';

const DIST = fileURLToPath(new URL('../../dist/browser', import.meta.url));

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Serves `root` on 127.0.0.1 (a free port) with COOP/COEP so the page is cross-origin isolated. */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    void (async () => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
      let file = join(root, path);
      if (!file.startsWith(root)) file = join(root, 'index.html');
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      if (!existsSync(file)) {
        response.writeHead(404).end('not found');
        return;
      }
      response.writeHead(200, {
        'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cross-Origin-Resource-Policy': 'same-origin',
        'Cache-Control': 'no-store',
      });
      createReadStream(file).pipe(response);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no server address');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

export interface BrowserRun extends PageResult {
  readonly browserVersion: string;
}

export async function runBrowser(options: CliOptions, log: (line: string) => void): Promise<BrowserRun> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`the browser runner needs Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  }
  log('building the page (vite)…');
  await build(pageConfig());
  const { server, url } = await serve(DIST);
  const profile = await mkdtemp(join(tmpdir(), 'gated-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      log(`[browser] ${message.text()}`);
    });
    page.on('pageerror', (error) => {
      log(`[browser error] ${error.message}`);
    });
    await page.goto(url);
    await page.waitForFunction(() => typeof (window as { gatedBench?: unknown }).gatedBench === 'function', undefined, { timeout: 60_000 });
    const version = await page.evaluate(() => navigator.userAgent);
    const chrome = /(?:Headless)?Chrome\/([\d.]+)/.exec(version);
    const result = await page.evaluate((opts) => window.gatedBench(opts), {
      quick: options.quick,
      workloads: options.workloads,
      backends: options.backends,
    });
    return { ...result, browserVersion: `Chromium ${chrome?.[1] ?? '?'} (headless, ${chromiumPath})` };
  } finally {
    await context.close();
    server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

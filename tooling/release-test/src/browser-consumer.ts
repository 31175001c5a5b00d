/**
 * The documented programs in headless Chromium, from production bundles of the installed
 * packages (see bundles.ts), typechecked first with `moduleResolution: bundler`, `lib: ES2022 +
 * DOM` and `skipLibCheck: false`:
 *
 * - the README example on the TypeScript backend through Vite, esbuild and webpack, on the
 *   wasm backend through Vite, and on the WebGPU backend (SwiftShader in headless Chromium)
 *   through Vite and esbuild: what the README documents; the WebGPU bundles must hold no Node
 *   module (esbuild bundles for the browser platform and fails on one; see bundles.ts);
 * - the training program on the wasm backend with `numThreads: 2`, served with COOP/COEP (two
 *   threads run) and without (one thread, and exactly one console warning that names both headers).
 *
 * It also measures the first load of the README example per backend: every script and wasm file
 * the page fetched, gzipped.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromiumArgs, chromiumPath } from '@gated/vitest-config';
import { chromium, type Browser } from 'playwright-core';
import { CAPTURE_SOURCE, buildWithEsbuild, buildWithVite, buildWithWebpack, pageEntry } from './bundles.js';
import { onWasmBackend, onWebGpuBackend, outputMismatch, type DocumentedProgram } from './docs.js';
import { createProject, type ProjectOptions } from './projects.js';
import { serveStatic, type StaticServer } from './static-server.js';
import { check, dependencyFile, step } from './util.js';

const PACKAGES = [
  '@gated/tensor',
  '@gated/autograd',
  '@gated/backend-ts',
  '@gated/backend-wasm',
  '@gated/backend-webgpu',
  '@gated/lstm',
  '@gated/optim',
];

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    module: 'ESNext',
    moduleResolution: 'bundler',
    types: [],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  },
  include: ['*.ts'],
};

/** What one page did. */
interface PageRun {
  readonly printed: string;
  readonly info: Record<string, unknown> | null;
  readonly isolated: boolean;
  /** Console warnings that mention Gated. */
  readonly gatedWarnings: readonly string[];
  /** Gzipped bytes of every script and wasm file the page fetched from the server. */
  readonly firstLoadGzipBytes: number;
}

/**
 * No wall-clock limit (0 is Playwright's "no timeout"): the page runs bounded work, and on a loaded
 * 2-core machine a limit only turns slow into failed (docs/decisions/0021). A page that fails
 * reports it (`__gatedFailed`, or a page error raced below) instead of leaving the wait to time out.
 */
const PAGE_TIMEOUT_MS = 0;

async function runPage(browser: Browser, server: StaticServer, path: string): Promise<PageRun> {
  const page = await browser.newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  const fetched = new Set<string>();
  const gatedWarnings: string[] = [];
  page.on('request', (request) => {
    const file = server.fileOf(request.url());
    if (file && /\.(m?js|wasm)$/.test(file)) fetched.add(file);
  });
  page.on('console', (message) => {
    if (message.type() === 'warning' && message.text().includes('@gated')) gatedWarnings.push(message.text());
  });
  try {
    const pageError = new Promise<never>((_, reject) => {
      page.once('pageerror', (error) => {
        reject(new Error(`${path}: ${error.stack ?? error.message}`));
      });
    });
    // An error during page.goto() rejects before the race below listens: mark it handled here.
    pageError.catch(() => undefined);
    await page.goto(`${server.origin}${path}`);
    await Promise.race([
      pageError,
      page.waitForFunction(() => '__gatedDone' in globalThis || '__gatedFailed' in globalThis, undefined, { timeout: PAGE_TIMEOUT_MS }),
    ]);
    const state = await page.evaluate(() => ({
      failed: Reflect.get(globalThis, '__gatedFailed') as string | undefined,
      lines: Reflect.get(globalThis, '__gatedLines') as string[],
      done: Reflect.get(globalThis, '__gatedDone') as { info: Record<string, unknown> | null } | undefined,
      isolated: globalThis.crossOriginIsolated,
    }));
    if (state.failed !== undefined) throw new Error(`${path} failed:\n${state.failed}`);
    let firstLoadGzipBytes = 0;
    for (const file of fetched) firstLoadGzipBytes += gzipSync(await readFile(file), { level: 9 }).length;
    return { printed: state.lines.join('\n'), info: state.done?.info ?? null, isolated: state.isolated, gatedWarnings, firstLoadGzipBytes };
  } finally {
    await page.close();
  }
}

/** First-load gzipped bytes of the README example, per backend. */
export type FirstLoadSizes = Record<string, number>;

interface PageCheck {
  readonly label: string;
  readonly path: string;
  readonly program: DocumentedProgram;
  readonly expect: (run: PageRun) => string | null;
  readonly sizeKey?: string;
}

const noGatedWarning = (run: PageRun): string | null =>
  run.gatedWarnings.length === 0 ? null : `unexpected warnings:\n${run.gatedWarnings.join('\n')}`;

/** The wasm backend ran the page, on one thread, and said nothing. */
const oneWasmThread = (run: PageRun): string | null =>
  typeof run.info?.simd === 'string' && run.info.threads === 1
    ? noGatedWarning(run)
    : `expected the wasm backend on one thread, info is ${JSON.stringify(run.info)}`;

/** The webgpu backend ran the page: its info names an adapter and the limits in use. */
const onWebGpu = (run: PageRun): string | null =>
  typeof run.info?.adapter === 'string' && typeof run.info.maxStorageBufferBindingSize === 'number'
    ? noGatedWarning(run)
    : `expected the webgpu backend, info is ${JSON.stringify(run.info)}`;

export async function browserConsumer(
  dir: string,
  version: string,
  readme: DocumentedProgram,
  training: DocumentedProgram,
  options: ProjectOptions,
): Promise<FirstLoadSizes> {
  await createProject(dir, PACKAGES, version, options);
  const entries: Record<string, string> = {
    'readme-ts': pageEntry(readme.code),
    'readme-wasm': pageEntry(onWasmBackend(readme.code, 1)),
    'train-wasm': pageEntry(onWasmBackend(training.code, 2)),
    'readme-webgpu': pageEntry(onWebGpuBackend(readme.code)),
  };
  await writeFile(join(dir, 'capture.ts'), CAPTURE_SOURCE);
  for (const [name, code] of Object.entries(entries)) await writeFile(join(dir, `${name}.ts`), code);
  await writeFile(join(dir, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  await check(
    'tsc (moduleResolution bundler, lib ES2022 + DOM, skipLibCheck false)',
    process.execPath,
    [dependencyFile('typescript', 'bin/tsc'), '-p', '.'],
    { cwd: dir },
  );
  step('  ✓ tsc with moduleResolution bundler, lib ES2022 + DOM, skipLibCheck false');

  await buildWithVite(dir, Object.keys(entries));
  // A bundler's warning is a failure, reported with the pages' results (each page still runs).
  const problems = [
    ...(await buildWithEsbuild(dir, 'readme-ts')),
    ...(await buildWithEsbuild(dir, 'readme-webgpu')),
    ...(await buildWithWebpack(dir, 'readme-ts')),
  ];
  step(`  production bundles built: Vite (${Object.keys(entries).length} pages), esbuild (2), webpack 5`);

  const checks: PageCheck[] = [
    {
      label: 'README example, ts backend, Vite',
      path: '/plain/dist-vite/readme-ts.html',
      program: readme,
      expect: noGatedWarning,
      sizeKey: 'README example on @gated/backend-ts',
    },
    {
      label: 'README example, wasm backend, Vite',
      path: '/plain/dist-vite/readme-wasm.html',
      program: readme,
      expect: oneWasmThread,
      sizeKey: 'README example on @gated/backend-wasm',
    },
    {
      label: 'README example, webgpu backend (SwiftShader), Vite',
      path: '/plain/dist-vite/readme-webgpu.html',
      program: readme,
      expect: onWebGpu,
      sizeKey: 'README example on @gated/backend-webgpu',
    },
    {
      label: 'README example, webgpu backend (SwiftShader), esbuild',
      path: '/plain/dist-esbuild/readme-webgpu.html',
      program: readme,
      expect: onWebGpu,
    },
    { label: 'README example, ts backend, esbuild', path: '/plain/dist-esbuild/readme-ts.html', program: readme, expect: noGatedWarning },
    { label: 'README example, ts backend, webpack 5', path: '/plain/dist-webpack/readme-ts.html', program: readme, expect: noGatedWarning },
    {
      label: 'LSTM training, wasm backend, 2 threads, cross-origin isolated, Vite',
      path: '/isolated/dist-vite/train-wasm.html',
      program: training,
      expect: (run) => {
        if (!run.isolated) return 'the page is not cross-origin isolated (COOP/COEP headers missing?)';
        if (run.info?.threads !== 2) return `expected 2 threads, info is ${JSON.stringify(run.info)}`;
        return noGatedWarning(run);
      },
    },
    {
      label: 'LSTM training, wasm backend, 2 threads asked for, no isolation, Vite',
      path: '/plain/dist-vite/train-wasm.html',
      program: training,
      expect: (run) => {
        if (run.info?.threads !== 1 || !String(run.info.threadsFallback).includes('cross-origin isolated')) {
          return `expected one thread with the isolation reason, info is ${JSON.stringify(run.info)}`;
        }
        const [warning, ...more] = run.gatedWarnings;
        if (warning === undefined || more.length > 0) return `expected exactly one console warning, got ${run.gatedWarnings.length}`;
        for (const header of ['Cross-Origin-Opener-Policy: same-origin', 'Cross-Origin-Embedder-Policy: require-corp']) {
          if (!warning.includes(header)) return `the warning does not name ${header}: ${warning}`;
        }
        return null;
      },
    },
  ];

  const server = await serveStatic(dir);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: PAGE_TIMEOUT_MS });
  const sizes: FirstLoadSizes = {};
  try {
    for (const pageCheck of checks) {
      try {
        const result = await runPage(browser, server, pageCheck.path);
        const problem = outputMismatch(result.printed, pageCheck.program.expected) ?? pageCheck.expect(result);
        if (problem) problems.push(`${pageCheck.label}: ${problem}`);
        else step(`  ✓ ${pageCheck.label}`);
        if (pageCheck.sizeKey) sizes[pageCheck.sizeKey] = result.firstLoadGzipBytes;
      } catch (error) {
        problems.push(`${pageCheck.label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (problems.length > 0) throw new Error(`browser consumer:\n${problems.join('\n\n')}`);
  return sizes;
}

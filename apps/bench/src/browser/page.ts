/**
 * The browser runner's page: the same harness as Node (src/core), on Gated's backends as the
 * browser loads them (ts, wasm with 1 and N threads in a cross-origin-isolated page, webgpu when
 * the package exists) and TF.js's cpu, wasm and webgpu backends, plus brain.js. The driver
 * (run-browser.ts) calls `window.gatedBench(options)` and collects the rows.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import tfWasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import brainModule from 'brain.js';
import { loaders } from 'virtual:gated-backends';
import { BrainTarget, type BrainModule } from '../core/brain.js';
import { discoverGatedBackends } from '../core/discover.js';
import { backendSelected } from '../core/options.js';
import { FULL_BUDGET, QUICK_BUDGET, runBench } from '../core/runner.js';
import { FULL_METHOD, QUICK_METHOD, type Target } from '../core/target.js';
import { TfjsTarget } from '../core/tfjs.js';
import { countWebGpuDispatches, describeAdapterInfo } from '../core/webgpu.js';
import type { Row, Skip } from '../core/types.js';
import { allSpecs, selectSpecs, wantsGpuWorkloads } from '../core/workloads.js';

export interface PageOptions {
  readonly quick: boolean;
  readonly workloads: string[];
  readonly backends: string[];
}

export interface PageResult {
  readonly rows: Row[];
  readonly skipped: Skip[];
  readonly userAgent: string;
  readonly crossOriginIsolated: boolean;
  readonly gpuAdapter: string | null;
}

declare global {
  interface Window {
    gatedBench: (options: PageOptions) => Promise<PageResult>;
  }
}

const logElement = document.getElementById('log');
function log(line: string): void {
  // The driver forwards the page's console to the terminal.
  // eslint-disable-next-line no-console
  console.log(line);
  if (logElement) logElement.textContent += `${line}\n`;
}

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/** The WebGPU adapter, described; null without WebGPU. */
async function describeAdapter(): Promise<string | null> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfo } | null> } }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter();
  if (!adapter) return null;
  return describeAdapterInfo(adapter.info ?? {});
}

window.gatedBench = async (options: PageOptions): Promise<PageResult> => {
  const threads = Math.max(1, navigator.hardwareConcurrency || 1);
  const unavailable: Skip[] = [];
  const gone = (backend: string, reason: string) => {
    if (backendSelected(backend, options.backends)) unavailable.push({ workload: 'all', backend, env: 'browser', reason });
  };
  const gpuAdapter = await describeAdapter();
  log(`browser: ${navigator.userAgent}; crossOriginIsolated ${String(crossOriginIsolated)}; WebGPU: ${gpuAdapter ?? 'none'}`);

  const discovery = await discoverGatedBackends(loaders, threads);
  for (const u of discovery.unavailable) gone(u.backend, u.reason);
  const reference = discovery.targets.find((t) => t.name === 'ts');
  if (!reference) throw new Error('backend-ts is required: it is the reference every output is checked against');
  for (const t of discovery.targets) {
    if (t.name.startsWith('webgpu') && gpuAdapter) {
      t.note = `WebGPU adapter: ${gpuAdapter}`;
      t.software = gpuAdapter.includes('software rasterizer');
    }
  }
  const targets: Target[] = discovery.targets.filter((t) => t === reference || backendSelected(t.name, options.backends));
  log(`gated backends: ${discovery.targets.map((t) => `${t.name} (${t.threads} thread${t.threads > 1 ? 's' : ''})`).join(', ')}`);

  setWasmPaths({
    'tfjs-backend-wasm.wasm': tfWasmUrl,
    'tfjs-backend-wasm-simd.wasm': tfSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': tfThreadedUrl,
  });
  // TF.js defaults to half the cores; give it all of them, as Gated's wasm-<N>t has.
  setThreadsCount(threads);
  const tfThreads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  log(`TF.js wasm: multithread support ${String(tfThreads)}`);
  for (const backend of ['cpu', 'wasm', 'webgpu']) {
    const target = new TfjsTarget({
      tf,
      backend,
      ...(backend === 'wasm' ? { threads: () => getThreadsCount() } : {}),
      ...(backend === 'webgpu' && gpuAdapter ? { note: () => `WebGPU adapter: ${gpuAdapter}` } : {}),
      ...(backend === 'webgpu'
        ? { dispatches: countWebGpuDispatches((globalThis as { GPUComputePassEncoder?: unknown }).GPUComputePassEncoder) }
        : {}),
    });
    if (!backendSelected(target.name, options.backends)) continue;
    if (backend === 'webgpu') target.software = gpuAdapter?.includes('software rasterizer') ?? false;
    const problem = backend === 'webgpu' && !gpuAdapter ? 'this browser has no WebGPU adapter' : await target.init();
    if (problem === null) targets.push(target);
    else gone(target.name, problem);
  }
  if (backendSelected('brainjs', options.backends)) {
    const brain = brainModule as unknown as { default?: BrainModule } & BrainModule;
    targets.push(new BrainTarget(brain.default ?? brain));
  }
  for (const u of unavailable) log(`  ${u.backend}: not measured: ${u.reason}`);

  const specs = selectSpecs(allSpecs(options.quick, wantsGpuWorkloads(options.workloads)), options.workloads);
  const { rows, skipped } = await runBench({
    specs,
    targets,
    reference,
    method: options.quick ? QUICK_METHOD : FULL_METHOD,
    budget: options.quick ? QUICK_BUDGET : FULL_BUDGET,
    env: 'browser',
    log,
  });
  for (const t of targets) await t.close?.();
  return {
    rows: rows.filter((r) => r.backend !== 'ts' || backendSelected('ts', options.backends)),
    skipped: [...unavailable, ...skipped],
    userAgent: navigator.userAgent,
    crossOriginIsolated,
    gpuAdapter,
  };
};

log('ready');

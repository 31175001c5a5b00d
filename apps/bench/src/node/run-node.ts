/**
 * The Node run: Gated's backends from the registry, TF.js (cpu, wasm), onnxruntime-node, brain.js
 * and PyTorch (a Python worker), every spec of the run, one result.
 */
import { availableParallelism } from 'node:os';
import { BrainTarget, type BrainModule } from '../core/brain.js';
import { DEFAULT_TOLERANCE, GRAD_TOLERANCE } from '../core/check.js';
import { discoverGatedBackends } from '../core/discover.js';
import { backendSelected, type CliOptions } from '../core/options.js';
import { FULL_BUDGET, QUICK_BUDGET, runBench } from '../core/runner.js';
import { FULL_METHOD, QUICK_METHOD, type Target } from '../core/target.js';
import { TfjsTarget } from '../core/tfjs.js';
import { countWebGpuDispatches, describeAdapterInfo, isSoftwareAdapter } from '../core/webgpu.js';
import type { WebGpuBackendInfo } from '@gated/backend-webgpu';
import type { BenchResult, Skip } from '../core/types.js';
import { allSpecs, selectSpecs, wantsGpuWorkloads } from '../core/workloads.js';
import { nodeLoaders } from './backends.js';
import { describeMachine } from './machine.js';
import { OnnxTarget } from './onnx.js';
import { TorchTarget, TorchWorker, type TorchInfo } from './torch.js';

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/**
 * TF.js's webgpu backend in Node: it needs `navigator.gpu` and the WebGPU globals, which Node does
 * not have. Dawn provides both (the `webgpu` package, the same GPU object Gated's webgpu backend
 * uses); the dispatches are counted by wrapping Dawn's pass encoder. Resolves to why it cannot
 * run, or null once the target is added.
 */
async function addTfjsWebGpu(targets: Target[]): Promise<string | null> {
  try {
    const { nodeGpu } = (await import('@gated/backend-webgpu')) as { nodeGpu?: () => Promise<GPU> };
    if (!nodeGpu) return '@gated/backend-webgpu resolved to its browser entry: no Dawn GPU object to share';
    const gpu = await nodeGpu();
    const dawn = (await import('webgpu')) as unknown as { globals: Record<string, unknown> };
    const scope = globalThis as Record<string, unknown>;
    for (const [name, value] of Object.entries(dawn.globals)) if (!(name in scope)) scope[name] = value;
    scope['navigator'] ??= {};
    Object.defineProperty(scope['navigator'], 'gpu', { value: gpu, configurable: true });
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'Dawn found no WebGPU adapter';
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu');
    const description = describeAdapterInfo(adapter.info);
    const target = new TfjsTarget({
      tf,
      backend: 'webgpu',
      note: () => `WebGPU adapter (Dawn, shared with Gated's webgpu): ${description}`,
      dispatches: countWebGpuDispatches(dawn.globals['GPUComputePassEncoder']),
    });
    target.software = isSoftwareAdapter({ ...adapter.info, fallback: adapter.info.isFallbackAdapter });
    const problem = await target.init();
    if (problem === null) targets.push(target);
    return problem;
  } catch (error) {
    return `TF.js webgpu on Dawn failed to start: ${message(error)}`;
  }
}

export async function runNode(options: CliOptions, log: (line: string) => void, command: string): Promise<BenchResult> {
  const started = performance.now();
  const threads = availableParallelism();
  const unavailable: Skip[] = [];
  const gone = (backend: string, reason: string) => {
    if (backendSelected(backend, options.backends)) unavailable.push({ workload: 'all', backend, env: 'node', reason });
  };

  log(`gated bench (node ${process.version}, ${threads} cores)${options.quick ? ', quick' : ''}`);
  const discovery = await discoverGatedBackends(nodeLoaders(), threads);
  for (const u of discovery.unavailable) gone(u.backend, u.reason);
  const reference = discovery.targets.find((t) => t.name === 'ts');
  if (!reference) throw new Error('backend-ts is required: it is the reference every output is checked against');
  const targets: Target[] = discovery.targets.filter((t) => t === reference || backendSelected(t.name, options.backends));
  log(`gated backends: ${discovery.targets.map((t) => `${t.name} (${t.threads} thread${t.threads > 1 ? 's' : ''})`).join(', ')}`);
  for (const t of discovery.targets) {
    const backend = await t.init();
    if (t.name.startsWith('webgpu')) {
      const info = backend.info as WebGpuBackendInfo;
      const adapter = { vendor: info.vendor, architecture: info.architecture, description: info.adapter, fallback: info.fallbackAdapter };
      t.note = `WebGPU adapter: ${describeAdapterInfo(adapter)}`;
      t.software = isSoftwareAdapter(adapter);
    }
  }

  // Peers.
  const wantTf = ['tfjs-cpu', 'tfjs-wasm'].some((n) => backendSelected(n, options.backends));
  if (wantTf) {
    try {
      const tf = await import('@tensorflow/tfjs');
      await import('@tensorflow/tfjs-backend-wasm');
      for (const backend of ['cpu', 'wasm']) {
        const target = new TfjsTarget({
          tf,
          backend,
          ...(backend === 'wasm'
            ? { note: () => 'TF.js wasm runs single-threaded in Node (its threaded build needs browser workers)' }
            : {}),
        });
        if (!backendSelected(target.name, options.backends)) continue;
        const problem = await target.init();
        if (problem === null) targets.push(target);
        else gone(target.name, problem);
      }
    } catch (error) {
      gone('tfjs-cpu', `@tensorflow/tfjs failed to load: ${message(error)}`);
    }
  }
  if (backendSelected('tfjs-webgpu', options.backends)) {
    const problem = await addTfjsWebGpu(targets);
    if (problem !== null) gone('tfjs-webgpu', problem);
  }

  const onnxNames = ['onnxruntime', 'onnxruntime-1t'].filter((n) => backendSelected(n, options.backends));
  if (onnxNames.length > 0) {
    try {
      const ort = await import('onnxruntime-node');
      for (const n of onnxNames) targets.push(new OnnxTarget(ort, n, n === 'onnxruntime' ? threads : 1));
    } catch (error) {
      for (const n of onnxNames) gone(n, `onnxruntime-node failed to load: ${message(error)}`);
    }
  }
  if (backendSelected('brainjs', options.backends)) {
    try {
      const brain = (await import('brain.js')) as unknown as { default?: BrainModule } & BrainModule;
      targets.push(new BrainTarget(brain.default ?? brain));
    } catch (error) {
      gone('brainjs', `brain.js failed to load: ${message(error)}`);
    }
  }
  let torchWorker: TorchWorker | null = null;
  let torchInfo: TorchInfo | null = null;
  const torchNames = [`torch`, 'torch-1t', 'torch-cuda'].filter((n) => backendSelected(n, options.backends));
  if (torchNames.length > 0) {
    torchWorker = new TorchWorker();
    const started = await torchWorker.start();
    if (typeof started === 'string') {
      for (const n of torchNames) gone(n, `PyTorch unavailable: ${started}`);
      await torchWorker.close();
      torchWorker = null;
    } else {
      torchInfo = started;
      log(`pytorch ${started.torch} (${started.blas}) via ${process.env['GATED_BENCH_PYTHON'] ?? '/usr/bin/python3'}`);
      for (const n of torchNames) {
        if (n === 'torch-cuda') {
          if (started.cuda === null) {
            gone(n, 'this PyTorch sees no CUDA GPU');
            continue;
          }
          const target = new TorchTarget(n, 1, torchWorker, 'cuda');
          target.note = `cuDNN RNNs on ${started.cuda}, float32 (TF32 off)`;
          targets.push(target);
          continue;
        }
        const target = new TorchTarget(n, n === 'torch' ? threads : 1, torchWorker);
        if (started.blas.startsWith('reference BLAS')) target.note = `slow reference BLAS: ${started.blas}`;
        targets.push(target);
      }
    }
  }
  for (const u of unavailable) log(`  ${u.backend}: not measured: ${u.reason}`);

  const specs = selectSpecs(allSpecs(options.quick, wantsGpuWorkloads(options.workloads)), options.workloads);
  if (specs.length === 0) throw new Error(`no workload matches ${options.workloads.join(', ')}`);
  const method = options.quick ? QUICK_METHOD : FULL_METHOD;
  try {
    const { rows, skipped } = await runBench({
      specs,
      targets,
      reference,
      method,
      budget: options.quick ? QUICK_BUDGET : FULL_BUDGET,
      env: 'node',
      log,
    });
    return {
      schemaVersion: 1,
      createdAt: new Date().toISOString(),
      quick: options.quick,
      command,
      machine: describeMachine(torchInfo ? { torch: `${torchInfo.torch} (${torchInfo.blas}, Python ${torchInfo.python})` } : {}),
      method: { ...method, tolerance: DEFAULT_TOLERANCE, gradTolerance: GRAD_TOLERANCE },
      rows: rows.filter((r) => r.backend !== 'ts' || backendSelected('ts', options.backends)),
      skipped: [...unavailable, ...skipped],
      durationS: (performance.now() - started) / 1000,
    };
  } finally {
    await torchWorker?.close();
    for (const t of targets) await t.close?.();
  }
}

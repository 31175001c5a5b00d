/**
 * Compiled compute pipelines, one per generated shader (keyed by everything that changes its
 * code: op, dtypes, rank, tile sizes). Each pipeline gets an explicit bind-group layout from the
 * kernel's binding list, so bindings a shader happens not to use still line up. Compilation runs
 * inside a validation error scope; a shader that fails is reported once, asynchronously, as a
 * GatedError naming the kernel and the compiler's message (see `Failures`).
 */
import { SHADER_STAGE_COMPUTE } from './flags.js';
import { GatedError } from '@gated/backend-api';

/**
 * How a kernel binds each slot of group 0, in binding order: a uniform block, a uniform block at
 * a dynamic offset (per-step values of the sequence kernels), read-only storage, or storage.
 */
export type BindingKind = 'uniform' | 'uniform-dynamic' | 'read' | 'write';

/** A generated kernel: its cache key, bindings and (lazily) its WGSL. */
export interface KernelSource {
  readonly key: string;
  readonly bindings: readonly BindingKind[];
  /** The WGSL, generated only when the key is not cached yet. */
  readonly code: () => string;
}

export interface Pipeline {
  readonly key: string;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

function layoutEntry(kind: BindingKind, binding: number): GPUBindGroupLayoutEntry {
  const visibility = SHADER_STAGE_COMPUTE;
  switch (kind) {
    case 'uniform':
      return { binding, visibility, buffer: { type: 'uniform' } };
    case 'uniform-dynamic':
      return { binding, visibility, buffer: { type: 'uniform', hasDynamicOffset: true } };
    case 'read':
      return { binding, visibility, buffer: { type: 'read-only-storage' } };
    default:
      return { binding, visibility, buffer: { type: 'storage' } };
  }
}

export class PipelineCache {
  private readonly cache = new Map<string, Pipeline>();

  constructor(
    private readonly device: GPUDevice,
    /** Called (once per broken kernel) when compilation fails. */
    private readonly onFailure: (error: GatedError) => void,
    /** Receives the compilation's error-scope result, so that `sync` can wait for it. */
    private readonly watch: (check: Promise<unknown>) => void,
  ) {}

  get size(): number {
    return this.cache.size;
  }

  /** The pipeline for `source`, compiled on first use. `op` names the backend method for errors. */
  get(op: string, source: KernelSource): Pipeline {
    const cached = this.cache.get(source.key);
    if (cached) return cached;
    const device = this.device;
    const code = source.code();
    device.pushErrorScope('validation');
    const layout = device.createBindGroupLayout({ entries: source.bindings.map((kind, i) => layoutEntry(kind, i)) });
    const module = device.createShaderModule({ code, label: source.key });
    const pipeline = device.createComputePipeline({
      label: source.key,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    this.watch(
      device.popErrorScope().then(async (error) => {
        if (!error) return;
        let detail = error.message;
        try {
          const info = await module.getCompilationInfo();
          const messages = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
          if (messages.length > 0) detail = messages.join('; ');
        } catch {
          // The scope's message is enough.
        }
        this.onFailure(new GatedError(op, `the WebGPU kernel ${source.key} failed to compile: ${detail}`));
      }),
    );
    const entry = { key: source.key, pipeline, layout };
    this.cache.set(source.key, entry);
    return entry;
  }
}

/**
 * The state one backend instance runs on: the device and its limits, the buffer pools, the
 * command recorder, the pipeline cache, the counters, the live-buffer set behind `memory()`, and
 * the failure state. Kernels receive the context and use its few primitives: `output` to allocate
 * a result, `bind` to bind a buffer, `run` to record one dispatch.
 */
import { BufferUsage, MAP_MODE_READ } from './flags.js';
import { GatedError, allocArray, type DType, type TypedArray } from '@gated/backend-api';
import { WebGpuBuffer } from './buffer.js';
import { BufferPool } from './buffer-pool.js';
import { Failures } from './failures.js';
import { PipelineCache, type KernelSource, type Pipeline } from './pipelines.js';
import { Recorder, grid, type BindRange, type Counters } from './recorder.js';

const DATA_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
const STAGING_USAGE = BufferUsage.MAP_READ | BufferUsage.COPY_DST;
/** Bytes between two steps' slots in the step table (the dynamic-offset alignment WebGPU guarantees). */
export const STEP_SLOT = 256;

/** The device limits the kernels plan with. */
export interface KernelLimits {
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxStorageBuffersPerShaderStage: number;
}

export interface ContextOptions {
  readonly maxPendingDispatches: number;
  readonly poolLimitBytes: number;
  readonly sequenceSchedule: 'auto' | 'persistent' | 'per-step';
}

export class GpuContext {
  readonly failures = new Failures();
  readonly counters: Counters = { dispatches: 0, submits: 0, kernels: 0, bytesUp: 0, bytesDown: 0 };
  readonly limits: KernelLimits;
  readonly recorder: Recorder;
  readonly pipelines: PipelineCache;
  private readonly pool: BufferPool;
  private readonly staging: BufferPool;
  private readonly live = new Set<WebGpuBuffer>();
  private readonly steps: GPUBuffer[] = [];
  private liveBytes = 0;
  /** Named while a call allocates, so an asynchronous out-of-memory error can name it. */
  private op = 'alloc';

  constructor(
    readonly device: GPUDevice,
    readonly options: ContextOptions,
  ) {
    const l = device.limits;
    this.limits = {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    };
    const failures = this.failures;
    this.recorder = new Recorder(device, this.counters, options.maxPendingDispatches, (validation) => {
      failures.watch(
        validation.then((error) => {
          if (error) failures.fail(new GatedError('webgpu', `the device refused recorded work: ${error.message}`));
        }),
      );
    });
    this.pipelines = new PipelineCache(
      device,
      (error) => {
        failures.fail(error, true);
      },
      (check) => {
        failures.watch(check);
      },
    );
    this.pool = new BufferPool((bytes) => this.createBuffer(bytes, DATA_USAGE), options.poolLimitBytes);
    this.staging = new BufferPool((bytes) => this.createBuffer(bytes, STAGING_USAGE), 64 * 1024 * 1024);
  }

  // ---- storage -------------------------------------------------------------------------------

  /**
   * A new buffer of `size` elements owned by the caller. Throws a GatedError naming `op` when it
   * cannot exist on this device (over `maxBufferSize`) or cannot be bound by a kernel (over
   * `maxStorageBufferBindingSize`), before anything is allocated.
   */
  output(op: string, dtype: DType, size: number): WebGpuBuffer {
    const bytes = dtype === 'bool' ? size : size * 4;
    this.checkBytes(op, bytes);
    this.op = op;
    const gpu = this.pool.acquire(Math.max(4, Math.ceil(bytes / 4) * 4));
    const buffer = new WebGpuBuffer(dtype, size, gpu);
    this.live.add(buffer);
    this.liveBytes += buffer.bytes;
    return buffer;
  }

  /** Throws unless a buffer of `bytes` can be created and bound on this device. */
  checkBytes(op: string, bytes: number): void {
    const { maxBufferSize, maxStorageBufferBindingSize } = this.limits;
    if (bytes > maxBufferSize) {
      throw new GatedError(op, `needs a buffer of ${bytes} bytes, over this device's maxBufferSize of ${maxBufferSize} bytes`);
    }
    if (bytes > maxStorageBufferBindingSize) {
      throw new GatedError(
        op,
        `needs to bind ${bytes} bytes at once, over this device's maxStorageBufferBindingSize of ${maxStorageBufferBindingSize} bytes`,
      );
    }
  }

  /** Frees a buffer: its GPU memory goes back to the pool (nothing to free once the device is lost). */
  release(buffer: WebGpuBuffer): void {
    if (!this.live.delete(buffer)) return;
    this.liveBytes -= buffer.bytes;
    if (this.failures.lost === null && !this.failures.disposed) this.pool.release(buffer.gpu);
  }

  /** Copies host values in at element `offset`, ordered after every kernel called before. */
  write(
    buffer: WebGpuBuffer,
    values: TypedArray,
    offset: number,
    splice: (target: WebGpuBuffer, bytes: Uint8Array, offset: number) => void,
  ): void {
    this.failures.check('write');
    if (values.length === 0) return;
    this.counters.bytesUp += values.byteLength;
    if (buffer.dtype !== 'bool') {
      this.recorder.beforeHostWrite();
      this.device.queue.writeBuffer(buffer.gpu, offset * 4, values.buffer, values.byteOffset, values.byteLength);
      return;
    }
    // bool: one byte per element, normalised to 0/1. queue writes need whole words: a run that
    // starts on a word and ends on one (or at the end of the buffer, whose padding is free) is
    // written directly; any other is spliced into its words by a kernel.
    const end = offset + values.length;
    const aligned = offset % 4 === 0 && (end % 4 === 0 || end === buffer.size);
    const bytes = new Uint8Array(aligned ? Math.ceil(values.length / 4) * 4 : values.length);
    for (let i = 0; i < values.length; i++) bytes[i] = values[i] !== 0 ? 1 : 0;
    if (aligned) {
      this.recorder.beforeHostWrite();
      this.device.queue.writeBuffer(buffer.gpu, offset, bytes);
    } else {
      splice(buffer, bytes, offset);
    }
  }

  /** Uploads `bytes` into a temporary buffer (the caller releases it after recording its use). */
  upload(op: string, bytes: Uint8Array): WebGpuBuffer {
    const temporary = this.output(op, 'bool', Math.ceil(bytes.length / 4) * 4);
    const padded = new Uint8Array(temporary.size);
    padded.set(bytes);
    this.recorder.beforeHostWrite();
    this.device.queue.writeBuffer(temporary.gpu, 0, padded);
    return temporary;
  }

  /** Resolves to a host copy of the whole buffer; rejects with a GatedError on any failure. */
  async read(buffer: WebGpuBuffer): Promise<TypedArray> {
    this.failures.check('read');
    const bytes = Math.ceil(buffer.bytes / 4) * 4;
    if (bytes === 0) return allocArray(buffer.dtype, 0);
    const staging = this.staging.acquire(bytes);
    this.recorder.copy(buffer.gpu, 0, staging, 0, bytes);
    void this.recorder.flush();
    this.counters.bytesDown += bytes;
    await this.settle(staging.mapAsync(MAP_MODE_READ, 0, bytes));
    const copy = staging.getMappedRange(0, bytes).slice(0, buffer.bytes);
    staging.unmap();
    this.staging.release(staging);
    // Errors about the work that produced it arrive through error scopes: wait for them.
    await this.failures.settled();
    this.failures.check('read');
    switch (buffer.dtype) {
      case 'float32':
        return new Float32Array(copy);
      case 'int32':
        return new Int32Array(copy);
      default:
        return new Uint8Array(copy);
    }
  }

  /** Resolves when every recorded kernel has run; rejects with the backend's failure, if any. */
  async sync(): Promise<void> {
    this.failures.check('sync');
    await this.settle(this.recorder.flush());
    // Errors about that work (validation, memory, compilation) arrive through error scopes.
    await this.failures.settled();
    this.failures.check('sync');
  }

  /** Live buffers and their logical bytes, and the bytes kept in the pool. */
  memory(): { buffers: number; bytes: number; pooledBytes: number } {
    return { buffers: this.live.size, bytes: this.liveBytes, pooledBytes: this.pool.stats().pooledBytes };
  }

  /** Counters for `Backend.counters()`. */
  snapshot(): Record<string, number> {
    const pool = this.pool.stats();
    return {
      ...this.counters,
      pipelines: this.pipelines.size,
      buffersCreated: pool.created,
      liveBuffers: this.live.size,
      gpuBytes: pool.liveBytes,
      pooledBytes: pool.pooledBytes,
    };
  }

  /** Frees everything; with `destroyDevice`, the device too. */
  dispose(destroyDevice: boolean): void {
    if (this.failures.disposed) return;
    const usable = this.failures.lost === null;
    if (usable) void this.recorder.flush();
    if (usable) for (const buffer of this.live) buffer.gpu.destroy();
    this.live.clear();
    this.liveBytes = 0;
    if (usable) {
      for (const table of this.steps) table.destroy();
      this.pool.trim();
      this.staging.trim();
      this.recorder.destroy();
    }
    this.failures.disposed = true;
    if (destroyDevice) this.device.destroy();
  }

  // ---- kernels -------------------------------------------------------------------------------

  /** The compiled pipeline of `source`. */
  pipeline(op: string, source: KernelSource): Pipeline {
    return this.pipelines.get(op, source);
  }

  /** The range of `buffer` a kernel binds (its logical bytes, whole words). */
  bind(buffer: WebGpuBuffer): BindRange {
    return { buffer: buffer.gpu, offset: 0, size: buffer.bindBytes };
  }

  /**
   * Records one dispatch of `source` over `groups` workgroups (split into a 2-D grid when over the
   * per-dimension limit). When `uniforms` is given it is bound first (binding 0).
   */
  run(
    op: string,
    source: KernelSource,
    resources: readonly BindRange[],
    uniforms: Uint32Array | null,
    groups: number | readonly [number, number, number],
  ): void {
    const pipeline = this.pipeline(op, source);
    const bound = uniforms ? [this.recorder.uniform(uniforms), ...resources] : resources;
    const shape = typeof groups === 'number' ? grid(groups, this.limits.maxComputeWorkgroupsPerDimension) : groups;
    this.recorder.dispatch(pipeline, this.recorder.bindGroup(pipeline, bound), shape);
  }

  /**
   * A uniform buffer whose slot s (at byte offset 256·s) holds s, for at least `count` steps: the
   * per-step uniform of the sequence kernels, bound at a dynamic offset. Kept for the backend's
   * life and grown by doubling.
   */
  stepTable(count: number): GPUBuffer {
    const current = this.steps[this.steps.length - 1];
    if (current && current.size >= count * STEP_SLOT) return current;
    // A new table is written while mapped, so creating one never submits recorded work; older
    // tables may still be bound by it and are only destroyed with the backend.
    const slots = 2 ** Math.ceil(Math.log2(Math.max(1024, count)));
    const table = this.device.createBuffer({
      size: slots * STEP_SLOT,
      usage: BufferUsage.UNIFORM,
      mappedAtCreation: true,
      label: 'step table',
    });
    const words = new Uint32Array(table.getMappedRange());
    for (let s = 0; s < slots; s++) words[(s * STEP_SLOT) / 4] = s;
    table.unmap();
    this.steps.push(table);
    return table;
  }

  /** Marks the start of a kernel (for counters and the recorder's submission policy). */
  begin(op: string): void {
    this.failures.check(op);
    this.recorder.boundary();
    this.counters.kernels++;
  }

  private createBuffer(bytes: number, usage: number): GPUBuffer {
    const op = this.op;
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer({ size: bytes, usage });
    this.failures.watch(
      this.device.popErrorScope().then((error) => {
        if (error) this.failures.fail(new GatedError(op, `out of GPU memory allocating ${bytes} bytes: ${error.message}`));
      }),
    );
    return buffer;
  }

  /** Awaits a GPU promise, rejecting with the backend's failure or device loss if either comes first. */
  private settle<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const untrack = this.failures.track(reject);
      promise.then(
        (value) => {
          untrack();
          const error = this.failures.errorFor('read');
          if (error) reject(error);
          else resolve(value);
        },
        (error: unknown) => {
          untrack();
          void this.explain(error).then(reject);
        },
      );
    });
  }

  /** A GatedError for a rejected map or completion: the device's loss when that is the cause. */
  private async explain(error: unknown): Promise<GatedError> {
    const lost = await Promise.race([
      this.device.lost.then((info) => info.message || info.reason || 'unknown reason'),
      new Promise<null>((resolve) => setTimeout(resolve, 200, null)),
    ]);
    if (lost !== null) this.failures.deviceLost(lost);
    return (
      this.failures.errorFor('read') ??
      new GatedError('read', `reading from the GPU failed: ${error instanceof Error ? error.message : String(error)}`)
    );
  }
}

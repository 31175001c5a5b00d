/**
 * The `webgpu` backend: the Backend contract on WGSL compute kernels. This file is the contract's
 * surface: storage, lifetime and one line per kernel; the runtime (pools, command recording,
 * pipelines, failures) lives in `runtime/` and the kernels in `kernels/`. Arguments arrive
 * validated: `createWebGpuBackend` (and the tensor engine) put the backend behind
 * `checkedBackend` of `@gated/backend-api`, which refuses freed or foreign handles, wrong dtypes
 * and shapes before a kernel runs. What is left here is what only the device knows: whether it
 * was lost or failed earlier, and whether a result fits its buffer and binding limits.
 */
import {
  GatedError,
  SPEC_VERSION,
  sequenceDims,
  type AdamStepInputs,
  type ArgReduceOp,
  type Backend,
  type BackendCaps,
  type BackendInfo,
  type BackendMemory,
  type BinaryOp,
  type DType,
  type DataHandle,
  type GruSequenceBackwardInputs,
  type GruSequenceBackwardOutputs,
  type GruSequenceInputs,
  type GruSequenceOutputs,
  type LstmCellBackwardInputs,
  type LstmCellBackwardOutputs,
  type LstmCellInputs,
  type LstmCellOutputs,
  type LstmSequenceBackwardInputs,
  type LstmSequenceBackwardOutputs,
  type LstmSequenceInputs,
  type LstmSequenceOutputs,
  type RandomRequest,
  type ReduceOp,
  type Shape,
  type StridedSpec,
  type TensorSpec,
  type TypedArray,
  type UnaryOp,
} from '@gated/backend-api';
import type { AcquiredDevice, WebGpuBackendOptions } from './device.js';
import { adamStep } from './kernels/adam.js';
import { binary, cast, fill, stridedCopy, unary, where } from './kernels/elementwise.js';
import { gruSequence, gruSequenceBackward } from './kernels/gru-sequence.js';
import { concat, gather, scatterAdd, spliceBytes } from './kernels/indexing.js';
import { lstmCell, lstmCellBackward } from './kernels/lstm-cell.js';
import { lstmSequence } from './kernels/lstm-sequence.js';
import { lstmSequenceBackward } from './kernels/lstm-sequence-backward.js';
import { matmul } from './kernels/matmul.js';
import { random } from './kernels/random.js';
import { argReduce, reduce } from './kernels/reduce.js';
import { bufferOf, type WebGpuBuffer } from './runtime/buffer.js';
import { GpuContext } from './runtime/context.js';
import type { WebGpuDevice } from './webgpu-types.js';

const CAPS: BackendCaps = Object.freeze({
  syncRead: false,
  fused: Object.freeze({ lstmCell: true, lstmSequence: true, lstmProjection: true, gruSequence: true, adamStep: true }),
  threads: 1,
});

/**
 * What a webgpu backend runs on, for logs, reports and benchmarks (its `info`, also as
 * `getBackend().info`): the adapter as WebGPU describes it, and the device limits the kernels plan
 * with (requested at the adapter's maximum).
 */
export interface WebGpuBackendInfo extends BackendInfo {
  /** The adapter's name: its description, else its device id, else its vendor ('' when a device was passed in). */
  readonly adapter: string;
  /** `GPUAdapterInfo.vendor`, e.g. `nvidia`, `google` (SwiftShader). */
  readonly vendor: string;
  /** `GPUAdapterInfo.architecture`, e.g. `hopper`, `swiftshader`. */
  readonly architecture: string;
  /** Whether the adapter is a software fallback (SwiftShader): correct, but no faster than the CPU. */
  readonly fallbackAdapter: boolean;
  /** How sequences are scheduled (`WebGpuBackendOptions.sequenceSchedule`). */
  readonly sequenceSchedule: 'auto' | 'persistent' | 'per-step';
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxStorageBuffersPerShaderStage: number;
}

/**
 * The WebGPU backend. It trusts its arguments: create it with {@link createWebGpuBackend}
 * (asynchronous: it requests an adapter and a device), which puts it behind the checked layer, as
 * the tensor engine does with every backend. The class is exported for `instanceof` checks.
 * Compute calls record GPU work and return at once; only `read` and `sync` wait.
 *
 * @example
 * ```ts
 * const backend = await createWebGpuBackend();
 * const x = backend.fill('float32', 4, 2);
 * const y = backend.unary('sqrt', { data: x, shape: [2, 2] });
 * console.log(await backend.read(y)); // Float32Array [1.414…, 1.414…, 1.414…, 1.414…]
 * backend.free(x);
 * backend.free(y);
 * backend.dispose();
 * ```
 */
export class WebGpuBackend implements Backend {
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION;
  readonly name = 'webgpu';
  readonly caps: BackendCaps = CAPS;
  readonly info: WebGpuBackendInfo;
  /** The device the kernels run on (for sharing with other WebGPU code, and for tests). */
  readonly device: WebGpuDevice;
  /** The runtime (pools, recorder, pipelines, failures); tests reach it through `contextOf`. */
  private readonly ctx: GpuContext;
  private readonly ownsDevice: boolean;

  /** Use {@link createWebGpuBackend}; this constructor takes an already acquired device. */
  constructor(acquired: AcquiredDevice, options: WebGpuBackendOptions = {}) {
    this.device = acquired.device;
    this.ownsDevice = acquired.owned;
    this.ctx = new GpuContext(acquired.device, {
      maxPendingDispatches: options.maxPendingDispatches ?? 64,
      poolLimitBytes: options.poolLimitBytes ?? 256 * 1024 * 1024,
      sequenceSchedule: options.sequenceSchedule ?? 'auto',
    });
    const a = acquired.adapterInfo;
    this.info = Object.freeze({
      adapter: a?.description || a?.device || a?.vendor || '',
      vendor: a?.vendor ?? '',
      architecture: a?.architecture ?? '',
      fallbackAdapter: a?.isFallbackAdapter ?? false,
      sequenceSchedule: options.sequenceSchedule ?? 'auto',
      ...this.ctx.limits,
    });
    const failures = this.ctx.failures;
    void acquired.device.lost.then((lost) => {
      failures.deviceLost(lost.message || lost.reason || 'unknown reason');
    });
    acquired.device.addEventListener('uncapturederror', (event) => {
      failures.fail(new GatedError('webgpu', `the device reported an error: ${event.error.message}`));
    });
  }

  // ---- storage -------------------------------------------------------------------------------

  alloc(dtype: DType, size: number): DataHandle {
    this.ctx.failures.check('alloc');
    return this.ctx.output('alloc', dtype, size);
  }

  write(handle: DataHandle, values: TypedArray, offset = 0): void {
    this.ctx.write(bufferOf(handle), values, offset, (target, bytes, at) => {
      spliceBytes(this.ctx, target, bytes, at);
    });
  }

  /** Resolves to a copy; a lost device or an earlier failure rejects with a GatedError. */
  read(handle: DataHandle): Promise<TypedArray> {
    return this.ctx.read(bufferOf(handle));
  }

  /** Frees a buffer (after the device was lost this only updates the accounting). */
  free(handle: DataHandle): void {
    this.ctx.release(bufferOf(handle));
  }

  sync(): Promise<void> {
    return this.ctx.sync();
  }

  memory(): BackendMemory {
    return this.ctx.memory();
  }

  /**
   * `dispatches`, `submits`, `kernels` (compute calls), `bytesUp`/`bytesDown` (host writes and
   * reads), `pipelines` compiled, `buffersCreated` (pool misses), `liveBuffers`, `gpuBytes` (live
   * GPU memory, size classes included), `pooledBytes`.
   */
  counters(): Readonly<Record<string, number>> {
    return this.ctx.snapshot();
  }

  /** Frees every buffer and, when the backend created the device, destroys it; any later call throws. */
  dispose(): void {
    this.ctx.dispose(this.ownsDevice);
  }

  // ---- required compute core -----------------------------------------------------------------

  fill(dtype: DType, size: number, value: number): DataHandle {
    this.ctx.begin('fill');
    return fill(this.ctx, dtype, size, value);
  }

  cast(x: TensorSpec, dtype: DType): DataHandle {
    this.ctx.begin('cast');
    return cast(this.ctx, bufferOf(x.data), dtype);
  }

  unary(op: UnaryOp, x: TensorSpec): DataHandle {
    this.ctx.begin('unary');
    return unary(this.ctx, op, bufferOf(x.data));
  }

  binary(op: BinaryOp, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    this.ctx.begin('binary');
    return binary(this.ctx, op, bufferOf(a.data), a.shape, bufferOf(b.data), b.shape, outShape);
  }

  where(cond: TensorSpec, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    this.ctx.begin('where');
    return where(this.ctx, bufferOf(cond.data), cond.shape, bufferOf(a.data), a.shape, bufferOf(b.data), b.shape, outShape);
  }

  reduce(op: ReduceOp, x: TensorSpec, axes: readonly number[]): DataHandle {
    this.ctx.begin('reduce');
    return reduce(this.ctx, op, bufferOf(x.data), x.shape, axes);
  }

  argReduce(op: ArgReduceOp, x: TensorSpec, axis: number): DataHandle {
    this.ctx.begin('argReduce');
    return argReduce(this.ctx, op, bufferOf(x.data), x.shape, axis);
  }

  matmul(a: TensorSpec, b: TensorSpec, transposeA: boolean, transposeB: boolean, outShape: Shape): DataHandle {
    this.ctx.begin('matmul');
    return matmul(
      this.ctx,
      { data: bufferOf(a.data), shape: a.shape },
      { data: bufferOf(b.data), shape: b.shape },
      transposeA,
      transposeB,
      outShape,
    );
  }

  stridedCopy(x: StridedSpec): DataHandle {
    this.ctx.begin('stridedCopy');
    return stridedCopy(this.ctx, bufferOf(x.data), x);
  }

  concat(inputs: readonly TensorSpec[], axis: number, outShape: Shape): DataHandle {
    this.ctx.begin('concat');
    return concat(
      this.ctx,
      inputs.map((spec) => ({ data: bufferOf(spec.data), shape: spec.shape })),
      axis,
      outShape,
    );
  }

  gather(x: TensorSpec, indices: TensorSpec, axis: number): DataHandle {
    this.ctx.begin('gather');
    return gather(this.ctx, bufferOf(x.data), x.shape, bufferOf(indices.data), axis);
  }

  scatterAdd(updates: TensorSpec, indices: TensorSpec, axis: number, outShape: Shape): DataHandle {
    this.ctx.begin('scatterAdd');
    return scatterAdd(this.ctx, bufferOf(updates.data), bufferOf(indices.data), indices.shape, axis, outShape);
  }

  random(request: RandomRequest): DataHandle {
    this.ctx.begin('random');
    return random(this.ctx, request);
  }

  // ---- fused kernels -------------------------------------------------------------------------

  lstmCell(inputs: LstmCellInputs): LstmCellOutputs {
    this.ctx.begin('lstmCell');
    return lstmCell(this.ctx, buffersOf(inputs), inputs.c.shape);
  }

  lstmCellBackward(inputs: LstmCellBackwardInputs): LstmCellBackwardOutputs {
    this.ctx.begin('lstmCellBackward');
    return lstmCellBackward(this.ctx, buffersOf(inputs), inputs.c.shape);
  }

  lstmSequence(inputs: LstmSequenceInputs): LstmSequenceOutputs {
    this.ctx.begin('lstmSequence');
    return lstmSequence(this.ctx, { ...buffersOf(inputs), ...sequenceDims(inputs) });
  }

  lstmSequenceBackward(inputs: LstmSequenceBackwardInputs): LstmSequenceBackwardOutputs {
    this.ctx.begin('lstmSequenceBackward');
    const { forward, ...rest } = inputs;
    return lstmSequenceBackward(this.ctx, { ...buffersOf(forward), ...sequenceDims(forward), ...buffersOf(rest) });
  }

  gruSequence(inputs: GruSequenceInputs): GruSequenceOutputs {
    this.ctx.begin('gruSequence');
    return gruSequence(this.ctx, { ...buffersOf(inputs), ...sequenceDims(inputs) });
  }

  gruSequenceBackward(inputs: GruSequenceBackwardInputs): GruSequenceBackwardOutputs {
    this.ctx.begin('gruSequenceBackward');
    const { forward, ...rest } = inputs;
    return gruSequenceBackward(this.ctx, { ...buffersOf(forward), ...sequenceDims(forward), ...buffersOf(rest) });
  }

  adamStep(inputs: AdamStepInputs): void {
    this.ctx.begin('adamStep');
    adamStep(this.ctx, buffersOf(inputs));
  }
}

/** A fused kernel's arguments with each tensor replaced by its buffer (the types of `fused.ts` over WebGpuBuffer). */
type Buffers<R> = { readonly [K in keyof R]: Swap<R[K]> };
/** Distributes over unions: `TensorSpec | null | undefined` becomes `WebGpuBuffer | null | undefined`. */
type Swap<V> = V extends TensorSpec ? WebGpuBuffer : V;

function isSpec(value: unknown): value is TensorSpec {
  return typeof value === 'object' && value !== null && 'data' in value && 'shape' in value;
}

/** The buffers behind a fused kernel's tensor arguments; every other argument passes through. */
function buffersOf<R extends object>(inputs: R): Buffers<R> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) out[key] = isSpec(value) ? bufferOf(value.data) : value;
  return out as Buffers<R>;
}

/**
 * The `webgpu` backend: the Backend contract on WGSL compute kernels. This file is the contract's
 * surface: storage, lifetime, handle checks and one line per kernel; the runtime (pools, command
 * recording, pipelines, failures) lives in `runtime/` and the kernels in `kernels/`. Shapes and
 * dtypes were validated by the engine's checked layer before a kernel is called, so kernels trust
 * them; handles are still checked (a freed or foreign buffer would read another buffer's memory).
 */
import {
  GatedError,
  SPEC_VERSION,
  checkDType,
  checkSize,
  type AdamStepInputs,
  type ArgReduceOp,
  type Backend,
  type BackendCaps,
  type BackendMemory,
  type BinaryOp,
  type DType,
  type DataHandle,
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
import { concat, gather, scatterAdd, spliceBytes } from './kernels/indexing.js';
import { lstmCell, lstmCellBackward } from './kernels/lstm-cell.js';
import { lstmSequence } from './kernels/lstm-sequence.js';
import { lstmSequenceBackward } from './kernels/lstm-sequence-backward.js';
import { matmul } from './kernels/matmul.js';
import { random } from './kernels/random.js';
import { argReduce, reduce } from './kernels/reduce.js';
import type { WebGpuBuffer } from './runtime/buffer.js';
import { GpuContext } from './runtime/context.js';

const CAPS: BackendCaps = Object.freeze({
  syncRead: false,
  fused: Object.freeze({ lstmCell: true, lstmSequence: true, adamStep: true }),
  threads: 1,
});

/** What the backend runs on, for reports. */
export interface WebGpuBackendInfo {
  /** The adapter's vendor, architecture, device and description (empty when a device was passed in). */
  readonly adapter: { readonly vendor: string; readonly architecture: string; readonly device: string; readonly description: string; readonly fallback: boolean };
  /** The device limits the kernels plan with. */
  readonly limits: Readonly<Record<string, number>>;
  /** How sequences are scheduled (`WebGpuBackendOptions.sequenceSchedule`). */
  readonly sequenceSchedule: 'auto' | 'persistent' | 'per-step';
}

/**
 * The WebGPU backend. Create it with {@link createWebGpuBackend} (asynchronous: it requests an
 * adapter and a device). Compute calls record GPU work and return at once; only `read` and `sync`
 * wait.
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
  /** The device the kernels run on (exposed for tests and for sharing with other WebGPU code). */
  readonly device: GPUDevice;
  /** @internal */
  readonly ctx: GpuContext;
  private readonly ownsDevice: boolean;

  /** Use {@link createWebGpuBackend}; this constructor takes an already acquired device. */
  constructor(acquired: AcquiredDevice, options: WebGpuBackendOptions = {}) {
    this.device = acquired.device;
    this.ownsDevice = acquired.owned;
    this.ctx = new GpuContext(acquired.device, this, {
      maxPendingDispatches: options.maxPendingDispatches ?? 64,
      poolLimitBytes: options.poolLimitBytes ?? 256 * 1024 * 1024,
      sequenceSchedule: options.sequenceSchedule ?? 'auto',
    });
    const a = acquired.adapterInfo;
    this.info = {
      adapter: {
        vendor: a?.vendor ?? '',
        architecture: a?.architecture ?? '',
        device: a?.device ?? '',
        description: a?.description ?? '',
        fallback: a?.isFallbackAdapter ?? false,
      },
      limits: { ...this.ctx.limits },
      sequenceSchedule: options.sequenceSchedule ?? 'auto',
    };
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
    checkDType('alloc', dtype);
    checkSize('alloc', size);
    return this.ctx.output('alloc', dtype, size);
  }

  write(handle: DataHandle, values: TypedArray, offset = 0): void {
    this.ctx.write(handle, values, offset, (target, bytes, at) => {
      spliceBytes(this.ctx, target, bytes, at);
    });
  }

  /** Resolves to a copy; a bad handle, a lost device or an earlier failure rejects with a GatedError. */
  read(handle: DataHandle): Promise<TypedArray> {
    return this.ctx.read(handle);
  }

  /** Frees a buffer (after the device was lost this only updates the accounting). */
  free(handle: DataHandle): void {
    if (this.ctx.failures.disposed) throw new GatedError('free', 'the webgpu backend was disposed');
    this.ctx.release(this.ctx.own('free', handle));
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
    return cast(this.ctx, this.in('cast', x.data), dtype);
  }

  unary(op: UnaryOp, x: TensorSpec): DataHandle {
    this.ctx.begin('unary');
    return unary(this.ctx, op, this.in('unary', x.data));
  }

  binary(op: BinaryOp, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    this.ctx.begin('binary');
    return binary(this.ctx, op, this.in('binary', a.data), a.shape, this.in('binary', b.data), b.shape, outShape);
  }

  where(cond: TensorSpec, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    this.ctx.begin('where');
    return where(this.ctx, this.in('where', cond.data), cond.shape, this.in('where', a.data), a.shape, this.in('where', b.data), b.shape, outShape);
  }

  reduce(op: ReduceOp, x: TensorSpec, axes: readonly number[]): DataHandle {
    this.ctx.begin('reduce');
    return reduce(this.ctx, op, this.in('reduce', x.data), x.shape, axes);
  }

  argReduce(op: ArgReduceOp, x: TensorSpec, axis: number): DataHandle {
    this.ctx.begin('argReduce');
    return argReduce(this.ctx, op, this.in('argReduce', x.data), x.shape, axis);
  }

  matmul(a: TensorSpec, b: TensorSpec, transposeA: boolean, transposeB: boolean, outShape: Shape): DataHandle {
    this.ctx.begin('matmul');
    return matmul(this.ctx, { data: this.in('matmul', a.data), shape: a.shape }, { data: this.in('matmul', b.data), shape: b.shape }, transposeA, transposeB, outShape);
  }

  stridedCopy(x: StridedSpec): DataHandle {
    this.ctx.begin('stridedCopy');
    return stridedCopy(this.ctx, this.in('stridedCopy', x.data), x);
  }

  concat(inputs: readonly TensorSpec[], axis: number, outShape: Shape): DataHandle {
    this.ctx.begin('concat');
    return concat(this.ctx, inputs.map((spec, i) => ({ data: this.in('concat', spec.data, `input ${i}`), shape: spec.shape })), axis, outShape);
  }

  gather(x: TensorSpec, indices: TensorSpec, axis: number): DataHandle {
    this.ctx.begin('gather');
    return gather(this.ctx, this.in('gather', x.data), x.shape, this.in('gather', indices.data, 'indices'), axis);
  }

  scatterAdd(updates: TensorSpec, indices: TensorSpec, axis: number, outShape: Shape): DataHandle {
    this.ctx.begin('scatterAdd');
    return scatterAdd(this.ctx, this.in('scatterAdd', updates.data), this.in('scatterAdd', indices.data, 'indices'), indices.shape, axis, outShape);
  }

  random(request: RandomRequest): DataHandle {
    this.ctx.begin('random');
    checkSize('random', request.size);
    return random(this.ctx, request);
  }

  // ---- fused kernels -------------------------------------------------------------------------

  lstmCell(inputs: LstmCellInputs): LstmCellOutputs {
    this.ctx.begin('lstmCell');
    return lstmCell(this.ctx, this.in('lstmCell', inputs.inputGates.data), this.in('lstmCell', inputs.hiddenGates.data), this.in('lstmCell', inputs.c.data), inputs.c.shape);
  }

  lstmCellBackward(inputs: LstmCellBackwardInputs): LstmCellBackwardOutputs {
    const op = 'lstmCellBackward';
    this.ctx.begin(op);
    return lstmCellBackward(this.ctx, {
      dh: this.in(op, inputs.dh.data),
      dc: this.in(op, inputs.dc.data),
      c: this.in(op, inputs.c.data),
      cNew: this.in(op, inputs.cNew.data),
      gates: this.in(op, inputs.gates.data),
    }, inputs.c.shape);
  }

  lstmSequence(inputs: LstmSequenceInputs): LstmSequenceOutputs {
    this.ctx.begin('lstmSequence');
    return lstmSequence(this.ctx, this.sequence('lstmSequence', inputs));
  }

  lstmSequenceBackward(inputs: LstmSequenceBackwardInputs): LstmSequenceBackwardOutputs {
    const op = 'lstmSequenceBackward';
    this.ctx.begin(op);
    return lstmSequenceBackward(this.ctx, {
      ...this.sequence(op, inputs.forward),
      output: this.in(op, inputs.output.data),
      gates: this.in(op, inputs.gates.data),
      cells: this.in(op, inputs.cells.data),
      dOutput: this.in(op, inputs.dOutput.data),
      dh: this.in(op, inputs.dh.data),
      dc: this.in(op, inputs.dc.data),
    });
  }

  adamStep(inputs: AdamStepInputs): void {
    const op = 'adamStep';
    this.ctx.begin(op);
    adamStep(this.ctx, {
      param: this.in(op, inputs.param.data),
      grad: this.in(op, inputs.grad.data),
      m: this.in(op, inputs.m.data),
      v: this.in(op, inputs.v.data),
      vMax: inputs.vMax === null ? null : this.in(op, inputs.vMax.data),
    }, inputs);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** The live buffer behind an input handle. */
  private in(op: string, handle: DataHandle, what = 'input'): WebGpuBuffer {
    return this.ctx.own(op, handle, what);
  }

  private sequence(op: string, inputs: LstmSequenceInputs) {
    const [steps, batch] = inputs.inputGates.shape as [number, number, number];
    const hidden = inputs.h0.shape[1]!;
    return {
      steps,
      batch,
      hidden,
      inputGates: this.in(op, inputs.inputGates.data),
      weightHh: this.in(op, inputs.weightHh.data),
      h0: this.in(op, inputs.h0.data),
      c0: this.in(op, inputs.c0.data),
      lengths: inputs.lengths === null ? null : this.in(op, inputs.lengths.data),
      reverse: inputs.reverse,
    };
  }
}

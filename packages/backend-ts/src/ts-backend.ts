/**
 * The `ts` backend: the whole Backend contract in plain TypeScript on host typed arrays,
 * synchronous and single-threaded. This file owns storage (allocation, the live-buffer set behind
 * `memory()`); the arithmetic lives in `kernels/`, one small file per kernel family, working on
 * plain typed arrays. Arguments arrive validated: `createTsBackend` (and the tensor engine) put the
 * backend behind `checkedBackend` of `@gated/backend-api`.
 */
import { SPEC_VERSION, allocArray, checkLengths, checkedBackend, sequenceDims } from '@gated/backend-api';
import type { ArgReduceOp, Backend, BackendCaps, BackendMemory, BinaryOp, DType, DataHandle } from '@gated/backend-api';
import type { RandomRequest, ReduceOp, Shape, StridedSpec, TensorSpec, TypedArray, UnaryOp } from '@gated/backend-api';
import type { AdamStepInputs, LstmCellBackwardInputs, LstmCellBackwardOutputs, LstmCellInputs, LstmCellOutputs } from '@gated/backend-api';
import type { LstmSequenceBackwardInputs, LstmSequenceBackwardOutputs, LstmSequenceInputs, LstmSequenceOutputs } from '@gated/backend-api';
import type { GruSequenceBackwardInputs, GruSequenceBackwardOutputs, GruSequenceInputs, GruSequenceOutputs } from '@gated/backend-api';

import { adamStep } from './kernels/adam-step.js';
import { argReduce } from './kernels/arg-reduce.js';
import { binary } from './kernels/binary.js';
import { cast } from './kernels/cast.js';
import { concat } from './kernels/concat.js';
import { fill } from './kernels/fill.js';
import { gather } from './kernels/gather.js';
import { gruSequence, gruSequenceBackward } from './kernels/gru-sequence.js';
import { lstmCell, lstmCellBackward } from './kernels/lstm-cell.js';
import { lstmSequence, lstmSequenceBackward } from './kernels/lstm-sequence.js';
import { matmul } from './kernels/matmul.js';
import { random } from './kernels/random.js';
import { reduce } from './kernels/reduce.js';
import { scatterAdd } from './kernels/scatter-add.js';
import { stridedCopy } from './kernels/strided-copy.js';
import { unary } from './kernels/unary.js';
import { where } from './kernels/where.js';
import { TsBuffer } from './ts-buffer.js';

const CAPS: BackendCaps = Object.freeze({
  syncRead: true,
  fused: Object.freeze({ lstmCell: true, lstmSequence: true, lstmProjection: true, gruSequence: true, adamStep: true }),
  threads: 1,
});

function dtypeOf(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  return values instanceof Int32Array ? 'int32' : 'bool';
}

/**
 * The TypeScript backend. It trusts its arguments: create it with {@link createTsBackend}, which
 * puts it behind the checked layer (as the tensor engine does with every backend). The class is
 * exported for `instanceof` checks.
 *
 * @example
 * ```ts
 * const backend = createTsBackend();
 * const x = backend.fill('float32', 4, 2);
 * const y = backend.unary('sqrt', { data: x, shape: [2, 2] });
 * console.log(backend.readSync(y)); // Float32Array [1.414…, 1.414…, 1.414…, 1.414…]
 * backend.free(x);
 * backend.free(y);
 * ```
 */
export class TsBackend implements Backend {
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION;
  readonly name = 'ts';
  readonly caps: BackendCaps = CAPS;

  private readonly live = new Set<TsBuffer>();
  private liveBytes = 0;
  private kernelCalls = 0;

  // ---- storage -------------------------------------------------------------------------------

  /** Allocates a zeroed buffer (the contract allows uninitialised memory; zeros are free here). */
  alloc(dtype: DType, size: number): DataHandle {
    return this.adopt(allocArray(dtype, size));
  }

  write(handle: DataHandle, values: TypedArray, offset = 0): void {
    const buffer = bufferOf(handle);
    if (buffer.dtype === 'bool') {
      // Keep the 0/1 invariant every bool kernel relies on.
      const target = buffer.values;
      for (let i = 0; i < values.length; i++) target[offset + i] = values[i] !== 0 ? 1 : 0;
    } else {
      buffer.values.set(values, offset);
    }
  }

  read(handle: DataHandle): Promise<TypedArray> {
    return Promise.resolve(this.readSync(handle));
  }

  readSync(handle: DataHandle): TypedArray {
    return values(handle).slice();
  }

  free(handle: DataHandle): void {
    const buffer = bufferOf(handle);
    this.live.delete(buffer);
    this.liveBytes -= buffer.bytes;
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  memory(): BackendMemory {
    return { buffers: this.live.size, bytes: this.liveBytes };
  }

  /** `kernels`: compute calls that ran (everything from `fill` to `adamStep`; not refused ones) since creation. */
  counters(): Readonly<Record<string, number>> {
    return { kernels: this.kernelCalls };
  }

  /** Frees every live buffer. */
  dispose(): void {
    this.live.clear();
    this.liveBytes = 0;
  }

  // ---- required compute core -----------------------------------------------------------------

  fill(dtype: DType, size: number, value: number): DataHandle {
    return this.counted(fill(dtype, size, value));
  }

  cast(x: TensorSpec, dtype: DType): DataHandle {
    return this.counted(cast(values(x.data), dtype));
  }

  unary(op: UnaryOp, x: TensorSpec): DataHandle {
    return this.counted(unary(op, values(x.data)));
  }

  binary(op: BinaryOp, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    return this.counted(binary(op, values(a.data), a.shape, values(b.data), b.shape, outShape));
  }

  where(cond: TensorSpec, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    const mask = values(cond.data) as Uint8Array;
    return this.counted(where(mask, cond.shape, values(a.data), a.shape, values(b.data), b.shape, a.data.dtype, outShape));
  }

  reduce(op: ReduceOp, x: TensorSpec, axes: readonly number[]): DataHandle {
    return this.counted(reduce(op, values(x.data) as Float32Array | Int32Array, x.shape, axes));
  }

  argReduce(op: ArgReduceOp, x: TensorSpec, axis: number): DataHandle {
    return this.counted(argReduce(op, values(x.data), x.shape, axis));
  }

  matmul(a: TensorSpec, b: TensorSpec, transposeA: boolean, transposeB: boolean, outShape: Shape): DataHandle {
    return this.counted(matmul(floats(a), a.shape, floats(b), b.shape, transposeA, transposeB, outShape));
  }

  stridedCopy(x: StridedSpec): DataHandle {
    return this.counted(stridedCopy(values(x.data), x.data.dtype, x.shape, x.strides, x.offset));
  }

  concat(inputs: readonly TensorSpec[], axis: number, outShape: Shape): DataHandle {
    return this.counted(
      concat(
        inputs.map((spec) => values(spec.data)),
        inputs[0]!.data.dtype,
        axis,
        outShape,
      ),
    );
  }

  gather(x: TensorSpec, indices: TensorSpec, axis: number): DataHandle {
    return this.counted(gather(values(x.data), x.data.dtype, x.shape, values(indices.data) as Int32Array, axis));
  }

  scatterAdd(updates: TensorSpec, indices: TensorSpec, axis: number, outShape: Shape): DataHandle {
    const source = values(updates.data) as Float32Array | Int32Array;
    return this.counted(scatterAdd(source, values(indices.data) as Int32Array, axis, outShape));
  }

  random(request: RandomRequest): DataHandle {
    return this.counted(random(request));
  }

  // ---- fused kernels -------------------------------------------------------------------------

  lstmCell(inputs: LstmCellInputs): LstmCellOutputs {
    const [batch, hidden] = inputs.c.shape as [number, number];
    const out = lstmCell(floats(inputs.inputGates), floats(inputs.hiddenGates), floats(inputs.c), batch, hidden);
    this.kernelCalls++;
    return { h: this.adopt(out.h), c: this.adopt(out.c), gates: this.adopt(out.gates) };
  }

  lstmCellBackward(inputs: LstmCellBackwardInputs): LstmCellBackwardOutputs {
    const [batch, hidden] = inputs.c.shape as [number, number];
    const { dh, dc, c, cNew, gates } = inputs;
    const out = lstmCellBackward(floats(dh), floats(dc), floats(c), floats(cNew), floats(gates), batch, hidden);
    this.kernelCalls++;
    return { dGates: this.adopt(out.dGates), dc: this.adopt(out.dc) };
  }

  lstmSequence(inputs: LstmSequenceInputs): LstmSequenceOutputs {
    const dims = sequenceDims(inputs);
    const out = lstmSequence(dims, {
      inputGates: floats(inputs.inputGates),
      weightHh: floats(inputs.weightHh),
      h0: floats(inputs.h0),
      c0: floats(inputs.c0),
      weightHr: optionalFloats(inputs.weightHr),
      lengths: this.lengths('lstmSequence', inputs.lengths, dims.steps),
      reverse: inputs.reverse,
      inference: inputs.inference ?? false,
    });
    this.kernelCalls++;
    return {
      output: this.adopt(out.output),
      h: this.adopt(out.h),
      c: this.adopt(out.c),
      gates: this.adoptOrNull(out.gates),
      cells: this.adoptOrNull(out.cells),
    };
  }

  lstmSequenceBackward(inputs: LstmSequenceBackwardInputs): LstmSequenceBackwardOutputs {
    const { forward } = inputs;
    const dims = sequenceDims(forward);
    const out = lstmSequenceBackward(
      dims,
      {
        h0: floats(forward.h0),
        c0: floats(forward.c0),
        weightHh: floats(forward.weightHh),
        weightHr: optionalFloats(forward.weightHr),
        lengths: this.lengths('lstmSequenceBackward', forward.lengths, dims.steps),
        reverse: forward.reverse,
        output: floats(inputs.output),
        gates: floats(inputs.gates),
        cells: floats(inputs.cells),
      },
      floats(inputs.dOutput),
      floats(inputs.dh),
      floats(inputs.dc),
    );
    this.kernelCalls++;
    const grads = {
      dInputGates: this.adopt(out.dInputGates),
      dWeightHh: this.adopt(out.dWeightHh),
      dh0: this.adopt(out.dh0),
      dc0: this.adopt(out.dc0),
    };
    return out.dWeightHr ? { ...grads, dWeightHr: this.adopt(out.dWeightHr) } : grads;
  }

  gruSequence(inputs: GruSequenceInputs): GruSequenceOutputs {
    const dims = sequenceDims(inputs);
    const out = gruSequence(dims, {
      inputGates: floats(inputs.inputGates),
      weightHh: floats(inputs.weightHh),
      biasHn: optionalFloats(inputs.biasHn),
      h0: floats(inputs.h0),
      lengths: this.lengths('gruSequence', inputs.lengths, dims.steps),
      reverse: inputs.reverse,
      inference: inputs.inference ?? false,
    });
    this.kernelCalls++;
    return {
      output: this.adopt(out.output),
      h: this.adopt(out.h),
      gates: this.adoptOrNull(out.gates),
      hiddenN: this.adoptOrNull(out.hiddenN),
    };
  }

  gruSequenceBackward(inputs: GruSequenceBackwardInputs): GruSequenceBackwardOutputs {
    const { forward } = inputs;
    const dims = sequenceDims(forward);
    const out = gruSequenceBackward(
      dims,
      {
        h0: floats(forward.h0),
        weightHh: floats(forward.weightHh),
        lengths: this.lengths('gruSequenceBackward', forward.lengths, dims.steps),
        reverse: forward.reverse,
        output: floats(inputs.output),
        gates: floats(inputs.gates),
        hiddenN: floats(inputs.hiddenN),
      },
      floats(inputs.dOutput),
      floats(inputs.dh),
    );
    this.kernelCalls++;
    return {
      dInputGates: this.adopt(out.dInputGates),
      dWeightHh: this.adopt(out.dWeightHh),
      dBiasHn: this.adopt(out.dBiasHn),
      dh0: this.adopt(out.dh0),
    };
  }

  adamStep(inputs: AdamStepInputs): void {
    const { param, grad, m, v, vMax } = inputs;
    adamStep(floats(param), floats(grad), floats(m), floats(v), vMax === null ? null : floats(vMax), inputs);
    this.kernelCalls++;
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Wraps the result of a single-output kernel that ran, counting the call. */
  private counted(result: TypedArray): TsBuffer {
    this.kernelCalls++;
    return this.adopt(result);
  }

  private adoptOrNull(result: TypedArray | null): TsBuffer | null {
    return result === null ? null : this.adopt(result);
  }

  private adopt(result: TypedArray): TsBuffer {
    const buffer = new TsBuffer(dtypeOf(result), result);
    this.live.add(buffer);
    this.liveBytes += buffer.bytes;
    return buffer;
  }

  /** The lengths' values, checked to lie in [1, steps] (the one check that reads a buffer). */
  private lengths(op: string, spec: TensorSpec | null, steps: number): Int32Array | null {
    if (spec === null) return null;
    const lengths = values(spec.data) as Int32Array;
    checkLengths(op, lengths, steps);
    return lengths;
  }
}

/**
 * The TsBuffer behind a handle. The checked layer lets only live buffers this backend returned
 * through, so the cast is safe; it is the one place that makes it.
 */
function bufferOf(handle: DataHandle): TsBuffer {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- see above
  return handle as TsBuffer;
}

function values(handle: DataHandle): TypedArray {
  return bufferOf(handle).values;
}

function floats(spec: TensorSpec): Float32Array {
  return bufferOf(spec.data).values as Float32Array;
}

function optionalFloats(spec: TensorSpec | null | undefined): Float32Array | null {
  return spec ? floats(spec) : null;
}

/**
 * Creates a `ts` backend: the factory to register with `@gated/tensor`.
 *
 * @example
 * ```ts
 * import { add, registerBackend, setBackend, tensor } from '@gated/tensor';
 * import { createTsBackend } from '@gated/backend-ts';
 *
 * registerBackend('ts', createTsBackend);
 * await setBackend('ts');
 * console.log(await add(tensor([1, 2, 3]), 1).toArray()); // [2, 3, 4]
 * ```
 */
export function createTsBackend(): TsBackend {
  return checkedBackend(new TsBackend());
}

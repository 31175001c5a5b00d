/**
 * The `ts` backend: the whole Backend contract in plain TypeScript on host typed arrays,
 * synchronous and single-threaded. This file owns storage (allocation, the live-buffer set behind
 * `memory()`, handle validation) and argument checks; the arithmetic lives in `kernels/`, one small
 * file per kernel family, working on plain typed arrays.
 */
import {
  BINARY_TYPING,
  GatedError,
  checkAllowed,
  checkAxis,
  checkBroadcast,
  checkConcatShapes,
  checkLengths,
  checkMatmulShapes,
  checkReduceAxes,
  checkScatterAddShapes,
  checkSequenceShapes,
  checkStateShape,
  checkStrides,
  checkDType,
  checkShape,
  checkSize,
  REDUCE_TYPING,
  SPEC_VERSION,
  UNARY_TYPING,
  allocArray,
  formatShape,
  isArrayOfDType,
  sizeOf,
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

import { adamStep } from './kernels/adam-step.js';
import { argReduce } from './kernels/arg-reduce.js';
import { binary } from './kernels/binary.js';
import { cast } from './kernels/cast.js';
import { concat } from './kernels/concat.js';
import { fill } from './kernels/fill.js';
import { gather } from './kernels/gather.js';
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
  fused: Object.freeze({ lstmCell: true, lstmSequence: true, adamStep: true }),
  threads: 1,
});

const NUMERIC: readonly DType[] = ['float32', 'int32'];
const FLOAT: readonly DType[] = ['float32'];
const INT: readonly DType[] = ['int32'];
const BOOL: readonly DType[] = ['bool'];
const ANY: readonly DType[] = ['float32', 'int32', 'bool'];

function dtypeOf(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  return values instanceof Int32Array ? 'int32' : 'bool';
}

/**
 * The TypeScript backend. Prefer {@link createTsBackend}, the factory `registerBackend` takes;
 * the class is exported for `instanceof` checks and for calling kernels directly in tests.
 *
 * @example
 * ```ts
 * const backend = new TsBackend();
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
  private disposed = false;

  // ---- storage -------------------------------------------------------------------------------

  /** Allocates a zeroed buffer (the contract allows uninitialised memory; zeros are free here). */
  alloc(dtype: DType, size: number): DataHandle {
    this.checkAlive('alloc');
    checkDType('alloc', dtype);
    checkSize('alloc', size);
    return this.adopt(allocArray(dtype, size));
  }

  write(handle: DataHandle, values: TypedArray, offset = 0): void {
    const buffer = this.own('write', handle);
    if (!isArrayOfDType(values, buffer.dtype)) {
      throw new GatedError('write', `values are ${dtypeOf(values)} but the buffer is ${buffer.dtype}`);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + values.length > buffer.size) {
      throw new GatedError(
        'write',
        `${values.length} values at offset ${offset} do not fit a buffer of ${buffer.size} elements`,
      );
    }
    if (buffer.dtype === 'bool') {
      // Keep the 0/1 invariant every bool kernel relies on.
      const target = buffer.values;
      for (let i = 0; i < values.length; i++) target[offset + i] = values[i] !== 0 ? 1 : 0;
    } else {
      buffer.values.set(values, offset);
    }
  }

  /** Resolves to a copy; a bad handle rejects the promise (with a GatedError) rather than throwing. */
  read(handle: DataHandle): Promise<TypedArray> {
    return new Promise((resolve) => {
      resolve(this.own('read', handle).values.slice());
    });
  }

  readSync(handle: DataHandle): TypedArray {
    return this.own('readSync', handle).values.slice();
  }

  free(handle: DataHandle): void {
    const buffer = this.own('free', handle);
    buffer.freed = true;
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

  /** Frees every live buffer; any later call throws. */
  dispose(): void {
    for (const buffer of this.live) buffer.freed = true;
    this.live.clear();
    this.liveBytes = 0;
    this.disposed = true;
  }

  // ---- required compute core -----------------------------------------------------------------

  fill(dtype: DType, size: number, value: number): DataHandle {
    this.checkAlive('fill');
    checkDType('fill', dtype);
    checkSize('fill', size);
    return this.counted(fill(dtype, size, value));
  }

  cast(x: TensorSpec, dtype: DType): DataHandle {
    this.checkAlive('cast');
    const input = this.input('cast', 'x', x);
    checkDType('cast', dtype);
    return this.counted(cast(input.values, dtype));
  }

  unary(op: UnaryOp, x: TensorSpec): DataHandle {
    this.checkAlive('unary');
    if (!Object.hasOwn(UNARY_TYPING, op)) throw new GatedError('unary', `unknown op ${op}`);
    const input = this.input('unary', 'x', x);
    checkAllowed('unary', `x of ${op}`, input.dtype, UNARY_TYPING[op].inputs);
    return this.counted(unary(op, input.values));
  }

  binary(op: BinaryOp, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    this.checkAlive('binary');
    if (!Object.hasOwn(BINARY_TYPING, op)) throw new GatedError('binary', `unknown op ${op}`);
    const left = this.input('binary', 'a', a);
    const right = this.input('binary', 'b', b, [left.dtype]);
    checkAllowed('binary', `a of ${op}`, left.dtype, BINARY_TYPING[op].inputs);
    checkBroadcast('binary', 'a', a.shape, outShape);
    checkBroadcast('binary', 'b', b.shape, outShape);
    return this.counted(binary(op, left.values, a.shape, right.values, b.shape, outShape));
  }

  where(cond: TensorSpec, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
    this.checkAlive('where');
    const mask = this.input('where', 'cond', cond, BOOL);
    const left = this.input('where', 'a', a);
    const right = this.input('where', 'b', b, [left.dtype]);
    checkBroadcast('where', 'cond', cond.shape, outShape);
    checkBroadcast('where', 'a', a.shape, outShape);
    checkBroadcast('where', 'b', b.shape, outShape);
    const out = where(mask.values as Uint8Array, cond.shape, left.values, a.shape, right.values, b.shape, left.dtype, outShape);
    return this.counted(out);
  }

  reduce(op: ReduceOp, x: TensorSpec, axes: readonly number[]): DataHandle {
    this.checkAlive('reduce');
    if (!Object.hasOwn(REDUCE_TYPING, op)) throw new GatedError('reduce', `unknown op ${op}`);
    const input = this.input('reduce', 'x', x, REDUCE_TYPING[op].inputs);
    checkReduceAxes('reduce', axes, x.shape.length);
    return this.counted(reduce(op, input.values as Float32Array | Int32Array, x.shape, axes));
  }

  argReduce(op: ArgReduceOp, x: TensorSpec, axis: number): DataHandle {
    this.checkAlive('argReduce');
    const name: string = op;
    if (name !== 'argmax' && name !== 'argmin') throw new GatedError('argReduce', `unknown op ${name}`);
    const input = this.input('argReduce', 'x', x, ANY);
    checkAxis('argReduce', axis, x.shape.length);
    return this.counted(argReduce(op, input.values, x.shape, axis));
  }

  matmul(a: TensorSpec, b: TensorSpec, transposeA: boolean, transposeB: boolean, outShape: Shape): DataHandle {
    this.checkAlive('matmul');
    const left = this.float('matmul', 'a', a);
    const right = this.float('matmul', 'b', b);
    checkMatmulShapes(a.shape, b.shape, transposeA, transposeB, outShape);
    return this.counted(matmul(left, a.shape, right, b.shape, transposeA, transposeB, outShape));
  }

  stridedCopy(x: StridedSpec): DataHandle {
    this.checkAlive('stridedCopy');
    const source = this.own('stridedCopy', x.data, 'x');
    checkStrides(x.shape, x.strides, x.offset);
    return this.counted(stridedCopy(source.values, source.dtype, x.shape, x.strides, x.offset));
  }

  concat(inputs: readonly TensorSpec[], axis: number, outShape: Shape): DataHandle {
    this.checkAlive('concat');
    checkConcatShapes(inputs.map((spec) => spec.shape), axis, outShape);
    const buffers: TsBuffer[] = [];
    for (const [i, spec] of inputs.entries()) {
      buffers.push(this.input('concat', `input ${i}`, spec, buffers.length ? [buffers[0]!.dtype] : ANY));
    }
    return this.counted(concat(buffers.map((b) => b.values), buffers[0]!.dtype, axis, outShape));
  }

  gather(x: TensorSpec, indices: TensorSpec, axis: number): DataHandle {
    this.checkAlive('gather');
    const source = this.input('gather', 'x', x);
    const index = this.input('gather', 'indices', indices, INT);
    checkAxis('gather', axis, x.shape.length);
    return this.counted(gather(source.values, source.dtype, x.shape, index.values as Int32Array, axis));
  }

  scatterAdd(updates: TensorSpec, indices: TensorSpec, axis: number, outShape: Shape): DataHandle {
    this.checkAlive('scatterAdd');
    const source = this.input('scatterAdd', 'updates', updates, NUMERIC);
    const index = this.input('scatterAdd', 'indices', indices, INT);
    checkScatterAddShapes(updates.shape, indices.shape, axis, outShape);
    const out = scatterAdd(source.values as Float32Array | Int32Array, index.values as Int32Array, axis, outShape);
    return this.counted(out);
  }

  random(request: RandomRequest): DataHandle {
    this.checkAlive('random');
    checkSize('random', request.size);
    const kind: string = request.spec.kind;
    if (kind !== 'uniform' && kind !== 'normal' && kind !== 'bernoulli') {
      throw new GatedError('random', `unknown distribution ${kind}`);
    }
    return this.counted(random(request));
  }

  // ---- fused kernels -------------------------------------------------------------------------

  lstmCell(inputs: LstmCellInputs): LstmCellOutputs {
    this.checkAlive('lstmCell');
    const [batch, hidden] = checkStateShape('lstmCell', 'c', inputs.c.shape);
    const c = this.float('lstmCell', 'c', inputs.c);
    const inputGates = this.float('lstmCell', 'inputGates', inputs.inputGates, [batch, 4 * hidden]);
    const hiddenGates = this.float('lstmCell', 'hiddenGates', inputs.hiddenGates, [batch, 4 * hidden]);
    const out = lstmCell(inputGates, hiddenGates, c, batch, hidden);
    this.kernelCalls++;
    return { h: this.adopt(out.h), c: this.adopt(out.c), gates: this.adopt(out.gates) };
  }

  lstmCellBackward(inputs: LstmCellBackwardInputs): LstmCellBackwardOutputs {
    const op = 'lstmCellBackward';
    this.checkAlive(op);
    const [batch, hidden] = checkStateShape(op, 'c', inputs.c.shape);
    const state = [batch, hidden];
    const out = lstmCellBackward(
      this.float(op, 'dh', inputs.dh, state),
      this.float(op, 'dc', inputs.dc, state),
      this.float(op, 'c', inputs.c),
      this.float(op, 'cNew', inputs.cNew, state),
      this.float(op, 'gates', inputs.gates, [batch, 4 * hidden]),
      batch,
      hidden,
    );
    this.kernelCalls++;
    return { dGates: this.adopt(out.dGates), dc: this.adopt(out.dc) };
  }

  lstmSequence(inputs: LstmSequenceInputs): LstmSequenceOutputs {
    this.checkAlive('lstmSequence');
    const dims = checkSequenceShapes('lstmSequence', inputs);
    const { steps, batch } = dims;
    const out = lstmSequence(
      dims,
      this.float('lstmSequence', 'inputGates', inputs.inputGates),
      this.float('lstmSequence', 'weightHh', inputs.weightHh),
      this.float('lstmSequence', 'h0', inputs.h0),
      this.float('lstmSequence', 'c0', inputs.c0),
      this.lengths('lstmSequence', inputs.lengths, steps, batch),
      inputs.reverse,
    );
    this.kernelCalls++;
    return {
      output: this.adopt(out.output),
      h: this.adopt(out.h),
      c: this.adopt(out.c),
      gates: this.adopt(out.gates),
      cells: this.adopt(out.cells),
    };
  }

  lstmSequenceBackward(inputs: LstmSequenceBackwardInputs): LstmSequenceBackwardOutputs {
    const op = 'lstmSequenceBackward';
    this.checkAlive(op);
    const { forward } = inputs;
    const dims = checkSequenceShapes(op, forward);
    const { steps, batch, hidden } = dims;
    const perStep = [steps, batch, hidden];
    const out = lstmSequenceBackward(
      dims,
      {
        h0: this.float(op, 'h0', forward.h0),
        c0: this.float(op, 'c0', forward.c0),
        weightHh: this.float(op, 'weightHh', forward.weightHh),
        lengths: this.lengths(op, forward.lengths, steps, batch),
        reverse: forward.reverse,
        output: this.float(op, 'output', inputs.output, perStep),
        gates: this.float(op, 'gates', inputs.gates, [steps, batch, 4 * hidden]),
        cells: this.float(op, 'cells', inputs.cells, perStep),
      },
      this.float(op, 'dOutput', inputs.dOutput, perStep),
      this.float(op, 'dh', inputs.dh, [batch, hidden]),
      this.float(op, 'dc', inputs.dc, [batch, hidden]),
    );
    this.kernelCalls++;
    return {
      dInputGates: this.adopt(out.dInputGates),
      dWeightHh: this.adopt(out.dWeightHh),
      dh0: this.adopt(out.dh0),
      dc0: this.adopt(out.dc0),
    };
  }

  adamStep(inputs: AdamStepInputs): void {
    this.checkAlive('adamStep');
    const shape = inputs.param.shape;
    const param = this.float('adamStep', 'param', inputs.param);
    const grad = this.float('adamStep', 'grad', inputs.grad, shape);
    const m = this.float('adamStep', 'm', inputs.m, shape);
    const v = this.float('adamStep', 'v', inputs.v, shape);
    const vMax = inputs.vMax === null ? null : this.float('adamStep', 'vMax', inputs.vMax, shape);
    if (!(inputs.step >= 1)) throw new GatedError('adamStep', `step counts from 1, got ${inputs.step}`);
    adamStep(param, grad, m, v, vMax, inputs);
    this.kernelCalls++;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private checkAlive(op: string): void {
    if (this.disposed) throw new GatedError(op, 'the ts backend was disposed');
  }

  /** Wraps the result of a single-output kernel that ran, counting the call. */
  private counted(values: TypedArray): TsBuffer {
    this.kernelCalls++;
    return this.adopt(values);
  }

  private adopt(values: TypedArray): TsBuffer {
    const buffer = new TsBuffer(this, dtypeOf(values), values);
    this.live.add(buffer);
    this.liveBytes += buffer.bytes;
    return buffer;
  }

  /** The live TsBuffer behind `handle`, or a GatedError naming `op`. */
  private own(op: string, handle: DataHandle, what = 'buffer'): TsBuffer {
    this.checkAlive(op);
    if (!(handle instanceof TsBuffer) || handle.owner !== this) {
      throw new GatedError(op, `${what} is not a buffer of this ts backend`);
    }
    if (handle.freed) throw new GatedError(op, `${what} was already freed`);
    return handle;
  }

  /** A live input whose shape matches its buffer, optionally restricted to some dtypes. */
  private input(op: string, what: string, spec: TensorSpec, allowed?: readonly DType[]): TsBuffer {
    const buffer = this.own(op, spec.data, what);
    if (sizeOf(spec.shape) !== buffer.size) {
      throw new GatedError(op, `${what} has shape ${formatShape(spec.shape)} but its buffer holds ${buffer.size} elements`);
    }
    if (allowed) checkAllowed(op, what, buffer.dtype, allowed);
    return buffer;
  }

  /** A float32 input's values, checking its shape against `shape` when given. */
  private float(op: string, what: string, spec: TensorSpec, shape?: Shape): Float32Array {
    if (shape) checkShape(op, what, spec.shape, shape);
    return this.input(op, what, spec, FLOAT).values as Float32Array;
  }

  private lengths(op: string, spec: TensorSpec | null, steps: number, batch: number): Int32Array | null {
    if (spec === null) return null;
    checkShape(op, 'lengths', spec.shape, [batch]);
    const lengths = this.input(op, 'lengths', spec, INT).values as Int32Array;
    checkLengths(op, lengths, steps);
    return lengths;
  }
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
  return new TsBackend();
}

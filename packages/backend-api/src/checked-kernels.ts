/**
 * The compute methods of the checked layer (checked-backend.ts): for each kernel of the contract,
 * the checks of its arguments, then the call. Each check is O(rank) or O(inputs), never
 * O(elements). Checks that read buffer contents (gather indices, LSTM lengths) stay with the
 * backends, which can read their buffers cheaply (or, on a GPU, not at all: see `Backend.gather`).
 */
import type { Backend, DataHandle, TensorSpec } from './backend.js';
import type { HandleGuard } from './checked-backend.js';
import {
  checkAllowed,
  checkAxis,
  checkBroadcast,
  checkConcatShapes,
  checkDType,
  checkMatmulShapes,
  checkReduceAxes,
  checkScatterAddShapes,
  checkSize,
} from './checks.js';
import type { DType } from './dtype.js';
import { GatedError } from './errors.js';
import { FUSED_SIGNATURES, checkFusedOperands, checkProjectionSize, type FusedKernel, type OperandView } from './fused.js';
import { BINARY_TYPING, REDUCE_TYPING, UNARY_TYPING, type ArgReduceOp, type BinaryOp, type ReduceOp, type UnaryOp } from './ops.js';
import type { Shape } from './shape.js';

const NUMERIC: readonly DType[] = ['float32', 'int32'];
const FLOAT: readonly DType[] = ['float32'];
const INT: readonly DType[] = ['int32'];
const BOOL: readonly DType[] = ['bool'];

function knownOp(method: string, table: object, op: string): void {
  if (!Object.hasOwn(table, op)) throw new GatedError(method, `unknown op ${op}`);
}

/**
 * Validates the tensor operands of a fused kernel: each a live input of this backend, then all of
 * them against the kernel's signature (dtypes and shapes, with one message format everywhere).
 */
function fusedOperands(guard: HandleGuard, op: FusedKernel, operands: { readonly [name: string]: TensorSpec | null }): void {
  const views: Record<string, OperandView | null> = {};
  for (const [name, spec] of Object.entries(operands)) {
    if (spec === null) {
      views[name] = null;
      continue;
    }
    const handle = guard.input(op, name, spec);
    views[name] = { shape: spec.shape, dtype: handle.dtype };
  }
  checkFusedOperands(op, FUSED_SIGNATURES[op].inputs, views);
}

/** The checked compute methods of `raw`: the required core, and the fused kernels it has. */
export function checkedKernels(guard: HandleGuard, raw: Backend): Partial<Backend> {
  const methods: Partial<Backend> = {
    fill(dtype: DType, size: number, value: number): DataHandle {
      guard.alive('fill');
      checkDType('fill', dtype);
      checkSize('fill', size);
      return guard.adopt(raw.fill(dtype, size, value));
    },
    cast(x: TensorSpec, dtype: DType): DataHandle {
      guard.input('cast', 'x', x);
      checkDType('cast', dtype);
      return guard.adopt(raw.cast(x, dtype));
    },
    unary(op: UnaryOp, x: TensorSpec): DataHandle {
      guard.alive('unary');
      knownOp('unary', UNARY_TYPING, op);
      const { inputs } = UNARY_TYPING[op];
      const input = guard.input('unary', 'x', x);
      // The operand's name is built only for the error message.
      if (!inputs.includes(input.dtype)) checkAllowed('unary', `x of ${op}`, input.dtype, inputs);
      return guard.adopt(raw.unary(op, x));
    },
    binary(op: BinaryOp, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
      guard.alive('binary');
      knownOp('binary', BINARY_TYPING, op);
      const { inputs } = BINARY_TYPING[op];
      const left = guard.input('binary', 'a', a);
      const right = guard.input('binary', 'b', b);
      if (right.dtype !== left.dtype) checkAllowed('binary', 'b', right.dtype, [left.dtype]);
      if (!inputs.includes(left.dtype)) checkAllowed('binary', `a of ${op}`, left.dtype, inputs);
      checkBroadcast('binary', 'a', a.shape, outShape);
      checkBroadcast('binary', 'b', b.shape, outShape);
      return guard.adopt(raw.binary(op, a, b, outShape));
    },
    where(cond: TensorSpec, a: TensorSpec, b: TensorSpec, outShape: Shape): DataHandle {
      guard.input('where', 'cond', cond, BOOL);
      const left = guard.input('where', 'a', a);
      guard.input('where', 'b', b, [left.dtype]);
      checkBroadcast('where', 'cond', cond.shape, outShape);
      checkBroadcast('where', 'a', a.shape, outShape);
      checkBroadcast('where', 'b', b.shape, outShape);
      return guard.adopt(raw.where(cond, a, b, outShape));
    },
    reduce(op: ReduceOp, x: TensorSpec, axes: readonly number[]): DataHandle {
      guard.alive('reduce');
      knownOp('reduce', REDUCE_TYPING, op);
      guard.input('reduce', 'x', x, REDUCE_TYPING[op].inputs);
      checkReduceAxes('reduce', axes, x.shape.length);
      return guard.adopt(raw.reduce(op, x, axes));
    },
    argReduce(op: ArgReduceOp, x: TensorSpec, axis: number): DataHandle {
      guard.alive('argReduce');
      const name: string = op;
      if (name !== 'argmax' && name !== 'argmin') throw new GatedError('argReduce', `unknown op ${name}`);
      guard.input('argReduce', 'x', x);
      checkAxis('argReduce', axis, x.shape.length);
      if (x.shape[axis] === 0 && sizeOfOthers(x.shape, axis) > 0) {
        throw new GatedError('argReduce', `${op} over axis ${axis} of size 0 has no answer`);
      }
      return guard.adopt(raw.argReduce(op, x, axis));
    },
    matmul(a: TensorSpec, b: TensorSpec, transposeA: boolean, transposeB: boolean, outShape: Shape): DataHandle {
      guard.input('matmul', 'a', a, FLOAT);
      guard.input('matmul', 'b', b, FLOAT);
      checkMatmulShapes(a.shape, b.shape, transposeA, transposeB, outShape);
      return guard.adopt(raw.matmul(a, b, transposeA, transposeB, outShape));
    },
    concat(inputs: readonly TensorSpec[], axis: number, outShape: Shape): DataHandle {
      guard.alive('concat');
      checkConcatShapes(
        inputs.map((spec) => spec.shape),
        axis,
        outShape,
      );
      let dtype: DType | null = null;
      inputs.forEach((spec, i) => {
        dtype ??= guard.input('concat', `input ${i}`, spec).dtype;
        guard.input('concat', `input ${i}`, spec, [dtype]);
      });
      return guard.adopt(raw.concat(inputs, axis, outShape));
    },
    gather(x: TensorSpec, indices: TensorSpec, axis: number): DataHandle {
      guard.input('gather', 'x', x);
      guard.input('gather', 'indices', indices, INT);
      checkAxis('gather', axis, x.shape.length);
      return guard.adopt(raw.gather(x, indices, axis));
    },
    scatterAdd(updates: TensorSpec, indices: TensorSpec, axis: number, outShape: Shape): DataHandle {
      guard.input('scatterAdd', 'updates', updates, NUMERIC);
      guard.input('scatterAdd', 'indices', indices, INT);
      checkScatterAddShapes(updates.shape, indices.shape, axis, outShape);
      return guard.adopt(raw.scatterAdd(updates, indices, axis, outShape));
    },
    random(request) {
      guard.alive('random');
      checkSize('random', request.size);
      const kind: string = request.spec.kind;
      if (kind !== 'uniform' && kind !== 'normal' && kind !== 'bernoulli') {
        throw new GatedError('random', `unknown distribution ${kind}`);
      }
      return guard.adopt(raw.random(request));
    },
  };
  addFused(methods, guard, raw);
  return methods;
}

function sizeOfOthers(shape: Shape, axis: number): number {
  let size = 1;
  shape.forEach((dim, d) => {
    if (d !== axis) size *= dim;
  });
  return size;
}

/** The checked fused kernels, for those `raw` implements (the engine reads their presence). */
function addFused(methods: Partial<Backend>, guard: HandleGuard, raw: Backend): void {
  const lstmCell = raw.lstmCell?.bind(raw);
  const lstmCellBackward = raw.lstmCellBackward?.bind(raw);
  const adamStep = raw.adamStep?.bind(raw);
  if (lstmCell) {
    methods.lstmCell = (inputs) => {
      guard.alive('lstmCell');
      fusedOperands(guard, 'lstmCell', inputs);
      return guard.adoptAll(lstmCell(inputs));
    };
  }
  if (lstmCellBackward) {
    methods.lstmCellBackward = (inputs) => {
      guard.alive('lstmCellBackward');
      fusedOperands(guard, 'lstmCellBackward', inputs);
      return guard.adoptAll(lstmCellBackward(inputs));
    };
  }
  addSequences(methods, guard, raw);
  if (adamStep) {
    methods.adamStep = (inputs) => {
      guard.alive('adamStep');
      const { param, grad, m, v, vMax } = inputs;
      fusedOperands(guard, 'adamStep', { param, grad, m, v, vMax });
      if (!(inputs.step >= 1)) throw new GatedError('adamStep', `step counts from 1, got ${inputs.step}`);
      adamStep(inputs);
    };
  }
}

/**
 * A projection reaches only a backend that announced it: a 1.0 kernel would ignore `weightHr`
 * and return an unprojected result (docs/decisions/0017).
 */
function checkProjection(op: string, raw: Backend, weightHr: TensorSpec | null | undefined): void {
  if (!weightHr) return;
  if (raw.caps.fused.lstmProjection !== true) {
    throw new GatedError(op, `the ${raw.name} backend's kernel has no projection (caps.fused.lstmProjection): run the composite instead`);
  }
  checkProjectionSize(op, weightHr.shape);
}

/** The whole-sequence kernels: their tensor operands checked by signature, their flags left out. */
function addSequences(methods: Partial<Backend>, guard: HandleGuard, raw: Backend): void {
  const lstmSequence = raw.lstmSequence?.bind(raw);
  const lstmSequenceBackward = raw.lstmSequenceBackward?.bind(raw);
  const gruSequence = raw.gruSequence?.bind(raw);
  const gruSequenceBackward = raw.gruSequenceBackward?.bind(raw);
  if (lstmSequence) {
    methods.lstmSequence = (inputs) => {
      guard.alive('lstmSequence');
      const { reverse: _reverse, inference: _inference, ...operands } = inputs;
      fusedOperands(guard, 'lstmSequence', { ...operands, weightHr: operands.weightHr ?? null });
      checkProjection('lstmSequence', raw, inputs.weightHr);
      return guard.adoptAll(lstmSequence(inputs));
    };
  }
  if (lstmSequenceBackward) {
    methods.lstmSequenceBackward = (inputs) => {
      guard.alive('lstmSequenceBackward');
      const {
        forward: { reverse: _reverse, inference: _inference, ...forward },
        ...rest
      } = inputs;
      fusedOperands(guard, 'lstmSequenceBackward', { ...forward, weightHr: forward.weightHr ?? null, ...rest });
      checkProjection('lstmSequenceBackward', raw, forward.weightHr);
      return guard.adoptAll(lstmSequenceBackward(inputs));
    };
  }
  if (gruSequence) {
    methods.gruSequence = (inputs) => {
      guard.alive('gruSequence');
      const { reverse: _reverse, inference: _inference, ...operands } = inputs;
      fusedOperands(guard, 'gruSequence', operands);
      return guard.adoptAll(gruSequence(inputs));
    };
  }
  if (gruSequenceBackward) {
    methods.gruSequenceBackward = (inputs) => {
      guard.alive('gruSequenceBackward');
      const {
        forward: { reverse: _reverse, inference: _inference, ...forward },
        ...rest
      } = inputs;
      fusedOperands(guard, 'gruSequenceBackward', { ...forward, ...rest });
      return guard.adoptAll(gruSequenceBackward(inputs));
    };
  }
}

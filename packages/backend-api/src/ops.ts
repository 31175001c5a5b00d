/**
 * Op names, in two tiers.
 *
 * Kernel ops are what a backend computes: the members of {@link UnaryOp}, {@link BinaryOp},
 * {@link ReduceOp} and {@link ArgReduceOp}, each with the dtypes it accepts and returns.
 *
 * Tensor ops are what the engine records for autodiff: every public op of `@gated/tensor` that
 * creates a node on the tape, with its typed attributes in {@link OpAttrs}. One op, one name,
 * everywhere: `mul` is the kernel op, the tensor function and the key of its gradient rule.
 */
import type { DType } from './dtype.js';
import type { RandomSpec } from './random.js';
import type { Shape } from './shape.js';

/** Elementwise single-input kernels. */
export const UNARY_OPS = [
  'neg',
  'abs',
  'sign',
  'exp',
  'log',
  'log1p',
  'expm1',
  'sqrt',
  'rsqrt',
  'square',
  'reciprocal',
  'sigmoid',
  'tanh',
  'relu',
  'sin',
  'cos',
  'floor',
  'ceil',
  'round',
  'logicalNot',
  'isNaN',
  'isFinite',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Elementwise two-input kernels with numpy broadcasting. */
export const BINARY_OPS = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'equal',
  'notEqual',
  'less',
  'lessEqual',
  'greater',
  'greaterEqual',
  'logicalAnd',
  'logicalOr',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Reductions over a set of axes. */
export const REDUCE_OPS = ['sum', 'prod', 'max', 'min'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Index-of-extremum reductions over one axis; they return int32. */
export const ARG_REDUCE_OPS = ['argmax', 'argmin'] as const;
export type ArgReduceOp = (typeof ARG_REDUCE_OPS)[number];

/** What a kernel accepts and returns. `same` means the output dtype equals the input dtype. */
export interface KernelTyping {
  readonly inputs: readonly DType[];
  readonly output: DType | 'same';
}

const FLOAT: KernelTyping = { inputs: ['float32'], output: 'same' };
const NUMERIC: KernelTyping = { inputs: ['float32', 'int32'], output: 'same' };
const TEST: KernelTyping = { inputs: ['float32'], output: 'bool' };
const LOGICAL: KernelTyping = { inputs: ['bool'], output: 'bool' };
const COMPARE: KernelTyping = { inputs: ['float32', 'int32', 'bool'], output: 'bool' };

/**
 * Dtypes of each unary kernel. Integer inputs to float functions (exp of an int32) are refused
 * rather than silently promoted: cast first.
 */
export const UNARY_TYPING: Readonly<Record<UnaryOp, KernelTyping>> = {
  neg: NUMERIC,
  abs: NUMERIC,
  sign: NUMERIC,
  square: NUMERIC,
  relu: NUMERIC,
  exp: FLOAT,
  log: FLOAT,
  log1p: FLOAT,
  expm1: FLOAT,
  sqrt: FLOAT,
  rsqrt: FLOAT,
  reciprocal: FLOAT,
  sigmoid: FLOAT,
  tanh: FLOAT,
  sin: FLOAT,
  cos: FLOAT,
  floor: FLOAT,
  ceil: FLOAT,
  round: FLOAT,
  isNaN: TEST,
  isFinite: TEST,
  logicalNot: LOGICAL,
};

/**
 * Dtypes of each binary kernel; both inputs must have the same dtype. int32 `div` is refused
 * (cast to float32 for true division), as is int32 `pow` with negative exponents' ambiguity:
 * `pow` is float32 only.
 */
export const BINARY_TYPING: Readonly<Record<BinaryOp, KernelTyping>> = {
  add: NUMERIC,
  sub: NUMERIC,
  mul: NUMERIC,
  maximum: NUMERIC,
  minimum: NUMERIC,
  div: FLOAT,
  pow: FLOAT,
  equal: COMPARE,
  notEqual: COMPARE,
  less: COMPARE,
  lessEqual: COMPARE,
  greater: COMPARE,
  greaterEqual: COMPARE,
  logicalAnd: LOGICAL,
  logicalOr: LOGICAL,
};

/** Dtypes of each reduction. */
export const REDUCE_TYPING: Readonly<Record<ReduceOp, KernelTyping>> = {
  sum: NUMERIC,
  prod: NUMERIC,
  max: NUMERIC,
  min: NUMERIC,
};

/** Attribute types of every tensor op the engine records, keyed by op name. */
export interface OpAttrs {
  // elementwise
  neg: null;
  abs: null;
  sign: null;
  exp: null;
  log: null;
  log1p: null;
  expm1: null;
  sqrt: null;
  rsqrt: null;
  square: null;
  reciprocal: null;
  sigmoid: null;
  tanh: null;
  relu: null;
  sin: null;
  cos: null;
  floor: null;
  ceil: null;
  round: null;
  logicalNot: null;
  isNaN: null;
  isFinite: null;
  add: null;
  sub: null;
  mul: null;
  div: null;
  pow: null;
  maximum: null;
  minimum: null;
  equal: null;
  notEqual: null;
  less: null;
  lessEqual: null;
  greater: null;
  greaterEqual: null;
  logicalAnd: null;
  logicalOr: null;
  where: null;
  cast: { readonly dtype: DType };
  clip: { readonly min: number; readonly max: number };
  // reductions (axes normalised and sorted)
  sum: { readonly axes: readonly number[]; readonly keepDims: boolean };
  prod: { readonly axes: readonly number[]; readonly keepDims: boolean };
  max: { readonly axes: readonly number[]; readonly keepDims: boolean };
  min: { readonly axes: readonly number[]; readonly keepDims: boolean };
  argmax: { readonly axis: number; readonly keepDims: boolean };
  argmin: { readonly axis: number; readonly keepDims: boolean };
  logSumExp: { readonly axes: readonly number[]; readonly keepDims: boolean };
  softmax: { readonly axis: number };
  logSoftmax: { readonly axis: number };
  // linear algebra
  matmul: { readonly transposeA: boolean; readonly transposeB: boolean };
  // layout (views)
  reshape: { readonly shape: Shape };
  permute: { readonly perm: readonly number[] };
  expand: { readonly shape: Shape };
  slice: { readonly begin: readonly number[]; readonly size: readonly number[] };
  clone: null;
  /** One view per step of `axis` (v1.1): one op, whose gradient is one concatenation. */
  unbind: { readonly axis: number };
  /** Consecutive views along `axis` of the given sizes: one op, whose gradient is one concatenation. */
  split: { readonly axis: number; readonly sizes: readonly number[] };
  // joining and indexing
  concat: { readonly axis: number };
  gather: { readonly axis: number };
  scatterAdd: { readonly axis: number; readonly shape: Shape };
  // fused recurrent ops (a backend kernel when `caps.fused` offers one, else a composite of the above)
  lstmCell: LstmOpAttrs;
  lstmCellBackward: LstmOpAttrs;
  lstmSequence: LstmSequenceOpAttrs;
  lstmSequenceBackward: LstmSequenceOpAttrs;
  gruSequence: GruSequenceOpAttrs;
  gruSequenceBackward: GruSequenceOpAttrs;
}

/** Attributes of the fused LSTM cell ops. */
export interface LstmOpAttrs {
  /** Use the backend's fused kernel when it has one; false always runs the composite. */
  readonly fused: boolean;
}

/**
 * Attributes of the whole-sequence LSTM ops. Their inputs are `inputGates, weightHh, h0, c0`,
 * then `weightHr` when `projected`, then `lengths` when given.
 */
export interface LstmSequenceOpAttrs extends LstmOpAttrs {
  /** Steps run from T-1 down to 0 (the reverse direction of a bidirectional layer). */
  readonly reverse: boolean;
  /** A projection `weightHr` is among the inputs (v1.1). */
  readonly projected: boolean;
}

/**
 * Attributes of the whole-sequence GRU ops. Their inputs are `inputGates, weightHh, h0`, then
 * `biasHn` when `withBias`, then `lengths` when given.
 */
export interface GruSequenceOpAttrs extends LstmOpAttrs {
  readonly reverse: boolean;
  /** A recurrent bias `biasHn` is among the inputs. */
  readonly withBias: boolean;
}

/** Every tensor op name the engine can record. */
export type OpName = keyof OpAttrs;

/** Attributes of op `N`. */
export type AttrsOf<N extends OpName> = OpAttrs[N];

/** A random fill request, for the `random` kernel. */
export interface RandomRequest {
  readonly spec: RandomSpec;
  readonly size: number;
  readonly key: readonly [number, number];
}

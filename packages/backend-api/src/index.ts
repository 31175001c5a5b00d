/**
 * `@gated/backend-api`: the contract between Gated's tensor engine and its compute backends.
 * No runtime dependencies; every export is either a type, a constant, or a small pure helper
 * that backends and the engine share (shapes, dtypes, the random stream, errors).
 */
export { SPEC_VERSION } from './backend.js';
export type {
  AdamStepInputs,
  Backend,
  BackendCaps,
  BackendFactory,
  BackendInfo,
  BackendMemory,
  DataHandle,
  FusedCaps,
  LstmCellBackwardInputs,
  LstmCellBackwardOutputs,
  LstmCellInputs,
  LstmCellOutputs,
  LstmSequenceBackwardInputs,
  LstmSequenceBackwardOutputs,
  LstmSequenceInputs,
  LstmSequenceOutputs,
  StridedSpec,
  TensorSpec,
} from './backend.js';
export {
  checkAllowed,
  checkAxis,
  checkBroadcast,
  checkConcatShapes,
  checkDType,
  checkLengths,
  checkMatmulShapes,
  checkReduceAxes,
  checkScatterAddShapes,
  checkSequenceShapes,
  checkShape,
  checkSize,
  checkStateShape,
  checkStrides,
} from './checks.js';
export type { MatmulDims, SequenceDims } from './checks.js';
export { DTYPES, allocArray, bytesPerElement, isArrayOfDType, isDType } from './dtype.js';
export type { DType, DTypeArrayMap, TypedArray, TypedArrayFor } from './dtype.js';
export { GatedError, formatShape } from './errors.js';
export {
  ARG_REDUCE_OPS,
  BINARY_OPS,
  BINARY_TYPING,
  REDUCE_OPS,
  REDUCE_TYPING,
  UNARY_OPS,
  UNARY_TYPING,
} from './ops.js';
export type {
  ArgReduceOp,
  AttrsOf,
  BinaryOp,
  KernelTyping,
  LstmOpAttrs,
  LstmSequenceOpAttrs,
  OpAttrs,
  OpName,
  RandomRequest,
  ReduceOp,
  UnaryOp,
} from './ops.js';
export { bitsToUnit, foldKey, keyFromSeed, randomValue, threefry2x32 } from './random.js';
export type { RandomKey, RandomSpec } from './random.js';
export {
  assertValidShape,
  broadcastAll,
  broadcastShapes,
  broadcastStrides,
  contiguousStrides,
  isPermutation,
  normalizeAxes,
  normalizeAxis,
  reducedShape,
  shapesEqual,
  sizeOf,
} from './shape.js';
export type { Shape } from './shape.js';

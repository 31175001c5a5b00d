/**
 * `@gated/backend-api`: the contract between Gated's tensor engine and its compute backends.
 * No runtime dependencies; every export is either a type, a constant, or a small pure helper
 * that backends and the engine share (shapes, dtypes, the random stream, errors).
 */
export { SPEC_REVISION, SPEC_VERSION } from './backend.js';
export type {
  Backend,
  BackendCaps,
  BackendFactory,
  BackendInfo,
  BackendMemory,
  DataHandle,
  FusedCaps,
  StridedSpec,
  TensorSpec,
} from './backend.js';
export { checkedBackend, isCheckedBackend } from './checked-backend.js';
export { FUSED_SIGNATURES, checkFusedOperands, checkProjectionSize, fusedShape } from './fused.js';
export { sequenceDims } from './fused-sequence.js';
export type {
  GruSequenceBackwardInputs,
  GruSequenceBackwardOutputs,
  GruSequenceInputs,
  GruSequenceOutputs,
  LstmSequenceBackwardInputs,
  LstmSequenceBackwardOutputs,
  LstmSequenceInputs,
  LstmSequenceOutputs,
  SequenceDims,
} from './fused-sequence.js';
export type {
  AdamStepHyper,
  AdamStepInputs,
  AdamStepTensors,
  BoundDims,
  FusedKernel,
  FusedSignature,
  LstmCellBackwardInputs,
  LstmCellBackwardOutputs,
  LstmCellInputs,
  LstmCellOutputs,
  OperandSignature,
  OperandView,
} from './fused.js';
export {
  checkAllowed,
  checkAxis,
  checkBroadcast,
  checkConcatShapes,
  checkDType,
  checkIndices,
  checkLengths,
  checkMatmulShapes,
  checkOptions,
  checkReduceAxes,
  checkScatterAddShapes,
  checkShape,
  checkSize,
} from './checks.js';
export type { MatmulDims } from './checks.js';
export { INT32_MAX, INT32_MIN, convertValue, describeValue, int32Problem, saturateInt32, userValue } from './convert.js';
export { DTYPES, allocArray, bytesPerElement, isArrayOfDType, isDType } from './dtype.js';
export type { DType, DTypeArrayMap, TypedArray, TypedArrayFor } from './dtype.js';
export { GatedError, formatShape } from './errors.js';
export { ARG_REDUCE_OPS, BINARY_OPS, BINARY_TYPING, REDUCE_OPS, REDUCE_TYPING, UNARY_OPS, UNARY_TYPING } from './ops.js';
export type {
  ArgReduceOp,
  AttrsOf,
  BinaryOp,
  GruSequenceOpAttrs,
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
  mergeAxes,
  normalizeAxes,
  normalizeAxis,
  outerInner,
  reducedShape,
  shapesEqual,
  sizeOf,
} from './shape.js';
export type { MergedAxes, Shape } from './shape.js';

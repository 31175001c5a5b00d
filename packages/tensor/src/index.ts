/**
 * `@gated/tensor`: tensors, the engine that owns them, and every op an LSTM stack needs.
 *
 * @example
 * ```ts
 * import { registerBackend, setBackend, tensor, matmul } from '@gated/tensor';
 * import { createTsBackend } from '@gated/backend-ts';
 *
 * registerBackend('ts', createTsBackend);
 * await setBackend('ts');
 * const y = matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]]));
 * console.log(await y.toArray()); // [[17], [39]]
 * ```
 */
export type {} from './disposable.js';
export { GatedError } from '@gated/backend-api';
export type { Backend, BackendFactory, BackendInfo, DType, Shape, TypedArray } from '@gated/backend-api';
export { Tensor } from './tensor.js';
export type { DTypeValueMap, NestedArray } from './tensor.js';
export type { MemoryInfo } from './engine.js';
export {
  getBackend,
  getBackendName,
  initBackend,
  isGradEnabled,
  listBackends,
  memory,
  registerBackend,
  removeBackend,
  setBackend,
  setGradEnabled,
  setLeakReporter,
} from './registry.js';
export { Scope, dispose, keep, tidy, withScope } from './scope.js';
export {
  arange,
  bernoulli,
  eye,
  full,
  fullLike,
  linspace,
  manualSeed,
  normal,
  ones,
  onesLike,
  rand,
  randn,
  randperm,
  scalar,
  tensor,
  uniform,
  zeros,
  zerosLike,
} from './creation.js';
export type { DTypeOption, SeedOption, TensorOptions, TensorValues } from './creation.js';
export type { TensorLike } from './ops/operands.js';
// One function per op of UNARY_OPS and BINARY_OPS, named as the op.
export * from './ops/unary.js';
export * from './ops/binary.js';
export { where } from './ops/where.js';
export { cast } from './ops/cast.js';
export { clip } from './ops/clip.js';
export { clone, contiguous } from './ops/clone.js';
export { max, mean, min, prod, sum } from './ops/reduce.js';
export type { Axes } from './ops/reduce.js';
export { argmax, argmin } from './ops/arg-reduce.js';
export { logSoftmax, logSumExp, softmax } from './ops/softmax.js';
export { matmul } from './ops/matmul.js';
export type { MatmulOptions } from './ops/matmul.js';
export { flatten, reshape } from './ops/reshape.js';
export { permute, transpose } from './ops/permute.js';
export { expand } from './ops/expand.js';
export { narrow, slice } from './ops/slice.js';
export { squeeze, unsqueeze } from './ops/squeeze.js';
export { concat, stack } from './ops/concat.js';
export { split, unbind } from './ops/split.js';
export { gather, indexSelect, scatterAdd } from './ops/gather.js';
export { pad } from './ops/pad.js';
export { adamStep, type AdamStepOptions, type AdamStepTensors } from './ops/adam-step.js';
export type { FusedOptions, SequenceOptions } from './ops/fused.js';
export { lstmCell, type LstmCellResult } from './ops/lstm-cell.js';
export { lstmSequence, type LstmSequenceArgs, type LstmSequenceResult } from './ops/lstm-sequence.js';
export { gruSequence, type GruSequenceArgs, type GruSequenceResult } from './ops/gru-sequence.js';
// Internals (the recorder hook, the backward ops, the composites) are in `@gated/tensor/internal`.

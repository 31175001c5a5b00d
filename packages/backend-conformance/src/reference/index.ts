/**
 * The float64 reference every backend is compared against. Independent of `@gated/tensor` and
 * of every backend by construction: it imports nothing but itself.
 */
export { NDArray, canonical, refAxis, rowMajorStrides, shapeSize, shapeText, unravel } from './ndarray.js';
export type { RefDType, RefNested } from './ndarray.js';
export { broadcastShape, broadcastTo } from './broadcast.js';
export { binary, cast, castValue, clip, floatRule, numericRule, roundHalfEven, unary, where } from './elementwise.js';
export type { RefBinaryOp, UnaryRule } from './elementwise.js';
export { absSum, argReduce, logSoftmax, logSumExp, mean, reduce, reductionCount, refAxes, softmax } from './reduce.js';
export type { RefArgReduceOp, RefAxes, RefReduceOp } from './reduce.js';
export { matmul } from './matmul.js';
export type { RefMatmulOptions } from './matmul.js';
export { concat, expand, flatten, narrow, pad, permute, reshape, slice, split, squeeze, stack, transpose, unsqueeze } from './layout.js';
export { gather, indexSelect, scatterAdd } from './indexing.js';

/**
 * The gradient table: one entry per op the engine records, either its rule (in `<op>.ts`) or a
 * declaration that it is not differentiable. TypeScript checks that no op is missing.
 */
import type { GradientTable, NonDifferentiable } from '../rule.js';
import { absGrad } from './abs.js';
import { addGrad } from './add.js';
import { castGrad } from './cast.js';
import { ceilGrad } from './ceil.js';
import { clipGrad } from './clip.js';
import { cloneGrad } from './clone.js';
import { concatGrad } from './concat.js';
import { cosGrad } from './cos.js';
import { divGrad } from './div.js';
import { expGrad } from './exp.js';
import { expandGrad } from './expand.js';
import { expm1Grad } from './expm1.js';
import { floorGrad } from './floor.js';
import { gatherGrad } from './gather.js';
import { logSoftmaxGrad } from './log-softmax.js';
import { lstmCellBackwardGrad, lstmCellGrad } from './lstm-cell.js';
import { lstmSequenceBackwardGrad, lstmSequenceGrad } from './lstm-sequence.js';
import { logSumExpGrad } from './log-sum-exp.js';
import { logGrad } from './log.js';
import { log1pGrad } from './log1p.js';
import { matmulGrad } from './matmul.js';
import { maxGrad } from './max.js';
import { maximumGrad } from './maximum.js';
import { minGrad } from './min.js';
import { minimumGrad } from './minimum.js';
import { mulGrad } from './mul.js';
import { negGrad } from './neg.js';
import { permuteGrad } from './permute.js';
import { powGrad } from './pow.js';
import { prodGrad } from './prod.js';
import { reciprocalGrad } from './reciprocal.js';
import { reluGrad } from './relu.js';
import { reshapeGrad } from './reshape.js';
import { roundGrad } from './round.js';
import { rsqrtGrad } from './rsqrt.js';
import { scatterAddGrad } from './scatter-add.js';
import { sigmoidGrad } from './sigmoid.js';
import { signGrad } from './sign.js';
import { sinGrad } from './sin.js';
import { sliceGrad } from './slice.js';
import { softmaxGrad } from './softmax.js';
import { sqrtGrad } from './sqrt.js';
import { squareGrad } from './square.js';
import { subGrad } from './sub.js';
import { sumGrad } from './sum.js';
import { tanhGrad } from './tanh.js';
import { whereGrad } from './where.js';

const comparison: NonDifferentiable = { nonDifferentiable: true, reason: 'its output is bool' };
const index: NonDifferentiable = { nonDifferentiable: true, reason: 'its output is an int32 index' };

export const GRADIENTS: GradientTable = {
  neg: negGrad,
  abs: absGrad,
  sign: signGrad,
  exp: expGrad,
  log: logGrad,
  log1p: log1pGrad,
  expm1: expm1Grad,
  sqrt: sqrtGrad,
  rsqrt: rsqrtGrad,
  square: squareGrad,
  reciprocal: reciprocalGrad,
  sigmoid: sigmoidGrad,
  tanh: tanhGrad,
  relu: reluGrad,
  sin: sinGrad,
  cos: cosGrad,
  floor: floorGrad,
  ceil: ceilGrad,
  round: roundGrad,
  logicalNot: comparison,
  isNaN: comparison,
  isFinite: comparison,
  add: addGrad,
  sub: subGrad,
  mul: mulGrad,
  div: divGrad,
  pow: powGrad,
  maximum: maximumGrad,
  minimum: minimumGrad,
  equal: comparison,
  notEqual: comparison,
  less: comparison,
  lessEqual: comparison,
  greater: comparison,
  greaterEqual: comparison,
  logicalAnd: comparison,
  logicalOr: comparison,
  where: whereGrad,
  cast: castGrad,
  clip: clipGrad,
  sum: sumGrad,
  prod: prodGrad,
  max: maxGrad,
  min: minGrad,
  argmax: index,
  argmin: index,
  logSumExp: logSumExpGrad,
  softmax: softmaxGrad,
  logSoftmax: logSoftmaxGrad,
  matmul: matmulGrad,
  reshape: reshapeGrad,
  permute: permuteGrad,
  expand: expandGrad,
  slice: sliceGrad,
  clone: cloneGrad,
  concat: concatGrad,
  gather: gatherGrad,
  scatterAdd: scatterAddGrad,
  lstmCell: lstmCellGrad,
  lstmCellBackward: lstmCellBackwardGrad,
  lstmSequence: lstmSequenceGrad,
  lstmSequenceBackward: lstmSequenceBackwardGrad,
};

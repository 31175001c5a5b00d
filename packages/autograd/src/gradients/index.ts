/**
 * The gradient table: one entry per op the engine records, either its rule (in the file of its
 * family) or a declaration that it is not differentiable. TypeScript checks that no op is missing.
 */
import type { GradientTable, NonDifferentiable } from '../rule.js';
import { BINARY_RULES, SELECT_RULES, UNARY_RULES } from './elementwise.js';
import { LAYOUT_RULES } from './layout.js';
import { RECURRENT_RULES } from './recurrent.js';
import { REDUCE_RULES } from './reduce.js';

const comparison: NonDifferentiable = { nonDifferentiable: true, reason: 'its output is bool' };
const index: NonDifferentiable = { nonDifferentiable: true, reason: 'its output is an int32 index' };

export const GRADIENTS: GradientTable = {
  ...UNARY_RULES,
  ...BINARY_RULES,
  ...SELECT_RULES,
  ...REDUCE_RULES,
  ...LAYOUT_RULES,
  ...RECURRENT_RULES,
  logicalNot: comparison,
  isNaN: comparison,
  isFinite: comparison,
  equal: comparison,
  notEqual: comparison,
  less: comparison,
  lessEqual: comparison,
  greater: comparison,
  greaterEqual: comparison,
  logicalAnd: comparison,
  logicalOr: comparison,
  argmax: index,
  argmin: index,
};

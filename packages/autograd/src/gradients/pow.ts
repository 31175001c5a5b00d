import { equal, greaterEqual, log, logicalAnd, mul, pow, sub, where } from '@gated/tensor';
import { sumToShape } from '../sum-to-shape.js';
import type { GradientRule } from '../rule.js';

/**
 * d(a^b): g·b·a^(b-1) for a; g·a^b·log(a) for b, taken as 0 where a = 0 and b >= 0 (PyTorch's
 * convention, which avoids 0·(-∞)). Saves both inputs and the output.
 */
export const powGrad: GradientRule<'pow'> = {
  save: ([a, b], [y]) => [a!, b!, y!],
  backward: ([g], { inputs: [ia, ib], saved: [a, b, y] }) => [
    ia!.needsGrad ? sumToShape(mul(g!, mul(b!, pow(a!, sub(b!, 1)))), ia!.shape) : null,
    ib!.needsGrad
      ? sumToShape(where(logicalAnd(equal(a!, 0), greaterEqual(b!, 0)), 0, mul(g!, mul(y!, log(a!)))), ib!.shape)
      : null,
  ],
};

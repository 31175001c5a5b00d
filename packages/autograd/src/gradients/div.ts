import { div, mul, neg } from '@gated/tensor';
import { sumToShape } from '../sum-to-shape.js';
import type { GradientRule } from '../rule.js';

/** d(a/b): g/b for a, -g·a/b² for b. Saves both inputs. */
export const divGrad: GradientRule<'div'> = {
  save: ([a, b]) => [a!, b!],
  backward: ([g], { inputs: [ia, ib], saved: [a, b] }) => [
    ia!.needsGrad ? sumToShape(div(g!, b!), ia!.shape) : null,
    ib!.needsGrad ? sumToShape(neg(div(mul(g!, a!), mul(b!, b!))), ib!.shape) : null,
  ],
};

import { mul } from '@gated/tensor';
import { sumToShape } from '../sum-to-shape.js';
import type { GradientRule } from '../rule.js';

/** d(a·b): g·b for a, g·a for b. Saves both inputs. */
export const mulGrad: GradientRule<'mul'> = {
  save: ([a, b]) => [a!, b!],
  backward: ([g], { inputs: [ia, ib], saved: [a, b] }) => [
    ia!.needsGrad ? sumToShape(mul(g!, b!), ia!.shape) : null,
    ib!.needsGrad ? sumToShape(mul(g!, a!), ib!.shape) : null,
  ],
};

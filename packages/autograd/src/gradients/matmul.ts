import { matmul } from '@gated/tensor';
import type { Tensor } from '@gated/tensor';
import { sumToShape } from '../sum-to-shape.js';
import type { GradientRule } from '../rule.js';

/**
 * For C = op(A)·op(B) (op = optional transpose): dA and dB are matmuls of g with the other
 * operand, with transpose flags chosen so no explicit transpose is materialised; broadcast batch
 * axes are summed away. Saves both inputs.
 */
export const matmulGrad: GradientRule<'matmul'> = {
  save: ([a, b]) => [a!, b!],
  backward: ([g], { attrs: { transposeA: ta, transposeB: tb }, inputs: [ia, ib], saved: [a, b] }) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (ia!.needsGrad) {
      da = ta ? matmul(b!, g!, { transposeA: tb, transposeB: true }) : matmul(g!, b!, { transposeB: !tb });
    }
    if (ib!.needsGrad) {
      db = tb ? matmul(g!, a!, { transposeA: true, transposeB: ta }) : matmul(a!, g!, { transposeA: !ta });
    }
    return [da && sumToShape(da, ia!.shape), db && sumToShape(db, ib!.shape)];
  },
};

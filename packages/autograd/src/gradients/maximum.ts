import { div, equal, greater, where } from '@gated/tensor';
import { sumToShape } from '../sum-to-shape.js';
import type { GradientRule } from '../rule.js';

/**
 * The gradient goes to the larger input; on ties it is split in half between them
 * (PyTorch's rule).
 */
export const maximumGrad: GradientRule<'maximum'> = {
  save: ([a, b]) => [a!, b!],
  backward: ([g], { inputs: [ia, ib], saved: [a, b] }) => {
    const half = div(g!, 2);
    const tie = equal(a!, b!);
    return [
      ia!.needsGrad ? sumToShape(where(tie, half, where(greater(a!, b!), g!, 0)), ia!.shape) : null,
      ib!.needsGrad ? sumToShape(where(tie, half, where(greater(b!, a!), g!, 0)), ib!.shape) : null,
    ];
  },
};

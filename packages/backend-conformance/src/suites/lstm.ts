/**
 * `@gated/lstm` on the backend under test: agreement with PyTorch on every reference case (the
 * RNN's included), GRU `linearBeforeReset: false` and LSTM peepholes against a float64 reference,
 * fused LSTM and GRU kernels against their composites (forward and backward, training and
 * inference mode), NaN in padded steps kept out of every gradient, the layers' behaviour
 * (state dicts, gate introspection, truncated BPTT, dropout, initializers, file formats), losses,
 * and clear errors for bad input. The sub-suites live in `./lstm/`.
 */
import type { SuiteContext } from '../harness/context.js';
import { layerErrorsSuite } from './lstm/errors.js';
import { fusedSuite } from './lstm/fused.js';
import { lossSuite } from './lstm/losses.js';
import { modulesSuite } from './lstm/modules.js';
import { paddingSuite } from './lstm/padding.js';
import { pytorchSuite } from './lstm/pytorch.js';
import { variantsSuite } from './lstm/variants.js';

export function lstmSuite(ctx: SuiteContext): void {
  ctx.describe('lstm', (suite) => {
    pytorchSuite(suite);
    variantsSuite(suite);
    fusedSuite(suite);
    modulesSuite(suite);
    paddingSuite(suite);
    lossSuite(suite);
    layerErrorsSuite(suite);
  });
}

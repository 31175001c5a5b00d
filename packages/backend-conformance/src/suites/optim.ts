/**
 * `@gated/optim` on this backend: every optimizer case of the PyTorch 1.13 reference
 * (fixtures/optim/optimizers.json: eight steps with fixed gradients, then the final state), the
 * `adamStep` op both as the composite and through the backend's fused kernel, exact resumption from
 * a state dict, gradient clipping against float64, memory staying flat over 10,000 steps, and
 * bad input. (The learning-rate schedules need no backend; they are tested in @gated/optim.)
 * The sub-suites live in `./optim/`.
 */
import '@gated/autograd';
import type { SuiteContext } from '../harness/context.js';
import { adamStepSuite } from './optim/adam-step.js';
import { loadOptimizerFixture } from './optim/cases.js';
import { behaviourSuite } from './optim/behaviour.js';
import { clippingSuite } from './optim/clipping.js';
import { memorySuite } from './optim/memory.js';
import { stateDictSuite } from './optim/state-dict.js';
import { trajectoriesSuite } from './optim/trajectories.js';

export function optimSuite(ctx: SuiteContext): void {
  ctx.describe('optim', async (suite) => {
    await loadOptimizerFixture();
    trajectoriesSuite(suite);
    adamStepSuite(suite);
    stateDictSuite(suite);
    behaviourSuite(suite);
    clippingSuite(suite);
    memorySuite(suite);
  });
}

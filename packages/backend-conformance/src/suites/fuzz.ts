/**
 * The fuzz suite: generated bad input for every public op, layer, optimizer and loader, on the
 * backend under test (property-based, with fast-check). Every case must give a GatedError naming
 * the function's op or a well-formed result, leave live tensors, buffers and bytes where they
 * were, and leave the library computing known values (`fuzz/run.ts`). Bounded by default;
 * `GATED_FUZZ_RUNS` and `GATED_FUZZ_SEED` make deep runs (`pnpm fuzz`). docs/decisions/0020.
 */
import * as T from '@gated/tensor';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { SuiteContext } from '../harness/context.js';
import { casesOf, checkProperty, fuzzParameters, runCase, type Target } from './fuzz/run.js';
import { LOADER_TARGETS, MODULE_TARGETS, OPTIM_TARGETS } from './fuzz/targets-modules.js';
import { OP_TARGETS } from './fuzz/targets-ops.js';
import { paddedCase, paddedCases } from './fuzz/padding.js';

const FAMILIES: Readonly<Record<string, readonly Target[]>> = {
  'tensor ops and creation': OP_TARGETS,
  'layers, losses, data and autodiff': MODULE_TARGETS,
  'optimizers and clipping': OPTIM_TARGETS,
  'loaders (safetensors, Keras, state dicts)': LOADER_TARGETS,
};

/** Exports of @gated/tensor that are not ops on tensors (registry, scopes, memory), fuzzed elsewhere or not at all. */
const NOT_OPS = new Set([
  'GatedError',
  'Tensor',
  'Scope',
  'dispose',
  'keep',
  'tidy',
  'withScope',
  'getBackend',
  'getBackendName',
  'initBackend',
  'isGradEnabled',
  'listBackends',
  'memory',
  'registerBackend',
  'removeBackend',
  'setBackend',
  'setGradEnabled',
  'setLeakReporter',
]);

export function fuzzSuite(ctx: SuiteContext): void {
  ctx.describe('fuzz', (t) => {
    t.it('has a target for every public function of the tensor package', () => {
      const names = new Set(OP_TARGETS.map((target) => target.name));
      const missing = Object.entries(T)
        .filter(([name, value]) => typeof value === 'function' && !NOT_OPS.has(name) && !names.has(name))
        .map(([name]) => name);
      expect(missing, 'public functions the fuzz suite does not call').toEqual([]);
    });

    for (const [family, targets] of Object.entries(FAMILIES)) {
      t.it(family, async () => {
        const byName = new Map(targets.map((target) => [target.name, target]));
        const property = fc.asyncProperty(casesOf(targets), ([name, specs]) => runCase(byName, name, specs));
        await checkProperty(property, fuzzParameters(`${ctx.backendName}/${family}`));
      });
    }

    t.it('padded steps (NaN, ±Inf, 3e38) change no output or gradient', async () => {
      const parameters = fuzzParameters(`${ctx.backendName}/padded steps`);
      // Each case builds and trains two small recurrent layers: a fifth of the other families' count.
      const runs = Math.max(1, Math.ceil(parameters.numRuns / 5));
      await checkProperty(
        fc.asyncProperty(paddedCases, (c) => paddedCase(ctx, c)),
        { ...parameters, numRuns: runs },
      );
    });
  });
}

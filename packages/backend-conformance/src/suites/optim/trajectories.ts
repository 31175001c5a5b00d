/** The trajectories of every optimizer case against PyTorch 1.13. */
import type { OptimizerStateDict } from '@gated/optim';
import { dispose, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';
import { boundOf, camel, camelName, expectClose, optimizerFixture, NAMES, paramOrder, Run, fixtureSteps } from './cases.js';

export function trajectoriesSuite(suite: SuiteContext): void {
  const bound = boundOf(suite);
  suite.describe('trajectories', (cases) => {
    cases.it('the fixture has every case', () => {
      expect(optimizerFixture().cases.map((c) => c.name)).toHaveLength(27);
    });
    for (const testCase of optimizerFixture().cases) {
      cases.it(testCase.name, async () => {
        const run = new Run(testCase);
        let dict: OptimizerStateDict | null = null;
        try {
          for (let k = 0; k < fixtureSteps(); k++) {
            run.step(k);
            for (const name of NAMES)
              await expectClose(run.params[name], testCase.trajectory[k]![name], bound, `${name} after step ${k + 1}`);
          }
          dict = run.optimizer.stateDict();
          expect(
            dict.paramGroups.map(({ params: _params, ...options }) => options),
            'the resolved parameter groups',
          ).toEqual(testCase.resolved_param_groups.map(({ params: _params, ...options }) => camel(options)));
          const order = paramOrder(testCase);
          for (const name of NAMES) {
            const want = testCase.state[name];
            const got = dict.state[order.indexOf(name)] ?? {};
            // PyTorch's SGD keeps momentum_buffer = None without momentum; Gated keeps no entry.
            const expectedKeys = Object.keys(want)
              .filter((k) => want[k] !== null)
              .map(camelName);
            expect(Object.keys(got).sort(), `${name}: state entries`).toEqual(expectedKeys.sort());
            for (const [key, value] of Object.entries(want)) {
              if (value === null) continue;
              const ours = got[camelName(key)];
              if (key === 'step') expect(ours, `${name}: step`).toBe(value);
              else await expectClose(ours as Tensor, value, bound, `${name}: state ${key}`);
            }
          }
        } finally {
          if (dict) dispose(dict.state);
          run.dispose();
        }
      });
    }
  });
}

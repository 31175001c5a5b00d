/** Resuming from a state dict continues the trajectory exactly. */
import { dispose, tensor, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import { expectSameValues } from '../../harness/compare.js';
import type { SuiteContext } from '../../harness/context.js';
import { expectGatedError } from '../../harness/errors.js';
import { optimizerFixture, NAMES, Run, fixtureSteps } from './cases.js';

const RESUMED = {
  got: 'resumed from its state dict',
  want: 'trained without a break',
  hint:
    'Resuming reads the parameters back as float32 and must continue bit for bit. A backend that keeps more than float32 ' +
    'precision between kernels differs here: see the numeric rule "float32-exact storage" (docs/adding-a-backend.md).',
};

export function stateDictSuite(suite: SuiteContext): void {
  suite.describe('state dict', (dicts) => {
    for (const testCase of optimizerFixture().cases) {
      dicts.it(`resumes exactly: ${testCase.name}`, async () => {
        const split = 3;
        const whole = new Run(testCase);
        const first = new Run(testCase);
        let resumed: Run | null = null;
        try {
          for (let k = 0; k < split; k++) {
            whole.step(k);
            first.step(k);
          }
          const dict = first.optimizer.stateDict();
          // A fresh optimizer over fresh parameter tensors holding the same values.
          resumed = new Run(testCase, await first.values());
          try {
            resumed.optimizer.loadStateDict(dict);
          } finally {
            dispose(dict.state);
            first.dispose();
          }
          for (let k = split; k < fixtureSteps(); k++) {
            whole.step(k);
            resumed.step(k);
            for (const name of NAMES)
              await expectSameValues(resumed.params[name], whole.params[name], `${name} after step ${k + 1}`, RESUMED);
          }
        } finally {
          resumed?.dispose();
          whole.dispose();
        }
      });
    }

    dicts.it('is a snapshot: later steps do not change it', async () => {
      const run = new Run(optimizerFixture().cases.find((c) => c.name === 'adam_amsgrad')!);
      try {
        run.step(0);
        const dict = run.optimizer.stateDict();
        try {
          const saved = Array.from(await (dict.state[0]!.expAvg as Tensor).data());
          run.step(1);
          expect(Array.from(await (dict.state[0]!.expAvg as Tensor).data())).toEqual(saved);
        } finally {
          dispose(dict.state);
        }
      } finally {
        run.dispose();
      }
    });

    dicts.it('refuses bad state entries and changes nothing', async () => {
      const run = new Run(optimizerFixture().cases.find((c) => c.name === 'adam')!);
      try {
        run.step(0);
        const good = run.optimizer.stateDict();
        const entry = good.state[1]!;
        const wrongShape = tensor([1, 2]);
        const cases: [Record<string, unknown>, string][] = [
          [
            { ...entry, exp_avg: entry.expAvg },
            'unknown state entry "exp_avg" for parameter 1 (Adam keeps step, expAvg, expAvgSq, maxExpAvgSq)',
          ],
          [{ step: 1, expAvg: entry.expAvg }, 'state[1] lacks "expAvgSq"'],
          [{ ...entry, step: 1.5 }, 'state[1].step must be an integer >= 0, got 1.5'],
          [{ ...entry, expAvg: wrongShape }, 'state[1].expAvg is float32 [2], but its parameter is float32 [4]'],
        ];
        try {
          for (const [bad, message] of cases) {
            expectGatedError(
              () => {
                run.optimizer.loadStateDict({ ...good, state: { 0: good.state[0]!, 1: bad as never } });
              },
              'Adam.loadStateDict',
              message,
            );
          }
          const before = await run.values();
          run.step(1);
          expect(Array.from((await run.values()).p1)).not.toEqual(Array.from(before.p1));
        } finally {
          dispose([good.state, wrongShape]);
        }
      } finally {
        run.dispose();
      }
    });
  });
}

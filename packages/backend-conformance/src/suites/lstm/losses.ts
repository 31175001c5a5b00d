/**
 * Losses against float64 references computed here from the same float32 inputs: values for each
 * reduction, `ignoreIndex`, numerically extreme logits, and gradients (analytic formulas).
 */
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss, nllLoss } from '@gated/lstm';
import { dispose, logSoftmax, tensor, tidy, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';
import { expectGatedError } from '../../harness/errors.js';
import { expectClose } from './fixtures.js';

/** Composites of a softmax and a few sums in float32 (SOFTMAX-like rounding). */
const LOSS_ATOL = 2e-6;

const LOGITS = [
  [1.5, -0.5, 0.25, 2],
  [-3, 0.5, 0.5, 1],
  [60, -60, 0, 10],
  [0.1, 0.2, 0.3, -0.4],
];
const TARGETS = [3, 1, -100, 0];

function logSoftmaxRow(row: readonly number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

export function lossSuite(ctx: SuiteContext): void {
  ctx.describe('losses', (suite) => {
    const atol = Number(ctx.tolerance(0, LOSS_ATOL).atol);

    suite.it('crossEntropy and nllLoss with ignoreIndex, every reduction, gradient', async () => {
      const logits = tensor(LOGITS, { requiresGrad: true });
      const targets = tensor(TARGETS, { dtype: 'int32' });
      const perRow = LOGITS.map((row, i) => (TARGETS[i] === -100 ? 0 : -logSoftmaxRow(row)[TARGETS[i]!]!));
      const counted = TARGETS.filter((t) => t !== -100).length;
      const results: Tensor[] = [];
      try {
        const none = crossEntropy(logits, targets, { reduction: 'none' });
        const total = crossEntropy(logits, targets, { reduction: 'sum' });
        const meanLoss = crossEntropy(logits, targets);
        const viaNll = tidy(() => nllLoss(logSoftmax(logits), targets));
        results.push(none, total, meanLoss, viaNll);
        await expectClose(none, perRow, atol, 'reduction none');
        await expectClose(
          total,
          perRow.reduce((a, b) => a + b, 0),
          atol,
          'reduction sum',
        );
        const mean = perRow.reduce((a, b) => a + b, 0) / counted;
        await expectClose(meanLoss, mean, atol, 'mean over non-ignored targets');
        await expectClose(viaNll, mean, atol, 'nllLoss of logSoftmax');
        meanLoss.backward();
        // d mean / d logits = (softmax − onehot) / count on counted rows, 0 on ignored ones.
        const expected = LOGITS.map((row, i) => {
          if (TARGETS[i] === -100) return row.map(() => 0);
          return logSoftmaxRow(row).map((lp, j) => (Math.exp(lp) - (j === TARGETS[i] ? 1 : 0)) / counted);
        });
        await expectClose(logits.grad, expected, atol, 'gradient');
        const one = {
          logits: tensor([0.5, 1.5, -1]),
          target: tensor(1, { dtype: 'int32' }),
          ignored: tensor([-100, -100, -100, -100], { dtype: 'int32' }),
        };
        results.push(...Object.values(one));
        const single = crossEntropy(one.logits, one.target);
        results.push(single);
        await expectClose(single, -logSoftmaxRow([0.5, 1.5, -1])[1]!, atol, 'one sample [C] with a scalar target');
        const allIgnored = crossEntropy(logits, one.ignored);
        results.push(allIgnored);
        expect(Number.isNaN(await allIgnored.item()), 'the mean over no targets is NaN, as in PyTorch').toBe(true);
      } finally {
        logits.grad?.dispose();
        dispose([logits, targets, results]);
      }
    });

    suite.it('binaryCrossEntropyWithLogits: stable, with posWeight, gradient σ(x) − y', async () => {
      const xs = [0, 2.5, -1, 100, -100, 30];
      const ys = [1, 0, 1, 0, 1, 0.25];
      const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
      const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
      const x = tensor(xs, { requiresGrad: true });
      const y = tensor(ys);
      const weight = tensor([2]);
      const results: Tensor[] = [];
      try {
        const loss = binaryCrossEntropyWithLogits(x, y, { reduction: 'none' });
        results.push(loss);
        await expectClose(
          loss,
          xs.map((v, i) => softplus(v) - v * ys[i]!),
          atol,
          'per element',
        );
        const weighted = binaryCrossEntropyWithLogits(x, y, { reduction: 'none', posWeight: weight });
        results.push(weighted);
        await expectClose(
          weighted,
          xs.map((v, i) => (1 - ys[i]!) * v + (1 + ys[i]!) * softplus(-v)),
          atol,
          'posWeight 2',
        );
        const mean = binaryCrossEntropyWithLogits(x, y);
        results.push(mean);
        mean.backward();
        await expectClose(
          x.grad,
          xs.map((v, i) => (sigmoid(v) - ys[i]!) / xs.length),
          atol,
          'gradient, also at x = 0',
        );
      } finally {
        x.grad?.dispose();
        dispose([x, y, weight, results]);
      }
    });

    suite.it('mseLoss', async () => {
      const a = tensor([
        [1, 2],
        [3, 4],
      ]);
      const b = tensor([
        [1.5, 2],
        [2, 0],
      ]);
      const results = [mseLoss(a, b), mseLoss(a, b, { reduction: 'sum' }), mseLoss(a, b, { reduction: 'none' })];
      try {
        await expectClose(results[0]!, (0.25 + 0 + 1 + 16) / 4, atol, 'mean');
        await expectClose(results[1]!, 17.25, atol, 'sum');
        await expectClose(
          results[2]!,
          [
            [0.25, 0],
            [1, 16],
          ],
          atol,
          'none',
        );
      } finally {
        dispose([a, b, results]);
      }
    });

    suite.it('refusals', () => {
      const logits = tensor(LOGITS);
      const targets = tensor(TARGETS, { dtype: 'int32' });
      const floats = tensor([0, 1, 2, 3]);
      const outOfRange = tensor([0, 4, 1, 2], { dtype: 'int32' });
      const short = tensor([1, 2], { dtype: 'int32' });
      try {
        expectGatedError(() => crossEntropy(logits, floats), 'crossEntropy', 'target must hold int32 class indices, got float32');
        expectGatedError(
          () => crossEntropy(logits, short),
          'crossEntropy',
          'expected input [N, C] with target [N] (or input [C] with a scalar target), got input [4,4] and target [2]',
        );
        expectGatedError(() => mseLoss(logits, floats), 'mseLoss', 'input [4,4] and target [4] must have the same shape');
        expectGatedError(
          () => crossEntropy(logits, targets, { reduction: 'avg' as 'mean' }),
          'crossEntropy',
          "reduction must be 'mean', 'sum' or 'none', got avg",
        );
        if (ctx.backend.caps.syncRead) {
          expectGatedError(
            () => crossEntropy(logits, outOfRange),
            'crossEntropy',
            'target 4 at flat index 1 is not a class in [0, 4) (nor ignoreIndex -100)',
          );
        }
      } finally {
        dispose([logits, targets, floats, outOfRange, short]);
      }
    });
  });
}

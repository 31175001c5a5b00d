/** Optimizer behaviour: zeroGrad, parameter groups, closures, validation. */
import { Adagrad, Adam, Adamax, RMSprop, SGD, type Optimizer } from '@gated/optim';
import { dispose, tensor, tidy, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';
import { expectGatedError } from '../../harness/errors.js';
import { expectMemory, snapshot } from '../../harness/memory.js';
import { optimizerFixture, fixtureTensor, Run } from './cases.js';

export function behaviourSuite(suite: SuiteContext): void {
  suite.describe('behaviour', (behaviour) => {
    behaviour.it('zeroGrad frees the gradients; parameters without one are skipped', async () => {
      const run = new Run(optimizerFixture().cases.find((c) => c.name === 'sgd_momentum')!);
      try {
        run.step(0);
        const grad = run.params.p0.grad!;
        run.optimizer.zeroGrad();
        expect(grad.isDisposed).toBe(true);
        expect(run.params.p0.grad).toBeNull();
        const before = await run.values();
        run.params.p0.grad = fixtureTensor(optimizerFixture().grads[1]!.p0) as Tensor<'float32'>;
        run.optimizer.step();
        const after = await run.values();
        expect(Array.from(after.p1), 'p1 had no gradient').toEqual(Array.from(before.p1));
        expect(Array.from(after.p0)).not.toEqual(Array.from(before.p0));
      } finally {
        run.dispose();
      }
    });

    // With PyTorch's tiny default eps the fixture cannot tell where eps goes; a large eps can.
    behaviour.it('eps sits where PyTorch puts it (checked with eps = 0.1 against float64)', async () => {
      const start = [0.5, -1, 2, 0.25];
      const grads = [
        [0.3, -0.2, 0.1, 0.05],
        [0.1, 0.4, -0.3, 0.02],
        [-0.2, 0.1, 0.2, -0.01],
      ];
      const [lr, eps, beta1, beta2, alpha] = [0.1, 0.1, 0.9, 0.999, 0.9];
      const references: Record<string, (p: number[]) => number[]> = {
        Adam: (p) => {
          const m = [0, 0, 0, 0];
          const v = [0, 0, 0, 0];
          grads.forEach((g, k) => {
            const t = k + 1;
            p = p.map((x, i) => {
              m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
              v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! ** 2;
              return x - (lr / (1 - beta1 ** t)) * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - beta2 ** t) + eps));
            });
          });
          return p;
        },
        Adamax: (p) => {
          const m = [0, 0, 0, 0];
          const u = [0, 0, 0, 0];
          grads.forEach((g, k) => {
            p = p.map((x, i) => {
              m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
              u[i] = Math.max(beta2 * u[i]!, Math.abs(g[i]!) + eps);
              return x - (lr / (1 - beta1 ** (k + 1))) * (m[i] / u[i]);
            });
          });
          return p;
        },
        RMSprop: (p) => {
          const s = [0, 0, 0, 0];
          grads.forEach((g) => {
            p = p.map((x, i) => {
              s[i] = alpha * s[i]! + (1 - alpha) * g[i]! ** 2;
              return x - (lr * g[i]!) / (Math.sqrt(s[i]) + eps);
            });
          });
          return p;
        },
        Adagrad: (p) => {
          const s = [0, 0, 0, 0];
          grads.forEach((g) => {
            p = p.map((x, i) => {
              s[i] = s[i]! + g[i]! ** 2;
              return x - (lr * g[i]!) / (Math.sqrt(s[i]) + eps);
            });
          });
          return p;
        },
      };
      const make: Record<string, (p: Tensor) => Optimizer> = {
        Adam: (p) => new Adam([p], { lr, eps, betas: [beta1, beta2] }),
        Adamax: (p) => new Adamax([p], { lr, eps, betas: [beta1, beta2] }),
        RMSprop: (p) => new RMSprop([p], { lr, eps, alpha }),
        Adagrad: (p) => new Adagrad([p], { lr, eps }),
      };
      const tolerance = suite.tolerance(1e-5, 1e-6);
      for (const [name, reference] of Object.entries(references)) {
        const p = tensor(start);
        const optimizer = make[name]!(p);
        try {
          for (const g of grads) {
            optimizer.zeroGrad();
            p.grad = tensor(g) as Tensor<'float32'>;
            optimizer.step();
          }
          const got = await p.data();
          reference(start).forEach((want, i) => {
            expect(Math.abs(got[i]! - want), `${name}[${i}]: got ${got[i]}, want ${want}`).toBeLessThanOrEqual(
              (tolerance.atol as number) + tolerance.rtol * Math.abs(want),
            );
          });
        } finally {
          optimizer.zeroGrad();
          optimizer.dispose();
          p.dispose();
        }
      }
    });

    behaviour.it('dispose frees the state', () => {
      const before = snapshot();
      const run = new Run(optimizerFixture().cases.find((c) => c.name === 'rmsprop_centered_momentum_weight_decay')!);
      run.step(0);
      run.dispose();
      expectMemory(before, 'after disposing the optimizer and its parameters');
    });

    behaviour.it('a parameter may belong to one group only', () => {
      const p = tensor([1, 2]);
      const q = tensor([3]);
      try {
        const optimizer = new Adam([p]);
        expectGatedError(
          () => {
            optimizer.addParamGroup({ params: [q, p] });
          },
          'Adam',
          'params[1] in paramGroups[1] already belongs to another parameter group',
        );
        optimizer.addParamGroup({ params: [q], lr: 0.1 });
        expect(optimizer.paramGroups[1]!.lr).toBe(0.1);
        expectGatedError(() => new SGD([p, p], { lr: 0.1 }), 'SGD', 'params[1] in paramGroups[0] appears twice in the group');
        optimizer.dispose();
      } finally {
        dispose([p, q]);
      }
    });

    behaviour.it('a gradient of the wrong shape is refused', () => {
      const p = tensor([1, 2, 3]);
      const optimizer = new RMSprop([p]);
      try {
        p.grad = tensor([1, 2]) as Tensor<'float32'>;
        expectGatedError(
          () => {
            optimizer.step();
          },
          'RMSprop.step',
          'the gradient of paramGroups[0].params[0] is float32 [2], but the parameter is float32 [3]',
        );
      } finally {
        optimizer.zeroGrad();
        optimizer.dispose();
        p.dispose();
      }
    });

    behaviour.it("steps inside a caller's tidy keep their state", async () => {
      const p = tensor([1, 2, 3]);
      const optimizer = new Adagrad([p], { lr: 0.1 });
      try {
        tidy(() => {
          p.grad = tensor([1, 1, 1]) as Tensor<'float32'>;
          optimizer.step();
        });
        const dict = optimizer.stateDict();
        expect(Array.from(await dict.state[0]!.sum.data())).toEqual([1, 1, 1]);
        dispose(dict.state);
      } finally {
        optimizer.zeroGrad();
        optimizer.dispose();
        p.dispose();
      }
    });
  });
}

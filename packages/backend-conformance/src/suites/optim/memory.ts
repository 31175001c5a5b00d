/** Memory stays flat over thousands of steps of each optimizer. */
import { Adagrad, Adam, AdamW, Adamax, RMSprop, SGD, type Optimizer } from '@gated/optim';
import { add, dispose, matmul, mean, memory, square, sub, tensor, tidy, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';

export function memorySuite(suite: SuiteContext): void {
  suite.describe('memory', (memoryTests) => {
    /** A linear regression trained for `steps` steps; memory after the first few and after the last must agree. */
    const train = (make: (params: Tensor[]) => Optimizer, steps: number): void => {
      const x = tensor([
        [1, 2, 0, -1],
        [0, 1, 1, 1],
        [-1, 0, 2, 0],
        [2, -1, 0, 1],
        [0.5, 0.5, -0.5, 0],
        [1, 1, 1, 1],
        [-2, 0, 1, 0],
        [0, 0, -1, 3],
      ]);
      const y = tensor([[1], [2], [-1], [0.5], [0], [3], [-2], [1]]);
      const w = tensor([[0.1], [-0.2], [0.3], [0]], { requiresGrad: true });
      const b = tensor([0], { requiresGrad: true });
      const optimizer = make([w, b]);
      try {
        const trainStep = (): void => {
          optimizer.zeroGrad();
          tidy(() => {
            mean(square(sub(add(matmul(x, w), b), y))).backward();
          });
          optimizer.step();
        };
        for (let i = 0; i < 5; i++) trainStep();
        const warm = memory();
        for (let i = 5; i < steps; i++) trainStep();
        const after = memory();
        expect(after.numTensors, 'live tensors').toBe(warm.numTensors);
        expect(after.numBuffers, 'engine buffers').toBe(warm.numBuffers);
        expect(after.numBytes, 'engine bytes').toBe(warm.numBytes);
        expect(after.backend?.buffers, 'backend buffers').toBe(warm.backend?.buffers);
      } finally {
        optimizer.zeroGrad();
        optimizer.dispose();
        dispose([x, y, w, b]);
      }
    };

    memoryTests.it('10,000 steps of Adam (AMSGrad) leave memory flat', () => {
      train((params) => new Adam(params, { lr: 1e-3, amsgrad: true, weightDecay: 1e-4 }), 10_000);
    });

    for (const [label, make] of [
      ['SGD', (params: Tensor[]) => new SGD(params, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
      ['AdamW', (params: Tensor[]) => new AdamW(params)],
      ['RMSprop', (params: Tensor[]) => new RMSprop(params, { centered: true, momentum: 0.5 })],
      ['Adagrad', (params: Tensor[]) => new Adagrad(params, { lrDecay: 0.01 })],
      ['Adamax', (params: Tensor[]) => new Adamax(params)],
    ] as const) {
      memoryTests.it(`300 steps of ${label} leave memory flat`, () => {
        train(make, 300);
      });
    }
  });
}

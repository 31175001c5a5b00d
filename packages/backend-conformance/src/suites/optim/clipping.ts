/** `clipGradNorm` and `clipGradValue` against float64. */
import { clipGradNorm, clipGradValue } from '@gated/optim';
import { dispose, tensor, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import { toTensor } from '../../harness/compare.js';
import type { SuiteContext } from '../../harness/context.js';
import { expectGatedRejection } from '../../harness/errors.js';
import type { Rng } from '../../harness/rng.js';
import { NDArray } from '../../reference/index.js';

export function clippingSuite(suite: SuiteContext): void {
  suite.describe('clipGradNorm', (clipping) => {
    const shapes = [[3, 4], [5], [2, 2, 2]];
    const setup = (rng: Rng, scale = 2): { params: Tensor[]; grads: NDArray[] } => {
      const grads = shapes.map((shape) => rng.uniform(shape, -scale, scale));
      const params = shapes.map((shape) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), { shape }));
      params.forEach((p, i) => {
        p.grad = toTensor(grads[i]!) as Tensor<'float32'>;
      });
      // A parameter without a gradient is ignored.
      params.push(tensor([100, 100]));
      return { params, grads };
    };
    const cleanup = (params: Tensor[]): void => {
      for (const p of params) p.grad?.dispose();
      dispose(params);
    };
    const norm64 = (grads: NDArray[], p: number): number => {
      const all = grads.flatMap((g) => Array.from(g.data));
      if (p === Infinity) return Math.max(...all.map(Math.abs));
      return all.reduce((s, x) => s + Math.abs(x) ** p, 0) ** (1 / p);
    };

    for (const normType of [2, 1, Infinity, 3, 0.5]) {
      for (const clip of [true, false]) {
        clipping.it(`p = ${normType}, ${clip ? 'clips' : 'leaves small gradients alone'}`, async (rng) => {
          const { params, grads } = setup(rng);
          const total = norm64(grads, normType);
          const maxNorm = clip ? total / 3 : total * 10;
          const tolerance = suite.tolerance(1e-5, 1e-7);
          try {
            const norm = clipGradNorm(params, maxNorm, { normType });
            const got = await norm.item();
            norm.dispose();
            expect(Math.abs(got - total), `norm ${got} vs float64 ${total}`).toBeLessThanOrEqual(tolerance.rtol * total);
            const coefficient = Math.min(1, maxNorm / (total + 1e-6));
            for (let i = 0; i < grads.length; i++) {
              const values = await params[i]!.grad!.data();
              grads[i]!.data.forEach((g, j) => {
                const want = g * coefficient;
                expect(Math.abs(values[j]! - want), `grad ${i}[${j}]`).toBeLessThanOrEqual(
                  (tolerance.atol as number) + tolerance.rtol * Math.abs(want),
                );
              });
            }
          } finally {
            cleanup(params);
          }
        });
      }
    }

    clipping.it('without gradients the norm is 0', async () => {
      const p = tensor([1, 2]);
      try {
        const norm = clipGradNorm([p], 1);
        expect(await norm.item()).toBe(0);
        norm.dispose();
      } finally {
        p.dispose();
      }
    });

    clipping.it('errorIfNonfinite reads the norm, then clips or rejects leaving the gradients untouched', async (rng) => {
      const { params, grads } = setup(rng);
      try {
        const norm = await clipGradNorm(params, 0.1, { errorIfNonfinite: true });
        expect(await norm.item()).toBeCloseTo(norm64(grads, 2), 4);
        norm.dispose();
        const infinite = tensor([1, Infinity, 2, 3, 4]) as Tensor<'float32'>;
        params[1]!.grad!.assign(infinite);
        infinite.dispose();
        const before = await params[0]!.grad!.data();
        await expectGatedRejection(
          () => clipGradNorm(params, 1, { errorIfNonfinite: true }),
          'clipGradNorm',
          'the total norm of order 2 of the gradients is Infinity, so they cannot be clipped; pass errorIfNonfinite: false to scale them by the non-finite norm anyway',
        );
        expect(Array.from(await params[0]!.grad!.data()), 'gradients untouched').toEqual(Array.from(before));
      } finally {
        cleanup(params);
      }
    });

    clipping.it('a non-finite norm scales like PyTorch when not checked', async () => {
      const p = tensor([0, 0, 0]);
      p.grad = tensor([1, Infinity, -2]) as Tensor<'float32'>;
      try {
        const norm = clipGradNorm([p], 1);
        expect(await norm.item()).toBe(Infinity);
        norm.dispose();
        // clip coefficient 1/(∞ + 1e-6) = 0: finite entries become 0, the infinite one 0·∞ = NaN.
        const values = Array.from(await p.grad.data());
        expect(Object.is(values[0], 0) && Number.isNaN(values[1]) && Object.is(values[2], -0)).toBe(true);
      } finally {
        p.grad.dispose();
        p.dispose();
      }
    });

    clipping.it('clipGradValue clamps every gradient', async (rng) => {
      const { params, grads } = setup(rng);
      try {
        clipGradValue(params, 0.75);
        for (let i = 0; i < grads.length; i++) {
          const want = grads[i]!.data.map((g) => Math.min(Math.max(g, -0.75), 0.75));
          expect(Array.from(await params[i]!.grad!.data())).toEqual(Array.from(want, Math.fround));
        }
      } finally {
        cleanup(params);
      }
    });
  });
}

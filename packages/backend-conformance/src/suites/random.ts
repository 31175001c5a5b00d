/**
 * The shared random stream: `uniform`, `rand` and `bernoulli` must match `randomValue` from
 * `@gated/backend-api` bit for bit, `randn`/`normal` to float32 rounding of log, sqrt and cos;
 * seeds and `manualSeed` make every stream reproducible; `randperm` is a reproducible permutation.
 */
import { foldKey, keyFromSeed, randomValue, type RandomKey, type RandomSpec } from '@gated/backend-api';
import { bernoulli, manualSeed, normal, rand, randn, randperm, tidy, uniform, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import { expectTensor, type Tolerance } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { NDArray, shapeSize } from '../reference/index.js';

/** The fill every backend must produce for `spec` under `key`. */
function expected(spec: RandomSpec, key: RandomKey, shape: readonly number[]): NDArray {
  return NDArray.of(
    Array.from({ length: shapeSize(shape) }, (_, i) => randomValue(spec, key, i)),
    shape,
  );
}

/** Runs `make`, checks its values, disposes it. */
async function expectFill(make: () => Tensor, want: NDArray, tolerance: Tolerance, label: string): Promise<void> {
  const result = make();
  try {
    await expectTensor(result, want, tolerance, label);
  } finally {
    result.dispose();
  }
}

async function valuesOf(make: () => Tensor): Promise<number[]> {
  const t = make();
  try {
    return Array.from(await t.data());
  } finally {
    t.dispose();
  }
}

/** A seed above 2^32, so the key's high word is used. */
const BIG_SEED = 2 ** 40 + 12345;

export function randomSuite(ctx: SuiteContext): void {
  ctx.describe('random', (t) => {
    const exact: Tolerance = { rtol: 0, atol: 0 };
    /** Box–Muller through float32 log, sqrt and cos: 1e-6 relative, and 1e-6·std absolute for samples near 0. */
    const normalTolerance = (std: number) => t.tolerance(1e-6, 1e-6 * std);

    t.it('uniform with a seed', async () => {
      for (const [shape, low, high, seed] of [
        [[1000], -2, 3, 7],
        [[3, 4, 5], 0, 1, 0],
        [[17], 10, 10.5, BIG_SEED],
        [[8], -1e-3, 1e-3, 4294967295],
      ] as const) {
        await expectFill(
          () => uniform(shape, low, high, { seed }),
          expected({ kind: 'uniform', low, high }, keyFromSeed(seed), shape),
          exact,
          `uniform(${JSON.stringify(shape)}, ${low}, ${high}, seed ${seed})`,
        );
      }
    });

    t.it('rand with a seed', async () => {
      for (const seed of [1, 99, BIG_SEED]) {
        await expectFill(
          () => rand([257], { seed }),
          expected({ kind: 'uniform', low: 0, high: 1 }, keyFromSeed(seed), [257]),
          exact,
          `rand seed ${seed}`,
        );
      }
      const values = await valuesOf(() => rand([2000], { seed: 5 }));
      expect(
        values.every((v) => v >= 0 && v < 1),
        'rand values lie in [0, 1)',
      ).toBe(true);
    });

    t.it('bernoulli with a seed', async () => {
      for (const [p, seed] of [
        [0.3, 11],
        [0.5, BIG_SEED],
        [0, 3],
        [1, 3],
        [0.999, 8],
      ] as const) {
        await expectFill(
          () => bernoulli([300], p, { seed }),
          expected({ kind: 'bernoulli', p }, keyFromSeed(seed), [300]),
          exact,
          `bernoulli p ${p} seed ${seed}`,
        );
      }
      expect(new Set(await valuesOf(() => bernoulli([100], 0, { seed: 1 }))), 'bernoulli(0) is all zeros').toEqual(new Set([0]));
      expect(new Set(await valuesOf(() => bernoulli([100], 1, { seed: 1 }))), 'bernoulli(1) is all ones').toEqual(new Set([1]));
    });

    t.it('randn and normal with a seed', async () => {
      await expectFill(
        () => randn([1000], { seed: 21 }),
        expected({ kind: 'normal', mean: 0, std: 1 }, keyFromSeed(21), [1000]),
        normalTolerance(1),
        'randn seed 21',
      );
      await expectFill(
        () => randn([2, 3, 7], { seed: BIG_SEED }),
        expected({ kind: 'normal', mean: 0, std: 1 }, keyFromSeed(BIG_SEED), [2, 3, 7]),
        normalTolerance(1),
        'randn big seed',
      );
      await expectFill(
        () => normal([500], 3, 0.25, { seed: 4 }),
        expected({ kind: 'normal', mean: 3, std: 0.25 }, keyFromSeed(4), [500]),
        normalTolerance(0.25),
        'normal(3, 0.25) seed 4',
      );
      await expectFill(() => normal([10], -2, 0, { seed: 4 }), NDArray.full([10], -2), exact, 'normal with std 0 is its mean');
    });

    t.it('same seed, same values', async () => {
      for (const make of [
        (seed: number) => rand([64], { seed }),
        (seed: number) => randn([64], { seed }),
        (seed: number) => bernoulli([64], 0.5, { seed }),
      ]) {
        const a = await valuesOf(() => make(42));
        const b = await valuesOf(() => make(42));
        const c = await valuesOf(() => make(43));
        expect(a, 'the same seed gives the same values').toEqual(b);
        expect(a, 'another seed gives other values').not.toEqual(c);
      }
    });

    t.it('manualSeed makes the global stream reproducible', async () => {
      const draw = async () => {
        const u = await valuesOf(() => rand([40]));
        const n = await valuesOf(() => randn([40]));
        const b = await valuesOf(() => bernoulli([40], 0.5));
        return { u, n, b };
      };
      manualSeed(123);
      const first = await draw();
      manualSeed(123);
      const second = await draw();
      expect(second, 'manualSeed restarts the stream').toEqual(first);
      expect(first.u, 'successive draws differ').not.toEqual(second.n);
      // The engine hands op i of the stream the key foldKey(keyFromSeed(seed), i).
      manualSeed(77);
      const root = keyFromSeed(77);
      await expectFill(
        () => rand([33]),
        expected({ kind: 'uniform', low: 0, high: 1 }, foldKey(root, 0), [33]),
        exact,
        'first draw after manualSeed(77)',
      );
      await expectFill(
        () => randn([33]),
        expected({ kind: 'normal', mean: 0, std: 1 }, foldKey(root, 1), [33]),
        normalTolerance(1),
        'second draw after manualSeed(77)',
      );
      await expectFill(
        () => uniform([5], 1, 2),
        expected({ kind: 'uniform', low: 1, high: 2 }, foldKey(root, 2), [5]),
        exact,
        'third draw after manualSeed(77)',
      );
    });

    t.it('randperm', async () => {
      for (const n of [0, 1, 2, 10, 1000]) {
        const result = randperm(n, { seed: 9 });
        try {
          expect(result.dtype, 'randperm dtype').toBe('int32');
          expect([...result.shape]).toEqual([n]);
          const values = Array.from(await result.data());
          expect(
            [...values].sort((a, b) => a - b),
            `randperm(${n}) is a permutation of 0..${n - 1}`,
          ).toEqual(Array.from({ length: n }, (_, i) => i));
        } finally {
          result.dispose();
        }
      }
      const a = await valuesOf(() => randperm(50, { seed: 3 }));
      expect(await valuesOf(() => randperm(50, { seed: 3 })), 'the same seed gives the same permutation').toEqual(a);
      expect(await valuesOf(() => randperm(50, { seed: 4 })), 'another seed gives another permutation').not.toEqual(a);
      expect(a, 'a shuffle of 50 is not the identity').not.toEqual(Array.from({ length: 50 }, (_, i) => i));
      manualSeed(5);
      const global = await valuesOf(() => randperm(30));
      manualSeed(5);
      expect(await valuesOf(() => randperm(30)), 'manualSeed reproduces randperm').toEqual(global);
    });

    t.it('edge shapes', async () => {
      await expectFill(
        () => rand([], { seed: 2 }),
        expected({ kind: 'uniform', low: 0, high: 1 }, keyFromSeed(2), []),
        exact,
        'rand of a scalar',
      );
      await expectFill(() => randn([0], { seed: 2 }), NDArray.full([0], 0), exact, 'randn of size 0');
      await expectFill(() => bernoulli([2, 0], 0.5, { seed: 2 }), NDArray.full([2, 0], 0), exact, 'bernoulli of [2,0]');
      await expectFill(() => uniform([1, 1], 0, 0, { seed: 2 }), NDArray.full([1, 1], 0), exact, 'uniform over an empty range');
    });

    t.it('refusals', () => {
      expectGatedError(() => uniform([2], 1, 0), 'uniform', 'high (0) must not be below low (1)');
      expectGatedError(() => uniform([2], 0, Infinity), 'uniform', 'high must be finite, got Infinity');
      expectGatedError(() => bernoulli([2], 1.5), 'bernoulli', 'p must be in [0, 1], got 1.5');
      expectGatedError(() => bernoulli([2], NaN), 'bernoulli', 'p must be in [0, 1], got NaN');
      expectGatedError(() => normal([2], 0, -1), 'normal', 'std must be non-negative, got -1');
      expectGatedError(() => rand([2], { seed: -1 }), 'rand', 'seed must be a non-negative safe integer, got -1');
      expectGatedError(() => randn([2], { seed: 0.5 }), 'randn', 'seed must be a non-negative safe integer, got 0.5');
      expectGatedError(() => rand([2, NaN]), 'rand', 'shape values must be finite non-negative integers, got [2,NaN]');
      expectGatedError(() => randn([-1]), 'randn', 'shape values must be finite non-negative integers, got [-1]');
      expectGatedError(() => randperm(-1), 'randperm', 'n must be a non-negative integer, got -1');
      expectGatedError(
        () => {
          manualSeed(1.5);
        },
        'manualSeed',
        'seed must be a non-negative safe integer, got 1.5',
      );
      // tidy: a failed fill inside a scope leaves nothing behind either.
      expectGatedError(
        () => tidy(() => [rand([3]), rand([2, -2])]),
        'rand',
        'shape values must be finite non-negative integers, got [2,-2]',
      );
    });
  });
}

/**
 * matmul: sizes that cross typical block and vector widths (1, 7, 33, 65, 130), every transpose
 * flag combination, transposed views (passed to the kernel as flags) and other views
 * (materialised), broadcast batches, numpy's 1-D rules, empty dimensions, NaN and ∞.
 */
import { matmul, transpose, type Tensor } from '@gated/tensor';
import { expectOp, toTensor, type Tolerance } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { ELEMENTWISE, matmulAtol } from '../harness/tolerances.js';
import { expandedView, expectSameAsCopies, viewsOf } from '../harness/views.js';
import { NDArray, matmul as refMatmul, transpose as refTranspose } from '../reference/index.js';

const FLAGS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/** (M, K, N) triples crossing the sizes where blocked and vectorised kernels change code path. */
const SIZES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [1, 7, 1],
  [7, 1, 7],
  [7, 33, 65],
  [33, 65, 7],
  [65, 130, 33],
  [130, 7, 130],
  [1, 130, 65],
  [65, 1, 130],
  [33, 33, 33],
  [130, 130, 130],
];

function maxAbs(x: NDArray): number {
  let m = 0;
  for (const v of x.data) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

/** A stored operand that reads as `logical` when the given transpose flag is applied. */
function stored(logical: NDArray, transposed: boolean): NDArray {
  return transposed ? refTranspose(logical) : logical;
}

export function matmulSuite(ctx: SuiteContext): void {
  ctx.describe('matmul', (t) => {
    /** The accumulation tolerance for inner size K (see tolerances.ts). */
    const tolerance = (a: NDArray, b: NDArray, k: number): Tolerance => t.tolerance(ELEMENTWISE.rtol, matmulAtol(k, maxAbs(a), maxAbs(b)));

    t.describe('sizes', (sizes) => {
      for (const [m, k, n] of SIZES) {
        sizes.it(`${m}x${k}x${n}`, async (rng) => {
          const a = rng.uniform([m, k]);
          const b = rng.uniform([k, n]);
          const want = refMatmul(a, b);
          for (const [transposeA, transposeB] of FLAGS) {
            const sa = stored(a, transposeA);
            const sb = stored(b, transposeB);
            await expectOp(
              () => matmul(toTensor(sa), toTensor(sb), { transposeA, transposeB }),
              want,
              tolerance(a, b, k),
              `matmul [${m}x${k}]·[${k}x${n}] transposeA ${transposeA} transposeB ${transposeB}`,
            );
          }
        });
      }
    });

    t.it('transposed views', async (rng) => {
      const a = rng.uniform([33, 17]);
      const b = rng.uniform([17, 65]);
      const want = refMatmul(a, b);
      const tol = tolerance(a, b, 17);
      const ta = refTranspose(a);
      const tb = refTranspose(b);
      // A transposed view is handed to the kernel as a flag; combined with the option it cancels.
      await expectOp(() => matmul(transpose(toTensor(ta)), toTensor(b)), want, tol, 'transpose(aᵀ) · b');
      await expectOp(() => matmul(toTensor(a), transpose(toTensor(tb))), want, tol, 'a · transpose(bᵀ)');
      await expectOp(() => matmul(transpose(toTensor(ta)), transpose(toTensor(tb))), want, tol, 'transpose(aᵀ) · transpose(bᵀ)');
      await expectOp(() => matmul(transpose(toTensor(a)), toTensor(b), { transposeA: true }), want, tol, 'transpose(a) with transposeA');
      await expectOp(() => matmul(toTensor(a), transpose(toTensor(b)), { transposeB: true }), want, tol, 'transpose(b) with transposeB');
      const batchA = rng.uniform([2, 5, 7]);
      const batchB = rng.uniform([2, 7, 3]);
      await expectOp(
        () => matmul(transpose(toTensor(refTranspose(batchA))), transpose(toTensor(refTranspose(batchB)))),
        refMatmul(batchA, batchB),
        tolerance(batchA, batchB, 7),
        'batched transposed views',
      );
    });

    t.it('other views', async (rng) => {
      const a = rng.uniform([4, 6, 5]);
      const b = rng.uniform([4, 5, 3]);
      const want = refMatmul(a, b);
      const viewsA = viewsOf(a);
      const viewsB = viewsOf(b);
      for (let i = 0; i < viewsA.length; i++) {
        const va = viewsA[i]!;
        const vb = viewsB[(i + 1) % viewsB.length]!;
        await expectOp(() => matmul(va.make(), vb.make()), want, tolerance(a, b, 5), `matmul of a ${va.label} and a ${vb.label}`);
      }
      const expanded = expandedView(rng.uniform([1, 6, 5]), [4, 6, 5]);
      await expectOp(
        () => matmul(expanded.view.make(), toTensor(b)),
        refMatmul(expanded.reference, b),
        tolerance(expanded.reference, b, 5),
        `matmul of an ${expanded.view.label}`,
      );
      // Sliced views are materialised before the kernel: bit-identical to contiguous copies.
      await expectSameAsCopies((x: Tensor, y: Tensor) => matmul(x, y), [viewsA[1]!, viewsB[1]!], 'matmul');
    });

    t.it('batches', async (rng) => {
      const cases: [readonly number[], readonly number[]][] = [
        [
          [3, 4, 5],
          [3, 5, 6],
        ],
        [
          [2, 3, 4, 5],
          [2, 3, 5, 6],
        ],
        [
          [2, 1, 4, 5],
          [3, 5, 6],
        ],
        [
          [4, 5],
          [2, 5, 6],
        ],
        [
          [2, 3, 4, 5],
          [5, 6],
        ],
        [
          [1, 4, 5],
          [3, 1, 5, 2],
        ],
      ];
      for (const [sa, sb] of cases) {
        const a = rng.uniform(sa);
        const b = rng.uniform(sb);
        for (const [transposeA, transposeB] of FLAGS) {
          const ta = transposeA ? refTranspose(a) : a;
          const tb = transposeB ? refTranspose(b) : b;
          await expectOp(
            () => matmul(toTensor(ta), toTensor(tb), { transposeA, transposeB }),
            refMatmul(a, b),
            tolerance(a, b, 5),
            `batched matmul ${JSON.stringify(sa)}·${JSON.stringify(sb)} transposeA ${transposeA} transposeB ${transposeB}`,
          );
        }
      }
    });

    t.it('vectors', async (rng) => {
      const cases: [readonly number[], readonly number[]][] = [
        [[5], [5]],
        [[5], [5, 3]],
        [[4, 5], [5]],
        [[5], [2, 5, 3]],
        [[2, 4, 5], [5]],
        [[1], [1]],
      ];
      for (const [sa, sb] of cases) {
        const a = rng.uniform(sa);
        const b = rng.uniform(sb);
        await expectOp(
          () => matmul(toTensor(a), toTensor(b)),
          refMatmul(a, b),
          tolerance(a, b, 5),
          `matmul ${JSON.stringify(sa)}·${JSON.stringify(sb)} (numpy 1-D rules)`,
        );
      }
    });

    t.it('empty dimensions', async (rng) => {
      const cases: [readonly number[], readonly number[]][] = [
        [
          [3, 0],
          [0, 4],
        ],
        [
          [0, 3],
          [3, 4],
        ],
        [
          [3, 4],
          [4, 0],
        ],
        [
          [0, 3, 4],
          [4, 2],
        ],
        [[0], [0]],
      ];
      for (const [sa, sb] of cases) {
        const a = rng.uniform(sa);
        const b = rng.uniform(sb);
        // An empty inner dimension sums nothing: zeros, not garbage from uninitialised memory.
        await expectOp(
          () => matmul(toTensor(a), toTensor(b)),
          refMatmul(a, b),
          tolerance(a, b, 1),
          `matmul ${JSON.stringify(sa)}·${JSON.stringify(sb)}`,
        );
      }
    });

    t.it('special values', async () => {
      // 0·∞ is NaN: a kernel that skips zero entries of a (a common sparse shortcut) gets 0 here.
      const a = NDArray.of([0, 1, NaN, 0, Infinity, 1, 1, 1, Infinity, 2, 0, 0], [6, 2]);
      const b = NDArray.of([Infinity, 1, -1, 1, 2, -Infinity], [2, 3]);
      for (const [transposeA, transposeB] of FLAGS) {
        await expectOp(
          () => matmul(toTensor(stored(a, transposeA)), toTensor(stored(b, transposeB)), { transposeA, transposeB }),
          refMatmul(a, b),
          t.tolerance(ELEMENTWISE.rtol, ELEMENTWISE.atol),
          `matmul with NaN and ±∞, transposeA ${transposeA} transposeB ${transposeB}`,
        );
      }
    });

    t.it('refusals', () => {
      const a = toTensor(NDArray.full([2, 3], 1));
      const b = toTensor(NDArray.full([4, 5], 1));
      const batchA = toTensor(NDArray.full([2, 2, 3], 1));
      const batchB = toTensor(NDArray.full([3, 3, 4], 1));
      const ints = toTensor(NDArray.full([3, 2], 1, 'int32'));
      const scalar = toTensor(NDArray.full([], 1));
      try {
        expectGatedError(() => matmul(a, b), 'matmul', 'inner dimensions differ: [2,3] x [4,5]');
        expectGatedError(() => matmul(a, a), 'matmul', 'inner dimensions differ: [2,3] x [2,3]');
        expectGatedError(
          () => matmul(a, b, { transposeA: true, transposeB: true }),
          'matmul',
          'inner dimensions differ: [2,3] x [4,5] (a transposed) (b transposed)',
        );
        expectGatedError(() => matmul(batchA, batchB), 'matmul', 'batch dimensions cannot be broadcast: [2,2,3] x [3,3,4]');
        expectGatedError(() => matmul(a, ints), 'matmul', 'expects float32 input, got int32');
        expectGatedError(() => matmul(ints, a), 'matmul', 'expects float32 input, got int32');
        expectGatedError(() => matmul(scalar, a), 'matmul', 'both operands need at least one axis, got [] x [2,3]');
      } finally {
        for (const x of [a, b, batchA, batchB, ints, scalar]) x.dispose();
      }
    });
  });
}

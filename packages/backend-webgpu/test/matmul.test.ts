/**
 * Every matmul path (one invocation per output for matrix–vector-like and small products, the
 * medium 32×32 tile, the large 64×64 tile) with every transpose pair and broadcast batches,
 * against backend-ts. The conformance suite covers the semantics; this pins down that each tile
 * shape, including partial tiles at every edge, is exercised.
 */
import type { DataHandle } from '@gated/backend-api';
import { createTsBackend } from '@gated/backend-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { SMALL_WORK, VECTOR_ROWS, tileFor } from '../src/kernels/matmul.js';
import { createTestBackend } from './gpu.js';
import { expectClose, seeded, upload, values } from './helpers.js';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await createTestBackend();
});
afterAll(() => {
  gpu.dispose();
});

// Each just past the per-output kernel's 65,536 multiply-adds (software adapters run these on
// the CPU), with partial tiles at every edge.
const CASES: [label: string, batchA: number[], batchB: number[], m: number, k: number, n: number][] = [
  ['vector rows', [], [], 3, 130, 70],
  ['medium tile', [], [], 20, 40, 90],
  ['large tile', [], [], 67, 17, 66],
  ['large tile, broadcast batches', [2, 1], [1, 3], 36, 9, 35],
];

function path(m: number, k: number, n: number, batches: number): string {
  if (m <= VECTOR_ROWS || batches * m * n * k <= SMALL_WORK) return 'per-output';
  return tileFor(m).name;
}

describe('matmul paths against backend-ts', () => {
  it('the cases cover every path', () => {
    const paths = new Set(
      CASES.map(([, a, b, m, k, n]) =>
        path(
          m,
          k,
          n,
          Math.max(
            a.reduce((x, y) => x * y, 1),
            b.reduce((x, y) => x * y, 1),
          ) * (a.length === 2 ? 3 : 1),
        ),
      ),
    );
    expect(paths).toEqual(new Set(['per-output', 'medium', 'large']));
  });

  for (const [label, batchA, batchB, m, k, n] of CASES) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`${label} ${m}x${k}x${n}, transposeA ${ta}, transposeB ${tb}`, async () => {
        const ts = createTsBackend();
        const next = seeded(m * 7 + k * 3 + n);
        const aShape = [...batchA, ta ? k : m, ta ? m : k];
        const bShape = [...batchB, tb ? n : k, tb ? k : n];
        const batch = batchA.length === 0 ? [] : batchA.map((d, i) => Math.max(d, batchB[i]!));
        const outShape = [...batch, m, n];
        const a = values(
          next,
          aShape.reduce((x, y) => x * y, 1),
        );
        const b = values(
          next,
          bShape.reduce((x, y) => x * y, 1),
        );
        const mine: DataHandle[] = [];
        const theirs: DataHandle[] = [];
        const got = gpu.matmul(upload(gpu, mine, a, aShape), upload(gpu, mine, b, bShape), ta, tb, outShape);
        const want = ts.matmul(upload(ts, theirs, a, aShape), upload(ts, theirs, b, bShape), ta, tb, outShape);
        // float32 accumulation of k products of values in [-1, 1).
        expectClose(await gpu.read(got), ts.readSync(want), 'product', 1e-6 * Math.sqrt(k) * 4, 1e-5);
        for (const h of [...mine, got]) gpu.free(h);
      });
    }
  }
});

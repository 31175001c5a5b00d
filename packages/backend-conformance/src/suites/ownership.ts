/**
 * The ownership rule of the contract: inputs are borrowed. No kernel may mutate or free a buffer
 * it was given, whatever the op; every output is a new buffer.
 */
import {
  add,
  argmax,
  cast,
  concat,
  exp,
  gather,
  matmul,
  memory,
  scatterAdd,
  sum,
  tidy,
  transpose,
  where,
  type Tensor,
} from '@gated/tensor';
import { expect } from 'vitest';
import { toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { NDArray } from '../reference/index.js';

export function ownershipSuite(ctx: SuiteContext): void {
  ctx.describe('ownership', (t) => {
    t.it('kernels neither mutate nor free their inputs', async (rng) => {
      const a = rng.uniform([4, 4], -2, 2);
      const b = rng.uniform([4, 4], -2, 2);
      const mask = rng.bools([4, 4]);
      const ids = NDArray.of([3, 0, 3], [3], 'int32');
      const inputs: Tensor[] = [toTensor(a), toTensor(b), toTensor(mask), toTensor(ids)];
      const [ta, tb, tm, ti] = inputs as [Tensor, Tensor, Tensor, Tensor];
      try {
        const before = await Promise.all(inputs.map(async (x) => Array.from(await x.data())));
        const backendBuffers = memory().backend?.buffers;
        const outputs = tidy(() => [
          exp(ta),
          add(ta, tb),
          where(tm, ta, tb),
          cast(ta, 'int32'),
          sum(ta, 1),
          argmax(tb, 0),
          matmul(ta, tb, { transposeA: true, transposeB: true }),
          matmul(transpose(ta), tb),
          concat([ta, tb], 1),
          gather(ta, ti),
          scatterAdd(gather(tb, ti), ti, 0, [4, 4]),
        ]);
        try {
          // Returning an input's handle as an output would show up as one buffer too few.
          expect(memory().backend?.buffers, 'one new backend buffer per output').toBe((backendBuffers ?? 0) + outputs.length);
          const after = await Promise.all(inputs.map(async (x) => Array.from(await x.data())));
          expect(after, 'inputs read the same after every kernel ran on them').toEqual(before);
        } finally {
          for (const o of outputs) o.dispose();
        }
      } finally {
        for (const x of inputs) x.dispose();
      }
    });
  });
}

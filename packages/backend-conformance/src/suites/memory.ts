/**
 * Memory behaviour on this backend: its buffer accounting, dispose, tidy (results and `keep`
 * survive, everything else is freed, also on throw), Scope/withScope, views sharing one buffer,
 * `assign`, and the temporaries ops make (scalar operands, materialised views) being freed.
 */
import {
  Scope,
  add,
  cast,
  dispose,
  exp,
  expand,
  keep,
  memory,
  mul,
  reshape,
  slice,
  split,
  squeeze,
  sum,
  tensor,
  tidy,
  transpose,
  unsqueeze,
  withScope,
  type Tensor,
} from '@gated/tensor';
import { expect } from 'vitest';
import { expectTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectMemory, snapshot, type MemorySnapshot } from '../harness/memory.js';
import { NDArray } from '../reference/index.js';

/** The change in live counts since `before`. */
function delta(before: MemorySnapshot): { tensors: number; buffers: number; backendBuffers: number } {
  const now = snapshot();
  return {
    tensors: now.tensors - before.tensors,
    buffers: now.buffers - before.buffers,
    backendBuffers: (now.backendBuffers ?? 0) - (before.backendBuffers ?? 0),
  };
}

export function memorySuite(ctx: SuiteContext): void {
  ctx.describe('memory', (t) => {
    t.it('backend accounting', () => {
      const before = snapshot();
      const bytesBefore = t.backend.memory().bytes;
      const engineBytesBefore = memory().numBytes;
      const x = tensor(new Float32Array(100));
      const y = tensor(new Int32Array(10));
      const z = tensor(new Uint8Array(7), { dtype: 'bool' });
      expect(delta(before), 'three tensors, three buffers on the backend').toEqual({ tensors: 3, buffers: 3, backendBuffers: 3 });
      expect(memory().numBytes - engineBytesBefore, 'engine bytes: 400 + 40 + 7').toBe(447);
      // A pooling backend may round sizes up, never down.
      expect(t.backend.memory().bytes - bytesBefore, 'backend bytes cover 400 + 40 + 7').toBeGreaterThanOrEqual(447);
      x.dispose();
      y.dispose();
      z.dispose();
      expectMemory(before, 'after disposing them');
      expect(t.backend.memory().bytes, 'backend bytes after freeing').toBe(bytesBefore);
    });

    t.it('dispose is idempotent', () => {
      const before = snapshot();
      const x = tensor([1, 2, 3]);
      x.dispose();
      x.dispose();
      dispose([x, { nested: [x] }]);
      expect(x.isDisposed).toBe(true);
      expectMemory(before, 'after disposing three times');
    });

    t.it('tidy frees intermediates and keeps results', async () => {
      const x = tensor([1, 2, 3]);
      try {
        const before = snapshot();
        const y = tidy(() => add(mul(exp(x), 2), 1));
        expect(delta(before), 'only the result survives tidy').toEqual({ tensors: 1, buffers: 1, backendBuffers: 1 });
        const [a, b] = tidy(() => [mul(x, 2), add(x, 1)]);
        const record = tidy(() => ({ total: sum(x), inner: { doubled: mul(x, 2) } }));
        expect(delta(before), 'arrays and objects of results survive').toEqual({ tensors: 5, buffers: 5, backendBuffers: 5 });
        await expectTensor(a, NDArray.of([2, 4, 6], [3]));
        await expectTensor(record.inner.doubled, NDArray.of([2, 4, 6], [3]));
        dispose([y, a, b, record]);
        expectMemory(before, 'after disposing the results');
      } finally {
        x.dispose();
      }
    });

    t.it('keep and nested tidy', async () => {
      const before = snapshot();
      const holder: { kept?: Tensor } = {};
      const outer = tidy(() => {
        const inner = tidy(() => {
          holder.kept = keep(tensor([5]));
          const discarded = tensor([6]);
          return add(discarded, 1);
        });
        return mul(inner, 2);
      });
      try {
        expect(delta(before), 'the outer result and the kept tensor survive').toEqual({ tensors: 2, buffers: 2, backendBuffers: 2 });
        await expectTensor(outer, NDArray.of([14], [1]));
        expect(holder.kept, 'keep() returned the tensor').toBeDefined();
        await expectTensor(holder.kept!, NDArray.of([5], [1]));
      } finally {
        outer.dispose();
        holder.kept?.dispose();
      }
      expectMemory(before, 'after disposing them');
    });

    t.it('tidy frees everything when its function throws', () => {
      const before = snapshot();
      expect(() =>
        tidy(() => {
          const a = tensor([1, 2]);
          add(a, a);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expectMemory(before, 'after the throw');
    });

    t.it('Scope and withScope', async () => {
      const before = snapshot();
      const scope = new Scope();
      const a = scope.track(tensor([1, 2]));
      const b = scope.run(() => add(mul(a, 3), 1));
      const freed = scope.untrack(tensor([9]));
      expect(delta(before), 'tracked tensors live until the scope ends').toEqual({ tensors: 3, buffers: 3, backendBuffers: 3 });
      await expectTensor(b, NDArray.of([4, 7], [2]));
      scope.dispose();
      expect(a.isDisposed && b.isDisposed, 'the scope disposed what it tracked').toBe(true);
      expect(delta(before), 'an untracked tensor survives its scope').toEqual({ tensors: 1, buffers: 1, backendBuffers: 1 });
      freed.dispose();

      const result = await withScope(async (s) => {
        const x = s.track(tensor([1, 2, 3]));
        await x.data();
        return s.run(() => sum(x));
      });
      expect(delta(before), 'withScope keeps only its result').toEqual({ tensors: 1, buffers: 1, backendBuffers: 1 });
      expect(await result.item()).toBe(6);
      result.dispose();

      await expect(
        withScope(async (s) => {
          s.track(tensor([1]));
          await Promise.resolve();
          throw new Error('async boom');
        }),
      ).rejects.toThrow('async boom');
      expectMemory(before, 'after withScope rejected');
    });

    t.it('views share one buffer', () => {
      const x = tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      try {
        const before = snapshot();
        const views = tidy(() => [
          reshape(x, [3, 2]),
          transpose(x),
          slice(x, [0, 1], [2, 2]),
          expand(slice(x, [0, 0], [1, 3]), [4, 3]),
          unsqueeze(x, 0),
          squeeze(unsqueeze(x, 1)),
          cast(x, 'float32'),
          x.detach(),
          ...split(x, 3, 1),
        ]);
        try {
          const now = delta(before);
          expect(now.tensors, 'eleven views').toBe(11);
          expect(now.buffers, 'views add no engine buffers').toBe(0);
          expect(now.backendBuffers, 'views add no backend buffers').toBe(0);
        } finally {
          dispose(views);
        }
        expectMemory(before, 'after disposing the views');
      } finally {
        x.dispose();
      }
    });

    t.it('a buffer lives until its last view is disposed', async () => {
      const before = snapshot();
      const x = tensor([
        [1, 2],
        [3, 4],
      ]);
      const view = transpose(x);
      x.dispose();
      expect(delta(before).backendBuffers, 'the buffer outlives the tensor it was made for').toBe(1);
      expect(await view.toArray()).toEqual([
        [1, 3],
        [2, 4],
      ]);
      view.dispose();
      expectMemory(before, 'after the last view');
    });

    t.it('assign', async () => {
      const before = snapshot();
      const target = tensor([1, 2, 3]);
      const earlierView = reshape(target, [3, 1]);
      const value = tensor([7, 8, 9]);
      const version = target.version;
      target.assign(value);
      expect(target.version, 'assign bumps the version').toBe(version + 1);
      await expectTensor(target, NDArray.of([7, 8, 9], [3]));
      await expectTensor(earlierView, NDArray.of([1, 2, 3], [3, 1]), undefined, 'views taken before assign keep the old values');
      value.dispose();
      await expectTensor(target, NDArray.of([7, 8, 9], [3]), undefined, 'the target keeps its values when the source is disposed');
      earlierView.dispose();
      expect(delta(before), 'one tensor, one buffer left').toEqual({ tensors: 1, buffers: 1, backendBuffers: 1 });

      const matrix = tensor([
        [1, 2],
        [3, 4],
      ]);
      const square = tensor([
        [0, 0],
        [0, 0],
      ]);
      tidy(() => {
        square.assign(transpose(matrix));
      });
      await expectTensor(square, NDArray.of([1, 3, 2, 4], [2, 2]), undefined, 'assigning a view copies it');
      dispose([target, matrix, square]);
      expectMemory(before, 'after disposing everything');
    });

    t.it('ops free their temporaries', () => {
      const x = tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      try {
        const before = snapshot();
        // A JavaScript number operand becomes a temporary rank-0 tensor; a view operand is
        // materialised into a temporary buffer. Neither may outlive the op.
        const results = tidy(() => [add(x, 2), exp(transpose(x)), mul(slice(x, [0, 1]), 0.5), sum(expand(x, [3, 2, 3]), 0)]);
        expect(delta(before), 'each op leaves exactly its result').toEqual({ tensors: 4, buffers: 4, backendBuffers: 4 });
        dispose(results);
      } finally {
        x.dispose();
      }
    });

    t.it('many allocations return to baseline', () => {
      const before = snapshot();
      for (let i = 0; i < 200; i++) {
        const size = 1 + ((i * 37) % 500);
        tidy(() => add(tensor(new Float32Array(size)), 1)).dispose();
      }
      expectMemory(before, 'after 200 tidy allocations of varied sizes');
    });
  });
}

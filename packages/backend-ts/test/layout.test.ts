import { GatedError, type Shape } from '@gated/backend-api';
import { describe, expect, it } from 'vitest';
import { Harness, randomValues, seeded, sizeOfShape, unravel } from './helpers.js';

describe('stridedCopy', () => {
  it('materialises views with positive, zero and negative strides', () => {
    const h = new Harness();
    const source = Array.from({ length: 60 }, (_, i) => i + 0.5);
    const x = h.tensor(source, [60]);
    const views: [Shape, number[], number][] = [
      [[3, 4, 5], [20, 5, 1], 0], // contiguous
      [[5, 4, 3], [1, 5, 20], 0], // full transpose
      [[2, 3], [0, 1], 7], // expanded row
      [[3, 2], [1, 0], 7], // expanded column
      [[4, 5], [-5, -1], 59], // reversed in both axes
      [[3, 1, 4], [-20, 99, 2], 41], // negative outer stride, size-1 axis with an odd stride
      [[2, 2, 40], [0, 20, 1], 0], // long unit-stride rows (block copy path)
      [[], [], 13], // scalar
      [[0, 3], [1, 1], 0], // empty
    ];
    for (const [shape, strides, offset] of views) {
      const out = h.read(h.backend.stridedCopy({ data: x.data, shape, strides, offset }));
      const expected = Array.from(
        { length: sizeOfShape(shape) },
        (_, i) => source[unravel(i, shape).reduce((at, index, axis) => at + index * strides[axis]!, offset)]!,
      );
      expect(out, JSON.stringify([shape, strides, offset])).toEqual(expected);
    }
    const ints = h.tensor([1, 2, 3], [3], 'int32');
    expect(h.read(h.backend.stridedCopy({ data: ints.data, shape: [3], strides: [-1], offset: 2 }))).toEqual([3, 2, 1]);
    h.finish();
  });

  it('refuses views that reach outside the buffer', () => {
    const h = new Harness();
    const x = h.tensor([1, 2, 3, 4], [4]);
    expect(() => h.backend.stridedCopy({ data: x.data, shape: [3], strides: [2], offset: 0 })).toThrow(GatedError);
    expect(() => h.backend.stridedCopy({ data: x.data, shape: [2], strides: [-1], offset: 0 })).toThrow(/^stridedCopy: /);
    h.finish();
  });
});

describe('concat', () => {
  it('joins along every axis', () => {
    const h = new Harness();
    const next = seeded(8);
    for (let axis = 0; axis < 3; axis++) {
      // Three parts of [2, 3, 4] whose sizes along `axis` are 3, 1 and 40 (a block-copy chunk).
      const parts = [3, 1, 40].map((along) => [2, 3, 4].map((dim, d) => (d === axis ? along : dim)));
      const values = parts.map((shape) => randomValues(next, sizeOfShape(shape)));
      const outShape = parts[0]!.map((dim, d) => (d === axis ? parts.reduce((s, p) => s + p[axis]!, 0) : dim));
      const out = h.read(
        h.backend.concat(
          parts.map((shape, i) => h.tensor(values[i]!, shape)),
          axis,
          outShape,
        ),
      );
      const expected = Array.from({ length: sizeOfShape(outShape) }, (_, i) => {
        const index = unravel(i, outShape);
        let along = index[axis]!;
        let part = 0;
        while (along >= parts[part]![axis]!) along -= parts[part++]![axis]!;
        const local = index.map((v, d) => (d === axis ? along : v));
        return values[part]![local.reduce((flat, v, d) => flat * parts[part]![d]! + v, 0)]!;
      });
      expect(out).toEqual(expected);
    }
    h.finish();
  });
});

/** Naive gather: out[pre, j, post] = x[pre, indices[j], post]. */
function naiveGather(x: readonly number[], shape: Shape, indices: readonly number[], axis: number): number[] {
  const outShape = [...shape.slice(0, axis), indices.length, ...shape.slice(axis + 1)];
  return Array.from({ length: sizeOfShape(outShape) }, (_, i) => {
    const index = unravel(i, outShape);
    index[axis] = indices[index[axis]!]!;
    return x[index.reduce((flat, v, d) => flat * shape[d]! + v, 0)]!;
  });
}

describe('gather and scatterAdd', () => {
  it('gathers along each axis with repeated indices and index tensors of any rank', () => {
    const h = new Harness();
    const shape = [4, 3, 5];
    const values = randomValues(seeded(9), 60);
    const x = h.tensor(values, shape);
    for (let axis = 0; axis < 3; axis++) {
      const indices = [0, 2, 2, 1, shape[axis]! - 1, 0];
      const out = h.read(h.backend.gather(x, h.tensor(indices, [2, 3], 'int32'), axis));
      expect(out).toEqual(naiveGather(values, shape, indices, axis));
    }
    const ints = h.tensor([10, 20, 30], [3], 'int32');
    expect(h.read(h.backend.gather(ints, h.tensor([2, 0], [2], 'int32'), 0))).toEqual([30, 10]);
    h.finish();
  });

  it('is the adjoint of gather: <gather(x), u> = <x, scatterAdd(u)>', () => {
    const h = new Harness();
    const next = seeded(10);
    const shape = [3, 6, 4];
    for (let axis = 0; axis < 3; axis++) {
      const size = shape[axis]!;
      const indices = Array.from({ length: 7 }, () => Math.floor(next() * size));
      const outShape = [...shape.slice(0, axis), 7, ...shape.slice(axis + 1)];
      const x = randomValues(next, sizeOfShape(shape));
      const u = randomValues(next, sizeOfShape(outShape));
      const idx = h.tensor(indices, [7], 'int32');
      const gathered = h.read(h.backend.gather(h.tensor(x, shape), idx, axis));
      const scattered = h.read(h.backend.scatterAdd(h.tensor(u, outShape), idx, axis, shape));
      const left = gathered.reduce((s, v, i) => s + v * u[i]!, 0);
      const right = scattered.reduce((s, v, i) => s + v * x[i]!, 0);
      expect(Math.abs(left - right)).toBeLessThan(1e-5);
    }
    h.finish();
  });

  it('accumulates repeated indices (int32 wraps)', () => {
    const h = new Harness();
    const updates = h.tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    expect(h.read(h.backend.scatterAdd(updates, h.tensor([1, 1, 0], [3], 'int32'), 0, [3, 2]))).toEqual([5, 6, 4, 6, 0, 0]);
    const ints = h.tensor([2147483647, 1], [2], 'int32');
    expect(h.read(h.backend.scatterAdd(ints, h.tensor([0, 0], [2], 'int32'), 0, [1]))).toEqual([-2147483648]);
    h.finish();
  });

  it('refuses out-of-range and negative indices before allocating anything', () => {
    const h = new Harness();
    const x = h.tensor([1, 2, 3, 4, 5], [5]);
    const bad = h.tensor([0, 7], [2], 'int32');
    const negative = h.tensor([-1], [1], 'int32');
    const before = h.backend.memory();
    expect(() => h.backend.gather(x, bad, 0)).toThrow(new GatedError('gather', 'index 7 is out of range for axis 0 of size 5'));
    expect(() => h.backend.gather(x, negative, 0)).toThrow('gather: index -1 is out of range for axis 0 of size 5');
    expect(() => h.backend.scatterAdd(h.tensor([1, 1], [2]), bad, 0, [5])).toThrow(
      'scatterAdd: index 7 is out of range for axis 0 of size 5',
    );
    expect(h.backend.memory().buffers).toBe(before.buffers + 1); // only the updates uploaded above
    h.finish();
  });
});

import { describe, expect, it } from 'vitest';
import { checkIndices } from '../src/checks.js';
import { GatedError } from '../src/errors.js';
import { assertValidShape, broadcastShapes, broadcastStrides, contiguousStrides, isPermutation } from '../src/shape.js';
import { mergeAxes, normalizeAxes, normalizeAxis, outerInner, reducedShape, sizeOf } from '../src/shape.js';

describe('shape helpers', () => {
  it('computes sizes and strides', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 0, 3])).toBe(0);
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
  });

  it('broadcasts like numpy', () => {
    expect(broadcastShapes('add', [2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(broadcastShapes('add', [], [5])).toEqual([5]);
    expect(broadcastShapes('add', [0, 1], [1, 3])).toEqual([0, 3]);
    expect(broadcastStrides([4, 1], [2, 4, 3])).toEqual([0, 1, 0]);
  });

  it('names the op and both shapes when broadcasting fails', () => {
    expect(() => broadcastShapes('add', [2, 3], [4, 3])).toThrow(
      new GatedError('add', 'shapes [2,3] and [4,3] cannot be broadcast together'),
    );
  });

  it('normalises axes', () => {
    expect(normalizeAxis('sum', -1, 3)).toBe(2);
    expect(normalizeAxes('sum', [2, -3], 3)).toEqual([0, 2]);
    expect(normalizeAxes('sum', undefined, 2)).toEqual([0, 1]);
    expect(() => normalizeAxis('sum', 3, 3)).toThrow(/sum: axis 3 is out of range for rank 3/);
    expect(() => normalizeAxis('sum', 0, 0)).toThrow(/scalar/);
    expect(() => normalizeAxes('sum', [1, -2], 3)).toThrow(/repeated/);
    expect(() => normalizeAxis('sum', 0.5, 3)).toThrow(GatedError);
  });

  it('reduces shapes', () => {
    expect(reducedShape([2, 3, 4], [0, 2], false)).toEqual([3]);
    expect(reducedShape([2, 3, 4], [0, 2], true)).toEqual([1, 3, 1]);
  });

  it('validates shapes', () => {
    expect(() => {
      assertValidShape('zeros', [2, -1]);
    }).toThrow(/zeros: shape values must be finite non-negative integers, got \[2,-1\]/);
    expect(() => {
      assertValidShape('zeros', [Number.NaN]);
    }).toThrow(GatedError);
    expect(() => {
      assertValidShape('zeros', [Infinity]);
    }).toThrow(GatedError);
    expect(() => {
      assertValidShape('zeros', [1.5]);
    }).toThrow(GatedError);
    expect(() => {
      assertValidShape('zeros', [70000, 70000]);
    }).toThrow(/2\^31-1/);
    expect(() => {
      assertValidShape('zeros', [2, 3]);
    }).not.toThrow();
  });

  it('recognises permutations', () => {
    expect(isPermutation([2, 0, 1], 3)).toBe(true);
    expect(isPermutation([0, 0, 1], 3)).toBe(false);
    expect(isPermutation([0, 1], 3)).toBe(false);
  });
});

describe('iteration helpers for backends', () => {
  it('merges axes every operand walks contiguously and drops size-1 axes', () => {
    expect(mergeAxes([2, 3], [contiguousStrides([2, 3]), contiguousStrides([2, 3])])).toEqual({ dims: [6], strides: [[1], [1]] });
    expect(mergeAxes([2, 3], [contiguousStrides([2, 3]), broadcastStrides([3], [2, 3])])).toEqual({
      dims: [2, 3],
      strides: [
        [3, 1],
        [0, 1],
      ],
    });
    expect(mergeAxes([1, 4, 1], [[4, 1, 1]])).toEqual({ dims: [4], strides: [[1]] });
    expect(mergeAxes([], [[]])).toEqual({ dims: [1], strides: [[0]] });
  });

  it('splits a shape at an axis', () => {
    expect(outerInner([2, 3, 4, 5], 1)).toEqual([2, 20]);
    expect(outerInner([7], 0)).toEqual([1, 1]);
  });

  it('names the first index out of range', () => {
    expect(() => {
      checkIndices('gather', Int32Array.from([0, 4, 5, -1]), 0, 5);
    }).toThrow(new GatedError('gather', 'index 5 is out of range for axis 0 of size 5'));
    expect(() => {
      checkIndices('gather', [0, 4], 1, 5);
    }).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { bitsToUnit, foldKey, keyFromSeed, randomValue, threefry2x32 } from '../src/random.js';

describe('threefry2x32', () => {
  // Known-answer vectors from Random123's kat_vectors (threefry2x32, 20 rounds): ctr, key → out.
  it.each([
    [
      [0, 0],
      [0, 0],
      [0x6b200159, 0x99ba4efe],
    ],
    [
      [0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      [0x1cb996fc, 0xbb002be7],
    ],
    [
      [0x243f6a88, 0x85a308d3],
      [0x13198a2e, 0x03707344],
      [0xc4923a9c, 0x483df7a0],
    ],
  ] as const)('matches Random123 for counter %j key %j', (ctr, key, expected) => {
    expect(threefry2x32(key, ctr[0], ctr[1])).toEqual(expected);
  });
});

describe('random stream', () => {
  it('splits seeds into 32-bit words', () => {
    expect(keyFromSeed(5)).toEqual([5, 0]);
    expect(keyFromSeed(2 ** 32 + 7)).toEqual([7, 1]);
  });

  it('folds keys into distinct children', () => {
    const key = keyFromSeed(42);
    expect(foldKey(key, 0)).not.toEqual(foldKey(key, 1));
  });

  it('maps bits into [0, 1) on the float32 grid', () => {
    expect(bitsToUnit(0)).toBe(0);
    expect(bitsToUnit(0xffffffff)).toBe(1 - 2 ** -24);
    expect(Math.fround(bitsToUnit(0x12345678))).toBe(bitsToUnit(0x12345678));
  });

  it('gives uniform values of the right moments', () => {
    const key = keyFromSeed(1);
    const n = 20000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const v = randomValue({ kind: 'uniform', low: -2, high: 2 }, key, i);
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThan(2);
      sum += v;
      sumSq += v * v;
    }
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSq / n).toBeCloseTo(16 / 12, 1);
  });

  it('gives normal values of the right moments', () => {
    const key = keyFromSeed(2);
    const n = 20000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const v = randomValue({ kind: 'normal', mean: 1, std: 3 }, key, i);
      expect(Number.isFinite(v)).toBe(true);
      sum += v;
      sumSq += (v - 1) ** 2;
    }
    expect(sum / n).toBeCloseTo(1, 1);
    expect(Math.sqrt(sumSq / n)).toBeCloseTo(3, 1);
  });

  it('gives bernoulli values with the right rate', () => {
    const key = keyFromSeed(3);
    let ones = 0;
    for (let i = 0; i < 10000; i++) ones += randomValue({ kind: 'bernoulli', p: 0.3 }, key, i);
    expect(ones / 10000).toBeCloseTo(0.3, 1);
  });
});

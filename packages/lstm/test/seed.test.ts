import { describe, expect, it } from 'vitest';
import { checkSeed, deriveSeed } from '../src/seed.js';

describe('deriveSeed', () => {
  it('is deterministic, spreads indices and seeds, and stays a valid seed', () => {
    expect(deriveSeed(undefined, 3)).toBeUndefined();
    expect(deriveSeed(7, 0)).toBe(deriveSeed(7, 0));
    const seen = new Set<number>();
    for (const seed of [0, 1, 2, 2 ** 40 + 1]) {
      for (let i = 0; i < 50; i++) {
        const s = deriveSeed(seed, i)!;
        expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
        seen.add(s);
      }
    }
    expect(seen.size).toBe(200);
  });

  it('refuses invalid seeds', () => {
    expect(() => {
      checkSeed('LSTM', 1.5);
    }).toThrow('LSTM: seed must be a non-negative safe integer, got 1.5');
    expect(() => {
      checkSeed('LSTM', undefined);
    }).not.toThrow();
  });
});

import { randomValue, type RandomSpec } from '@gated/backend-api';
import { describe, expect, it } from 'vitest';
import { Harness } from './helpers.js';

describe('random', () => {
  it('reproduces randomValue bit for bit', () => {
    const h = new Harness();
    const specs: RandomSpec[] = [
      { kind: 'uniform', low: 0, high: 1 },
      { kind: 'uniform', low: -0.1, high: 0.3 },
      { kind: 'normal', mean: 0, std: 1 },
      { kind: 'normal', mean: 2.5, std: 0.01 },
      { kind: 'bernoulli', p: 0.3 },
    ];
    const keys: [number, number][] = [
      [0, 0],
      [42, 0],
      [0xffffffff, 0x80000000],
      [123456789, 987654321],
    ];
    for (const spec of specs) {
      for (const key of keys) {
        const size = 1000;
        const out = h.read(h.backend.random({ spec, size, key }));
        const expected = Array.from({ length: size }, (_, i) => Math.fround(randomValue(spec, key, i)));
        expect(out, `${JSON.stringify(spec)} ${key.join(',')}`).toEqual(expected);
      }
    }
    expect(h.read(h.backend.random({ spec: specs[0]!, size: 0, key: [1, 2] }))).toEqual([]);
    h.finish();
  });
});

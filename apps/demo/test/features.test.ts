import { describe, expect, test } from 'vitest';
import { rankUnits, textFeatures } from '../src/core/features.js';
import type { LayerTrace } from '../src/core/inspect.js';

describe('text features', () => {
  const text = Array.from('KING:\nHe said "go" now\nand left.');
  const features = Object.fromEntries(textFeatures(text, [...new Set(text)]).map((f) => [f.id, f]));

  test('are computed per character, in reading order', () => {
    const at = (id: string, i: number) => features[id]!.values![i];
    expect(text.slice(0, 6).map((_, i) => at('speaker', i))).toEqual([1, 1, 1, 1, 1, 0]);
    expect(at('newline', 5)).toBe(1);
    expect(at('position', 6)).toBe(0);
    expect(at('position', 8)).toBe(2);
    const quoteStart = text.indexOf('"');
    expect(at('quote', quoteStart - 1)).toBe(0);
    expect(at('quote', quoteStart + 1)).toBe(1);
    expect(at('quote', quoteStart + 4)).toBe(0);
    expect(at('to-end', 0)).toBe(5);
    expect(at('word', 0)).toBe(1);
    expect(at('word', 4)).toBe(0);
  });

  test('a feature the model cannot see, or the text does not vary, says why instead of ranking', () => {
    const noQuotes = textFeatures(text, ['a']).find((f) => f.id === 'quote')!;
    expect(noQuotes.values).toBeNull();
    expect(noQuotes.why).toMatch(/vocabulary/);
    const flat = textFeatures(Array.from('abc'), ['a', 'b', 'c']).find((f) => f.id === 'newline')!;
    expect(flat.values).toBeNull();
  });

  test('rankUnits finds the unit that copies a feature, and its sign', () => {
    const feature = Float64Array.from({ length: 50 }, (_, t) => (t % 7 < 3 ? 1 : 0));
    const H = 4;
    const cell = new Float32Array(50 * H);
    const hidden = new Float32Array(50 * H);
    for (let t = 0; t < 50; t++) {
      for (let u = 0; u < H; u++) cell[t * H + u] = Math.sin(t * (u + 1));
      cell[t * H + 2] = -3 * feature[t]! + 1;
    }
    const layer = { cell, hidden } as unknown as LayerTrace;
    const [best] = rankUnits(feature, layer, H, 3);
    expect(best).toMatchObject({ unit: 2, signal: 'cell' });
    expect(best!.r).toBeCloseTo(-1, 6);
  });
});

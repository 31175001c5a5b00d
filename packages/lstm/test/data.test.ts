import { describe, expect, it } from 'vitest';
import { CharVocab, slidingWindows } from '../src/data.js';

describe('CharVocab', () => {
  it('sorts distinct characters and round-trips text', () => {
    const vocab = CharVocab.fromText('hello world');
    expect(vocab.chars.join('')).toBe(' dehlorw');
    expect(vocab.size).toBe(8);
    expect(Array.from(vocab.encode('hello'))).toEqual([3, 2, 4, 4, 5]);
    expect(vocab.decode(vocab.encode('world hello'))).toBe('world hello');
  });

  it('treats characters as code points', () => {
    const vocab = CharVocab.fromText('a😀b');
    expect(vocab.size).toBe(3);
    expect(vocab.decode(vocab.encode('😀ab'))).toBe('😀ab');
  });

  it('refuses unknown characters and ids', () => {
    const vocab = CharVocab.fromText('ab');
    expect(() => vocab.encode('abc')).toThrow('CharVocab.encode: character "c" is not in the vocabulary');
    expect(() => vocab.decode([0, 2])).toThrow('CharVocab.decode: id 2 is outside [0, 2)');
    expect(() => new CharVocab(['a', 'a'])).toThrow('duplicate character "a"');
  });
});

describe('slidingWindows', () => {
  it('cuts a univariate series into windows and the steps after them', () => {
    const w = slidingWindows([1, 2, 3, 4, 5, 6], { window: 3, horizon: 2 });
    expect(w.count).toBe(2);
    expect(w.inputShape).toEqual([2, 3, 1]);
    expect(Array.from(w.inputs)).toEqual([1, 2, 3, 2, 3, 4]);
    expect(w.targetShape).toEqual([2, 2, 1]);
    expect(Array.from(w.targets)).toEqual([4, 5, 5, 6]);
  });

  it('handles features and strides', () => {
    const series = [
      [0, 10],
      [1, 11],
      [2, 12],
      [3, 13],
      [4, 14],
      [5, 15],
      [6, 16],
    ];
    const w = slidingWindows(series, { window: 2, stride: 2 });
    expect(w.count).toBe(3);
    expect(w.inputShape).toEqual([3, 2, 2]);
    expect(Array.from(w.inputs)).toEqual([0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]);
    expect(Array.from(w.targets)).toEqual([2, 12, 4, 14, 6, 16]);
  });

  it('refuses series that are too short, ragged or not finite', () => {
    expect(() => slidingWindows([1, 2], { window: 2 })).toThrow('slidingWindows: a series of 2 steps is shorter than window + horizon = 3');
    expect(() => slidingWindows([[1, 2], [3]], { window: 1 })).toThrow('step 1 has 1 features, step 0 has 2');
    expect(() => slidingWindows([1, NaN, 3], { window: 1 })).toThrow('non-finite');
    expect(() => slidingWindows([1, 2, 3], { window: 0 })).toThrow('window must be a positive integer, got 0');
  });
});

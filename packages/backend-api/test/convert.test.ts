import { describe, expect, it } from 'vitest';
import { GatedError, convertValue, describeValue, int32Problem, saturateInt32, userValue } from '../src/index.js';

describe('the int32 rule (decisions/0019)', () => {
  it('takes values a user writes exactly, or refuses them', () => {
    expect(userValue('full', 'int32', 2147483647)).toBe(2147483647);
    expect(userValue('full', 'int32', -2147483648)).toBe(-2147483648);
    expect(userValue('full', 'int32', true)).toBe(1);
    expect(userValue('full', 'bool', NaN)).toBe(1);
    expect(userValue('full', 'float32', 0.1)).toBe(0.1);
    expect(() => userValue('full', 'int32', 2 ** 31)).toThrow(
      new GatedError('full', 'int32 tensors hold integers in [-2147483648, 2147483647], got 2147483648'),
    );
    expect(() => userValue('tensor', 'int32', 0.5, ' at flat index 2')).toThrow(
      new GatedError('tensor', 'int32 tensors hold integers, got 0.5 at flat index 2'),
    );
    expect(() => userValue('full', 'float32', '1' as unknown as number)).toThrow(
      new GatedError('full', 'expected a number or boolean, got "1"'),
    );
    expect(int32Problem(3)).toBeNull();
    expect(int32Problem(NaN)).toBe('is not an integer');
    expect(int32Problem(-(2 ** 31) - 1)).toBe("is outside int32's range [-2147483648, 2147483647]");
  });

  it('converts computed values by the cast rule: truncation, NaN to 0, saturation', () => {
    expect([3e9, -3e9, NaN, -2.9, 2.9, Infinity].map(saturateInt32)).toEqual([2147483647, -2147483648, 0, -2, 2, 2147483647]);
    expect(convertValue(0.1, 'float32')).toBe(Math.fround(0.1));
    expect(convertValue(NaN, 'bool')).toBe(1);
    expect(convertValue(-7.5, 'int32')).toBe(-7);
  });

  it('describes values so that a string never reads as a number', () => {
    expect(['3', 3, true, null, undefined, [1, 2], {}, Object.create(null), 2n].map(describeValue)).toEqual([
      '"3"',
      '3',
      'true',
      'null',
      'undefined',
      'an array of length 2',
      'an object',
      'an object',
      '2n',
    ]);
  });
});

/**
 * What the fuzz suite feeds the library: fast-check arbitraries of argument *descriptions*
 * (plain data, so fast-check can shrink them and print a counterexample a person can read), and
 * `materialize`, which turns a description into the value passed (creating tensors, disposed
 * tensors, views) and remembers every tensor it made so that the case can free them.
 *
 * Sizes are either small or refused: a dimension is 0 to 5 or at least 2^31, never a valid
 * size that would take gigabytes (a fuzz case must stay cheap on a loaded machine), and ranges
 * use numbers that cannot describe a huge valid count.
 */
import type { DType } from '@gated/backend-api';
import { permute, slice, tensor, type Tensor } from '@gated/tensor';
import fc from 'fast-check';

/** A description of one argument. */
export type ArgSpec =
  | {
      readonly t: 'tensor';
      readonly dtype: DType;
      readonly shape: readonly number[];
      readonly seed: number;
      readonly view: 'none' | 'transposed' | 'sliced';
    }
  | { readonly t: 'disposed'; readonly shape: readonly number[] }
  | { readonly t: 'value'; readonly v: unknown }
  | { readonly t: 'list'; readonly items: readonly ArgSpec[] };

/** Dimensions: small, or past what any buffer can hold. */
export const DIMS = [0, 1, 2, 3, 4, 5, 2 ** 31, 2 ** 40] as const;
/** Numbers a hostile caller passes where a number belongs. */
export const NUMBERS = [
  0,
  -0,
  1,
  -1,
  2,
  3,
  0.5,
  -2.5,
  1e-300,
  1e300,
  -1e300,
  NaN,
  Infinity,
  -Infinity,
  2 ** 31,
  -(2 ** 31) - 1,
  3e9,
  2 ** 53,
] as const;
/** Axes and counts: in range for small ranks, out of range, or not integers. */
export const AXES = [-4, -3, -2, -1, 0, 1, 2, 3, 4, 0.5, NaN, Infinity, 2 ** 31] as const;

const number = fc.constantFrom(...NUMBERS);
const dim = fc.constantFrom(...DIMS);
const smallDim = fc.integer({ min: 0, max: 4 });

/** A hostile scalar: numbers, strings that look like numbers, booleans, null, undefined, bigints, objects. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  number,
  fc.constantFrom('3', '', 'float32', '__proto__', true, false, null, undefined, 2n, {}, [], [[1], [2, 3]]),
);

/** A shape: mostly small and valid, sometimes with hostile dimensions or entries. */
export const shapeValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.array(smallDim, { maxLength: 3 }) },
  { weight: 2, arbitrary: fc.array(dim, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(dim, junk), { maxLength: 3 }) },
  { weight: 1, arbitrary: junk },
);

const dtype = fc.constantFrom<DType>('float32', 'float32', 'float32', 'int32', 'bool');

/** A live tensor of a small shape (sometimes a view), values drawn from `seed`. */
export const tensorSpec: fc.Arbitrary<ArgSpec> = fc.record({
  t: fc.constant('tensor' as const),
  dtype,
  shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  seed: fc.integer({ min: 0, max: 1000 }),
  view: fc.constantFrom('none' as const, 'none' as const, 'transposed' as const, 'sliced' as const),
});

/** A float32 tensor of a given shape (for arguments that must mostly fit). */
export function floatSpec(shape: readonly number[]): fc.Arbitrary<ArgSpec> {
  return fc.record({
    t: fc.constant('tensor' as const),
    dtype: fc.constant<DType>('float32'),
    shape: fc.constant(shape),
    seed: fc.integer({ min: 0, max: 1000 }),
    view: fc.constant('none' as const),
  });
}

/** Anything a caller might pass where a tensor belongs. */
export const tensorLike: fc.Arbitrary<ArgSpec> = fc.oneof(
  { weight: 6, arbitrary: tensorSpec },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('disposed' as const), shape: fc.array(smallDim, { maxLength: 2 }) }) },
  { weight: 2, arbitrary: value(junk) },
);

/** A list of tensor-like arguments (concat, stack). */
export const tensorList: fc.Arbitrary<ArgSpec> = fc.array(tensorLike, { maxLength: 3 }).map((items) => ({ t: 'list' as const, items }));

/** A plain value argument. */
export function value(arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<ArgSpec> {
  return arbitrary.map((v) => ({ t: 'value' as const, v }));
}

export const numberArg = value(fc.oneof({ weight: 4, arbitrary: number }, { weight: 1, arbitrary: junk }));
export const axisArg = value(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...AXES) }, { weight: 1, arbitrary: junk }));
export const shapeArg = value(shapeValue);
/** Either absent or one of the given option objects' values. */
export const optionsArg = (fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<ArgSpec> =>
  value(fc.oneof({ weight: 5, arbitrary: fc.record(fields, { requiredKeys: [] }) }, { weight: 1, arbitrary: junk }));

/** Values from a seed, in the dtype's range (the suite's own generator, not the engine's stream). */
function valuesFor(dtype: DType, size: number, seed: number): number[] {
  let state = (Math.imul(seed, 2654435761) + 1) >>> 0;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  return Array.from({ length: size }, () =>
    dtype === 'bool' ? Number(next() < 0.5) : dtype === 'int32' ? Math.floor(next() * 7) - 3 : next() * 4 - 2,
  );
}

/** The values a case was called with, and the tensors it made for them (freed after the case). */
export class Materialized {
  readonly made: Tensor[] = [];

  /** The value `spec` describes. */
  of(spec: ArgSpec): unknown {
    if (spec.t === 'value') return spec.v;
    if (spec.t === 'list') return spec.items.map((item) => this.of(item));
    if (spec.t === 'disposed') {
      const dead = this.track(tensor(new Float32Array(spec.shape.reduce((a, b) => a * b, 1)), { shape: spec.shape }));
      dead.dispose();
      return dead;
    }
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const base = this.track(tensor(valuesFor(spec.dtype, size, spec.seed), { shape: spec.shape, dtype: spec.dtype }));
    if (spec.view === 'transposed' && spec.shape.length >= 2) {
      const perm = spec.shape.map((_, i) => i).reverse();
      return this.track(permute(base, perm));
    }
    if (spec.view === 'sliced' && spec.shape.length >= 1 && spec.shape[0]! > 1) {
      return this.track(slice(base, [1], [spec.shape[0]! - 1]));
    }
    return base;
  }

  private track<T extends Tensor>(t: T): T {
    this.made.push(t);
    return t;
  }

  dispose(): void {
    for (const t of this.made) t.dispose();
  }
}

/**
 * The conformance suite's ground truth: a deliberately small n-d array of float64 values with a
 * dtype tag. It shares no code with `@gated/tensor`, any backend, or even the shape helpers of
 * `@gated/backend-api`, so a bug there cannot hide by agreeing with itself. Everything here is
 * written for clarity, not speed: arrays are materialised eagerly and indexed one element at a time.
 *
 * Values are stored canonically for their dtype: float32 values are rounded to float32
 * (`Math.fround`), int32 values are 32-bit integers, bools are 0 or 1.
 */

/** The element types the reference models (the same names as Gated's dtypes). */
export type RefDType = 'float32' | 'int32' | 'bool';

/** Nested JavaScript arrays, as `Tensor.toArray()` returns them. */
export type RefNested = number | boolean | RefNested[];

/** Rounds `value` to what a buffer of `dtype` stores: float32 rounding, 32-bit wrap, or 0/1. */
export function canonical(value: number, dtype: RefDType): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(value);
    case 'int32':
      return value | 0;
    default:
      return value !== 0 ? 1 : 0;
  }
}

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Row-major strides of a shape, in elements. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1]! * shape[axis + 1]!;
  return strides;
}

/** The multi-index of flat position `flat` in a row-major array of `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const dim = shape[axis]!;
    index[axis] = rest % dim;
    rest = Math.floor(rest / dim);
  }
  return index;
}

/** Formats a shape as Gated's error messages do: `[2,3]`. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** A reference tensor: float64 storage, a shape, and the dtype whose semantics it models. */
export class NDArray {
  readonly size: number;
  readonly strides: readonly number[];

  /** Wraps `data` (not copied) as an array of `shape`. Values must already be canonical. */
  constructor(
    readonly data: Float64Array,
    readonly shape: readonly number[],
    readonly dtype: RefDType = 'float32',
  ) {
    for (const dim of shape) {
      if (!Number.isInteger(dim) || dim < 0) throw new Error(`reference: bad shape ${shapeText(shape)}`);
    }
    this.size = shapeSize(shape);
    if (data.length !== this.size) {
      throw new Error(`reference: shape ${shapeText(shape)} needs ${this.size} values, got ${data.length}`);
    }
    this.strides = rowMajorStrides(shape);
  }

  /** An array of `shape` from flat values, rounded to `dtype`. */
  static of(values: ArrayLike<number>, shape: readonly number[], dtype: RefDType = 'float32'): NDArray {
    const data = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = canonical(values[i]!, dtype);
    return new NDArray(data, shape, dtype);
  }

  /** An array from nested JavaScript arrays (booleans become a bool array unless `dtype` says otherwise). */
  static fromNested(nested: RefNested, dtype?: RefDType): NDArray {
    const shape: number[] = [];
    let level: RefNested = nested;
    while (Array.isArray(level)) {
      shape.push(level.length);
      if (level.length === 0) break;
      level = level[0]!;
    }
    const flat: (number | boolean)[] = [];
    const walk = (value: RefNested, depth: number): void => {
      if (depth === shape.length) {
        if (Array.isArray(value)) throw new Error('reference: ragged nested array');
        flat.push(value);
        return;
      }
      if (!Array.isArray(value) || value.length !== shape[depth]) throw new Error('reference: ragged nested array');
      for (const item of value) walk(item, depth + 1);
    };
    walk(nested, 0);
    const inferred: RefDType = flat.length > 0 && typeof flat[0] === 'boolean' ? 'bool' : 'float32';
    return NDArray.of(
      flat.map((v) => Number(v)),
      shape,
      dtype ?? inferred,
    );
  }

  /** A constant array. */
  static full(shape: readonly number[], value: number, dtype: RefDType = 'float32'): NDArray {
    return new NDArray(new Float64Array(shapeSize(shape)).fill(canonical(value, dtype)), shape, dtype);
  }

  /** Builds an array element by element from its multi-index. */
  static build(shape: readonly number[], dtype: RefDType, valueAt: (index: number[], flat: number) => number): NDArray {
    const data = new Float64Array(shapeSize(shape));
    for (let i = 0; i < data.length; i++) data[i] = canonical(valueAt(unravel(i, shape), i), dtype);
    return new NDArray(data, shape, dtype);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The element at a multi-index (no bounds checks beyond what the caller guarantees). */
  at(index: readonly number[]): number {
    let flat = 0;
    for (let axis = 0; axis < index.length; axis++) flat += index[axis]! * this.strides[axis]!;
    return this.data[flat]!;
  }

  /** The values as nested arrays, booleans for bool arrays, a bare value for rank 0. */
  toNested(): RefNested {
    const convert = (v: number): number | boolean => (this.dtype === 'bool' ? v !== 0 : v);
    const build = (axis: number, offset: number): RefNested => {
      if (axis === this.rank) return convert(this.data[offset]!);
      const out: RefNested[] = [];
      for (let i = 0; i < this.shape[axis]!; i++) out.push(build(axis + 1, offset + i * this.strides[axis]!));
      return out;
    };
    return build(0, 0);
  }

  /** The same values re-tagged as another dtype after applying `fn` (values are canonicalised). */
  map(fn: (value: number) => number, dtype: RefDType = this.dtype): NDArray {
    const data = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) data[i] = canonical(fn(this.data[i]!), dtype);
    return new NDArray(data, this.shape, dtype);
  }
}

/** Maps a possibly negative axis into `[0, rank)`; throws (a plain Error: a suite bug) otherwise. */
export function refAxis(axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw new Error(`reference: axis ${axis} out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

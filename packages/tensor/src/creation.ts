/**
 * Creating tensors: from JavaScript values, constant fills, ranges, and the seeded random
 * stream shared by every backend. New tensors go to the active backend (`setBackend`).
 */
import {
  checkOptions,
  allocArray,
  assertValidShape,
  checkDType,
  describeValue,
  formatShape,
  GatedError,
  isArrayOfDType,
  sizeOf,
  threefry2x32,
  userValue,
  type Backend,
  type DType,
  type RandomSpec,
  type Shape,
  type TypedArray,
} from '@gated/backend-api';
import { ENGINE } from './engine.js';
import { assertLiveTensor, type NestedArray, type Tensor } from './tensor.js';

/** Values `tensor()` accepts: a number or boolean, nested arrays of them, or a typed array. */
export type TensorValues = NestedArray<number | boolean> | TypedArray;

export interface TensorOptions {
  /** Element type; inferred when omitted (typed arrays by type, booleans → bool, numbers → float32). */
  readonly dtype?: DType;
  /** Shape; inferred from nesting when omitted (a flat typed array becomes 1-D). */
  readonly shape?: Shape;
  /** Track gradients for this tensor (a leaf parameter). */
  readonly requiresGrad?: boolean;
}

export interface DTypeOption {
  readonly dtype?: DType;
}

export interface SeedOption {
  /**
   * An explicit seed makes the values depend only on it. Without one, the next key of the global
   * stream is used (see `manualSeed`).
   */
  readonly seed?: number;
}

/**
 * Creates a tensor from JavaScript values.
 *
 * @example
 * ```ts
 * tensor([[1, 2, 3], [4, 5, 6]]);                  // float32 [2,3]
 * tensor([0, 2, 1], { dtype: 'int32' });           // int32 [3]
 * tensor(new Float32Array(6), { shape: [2, 3] });  // float32 [2,3]
 * ```
 */
export function tensor(values: TensorValues, options: TensorOptions = {}): Tensor {
  checkOptions('tensor', options);
  let flat: TypedArray;
  let shape: Shape;
  let dtype: DType;
  if (options.dtype !== undefined) checkDType('tensor', options.dtype);
  if (ArrayBuffer.isView(values)) {
    dtype = options.dtype ?? inferTypedArrayDType(values);
    if (!isArrayOfDType(values, dtype)) {
      throw new GatedError('tensor', `a ${values.constructor.name} cannot hold ${dtype} values; pass the matching typed array`);
    }
    flat = values.slice();
    shape = options.shape ?? [values.length];
  } else {
    const inferred = inferShape(values);
    const raw: (number | boolean)[] = [];
    flatten(values, inferred, 0, raw);
    dtype = options.dtype ?? (raw.length > 0 && typeof raw[0] === 'boolean' ? 'bool' : 'float32');
    shape = options.shape ?? inferred;
    flat = allocArray(dtype, raw.length);
    // Values a user wrote are taken exactly (no wrapping, no saturation: decisions/0019).
    for (let i = 0; i < raw.length; i++) flat[i] = userValue('tensor', dtype, raw[i]!, ` at flat index ${i}`);
  }
  assertValidShape('tensor', shape);
  if (sizeOf(shape) !== flat.length) {
    throw new GatedError('tensor', `shape ${formatShape(shape)} needs ${sizeOf(shape)} values, got ${flat.length}`);
  }
  // Every option is checked before the upload, so a refusal leaves nothing allocated.
  if (options.requiresGrad && dtype !== 'float32') {
    throw new GatedError('tensor', `only float32 tensors can require gradients, got ${dtype}`);
  }
  const result = upload(ENGINE.backend(), flat, shape, dtype);
  if (options.requiresGrad) result.requiresGrad = true;
  return result;
}

/** Copies host values (already validated against `shape`) into a new tensor on `backend`. @internal */
export function upload(backend: Backend, values: TypedArray, shape: Shape, dtype: DType): Tensor {
  const handle = backend.alloc(dtype, values.length);
  try {
    if (values.length > 0) backend.write(handle, values);
  } catch (error) {
    backend.free(handle);
    throw error;
  }
  return ENGINE.wrap(backend, handle, shape, dtype);
}

/** A rank-0 tensor. */
export function scalar(value: number | boolean, options: DTypeOption = {}): Tensor {
  checkOptions('scalar', options);
  return tensor(value, options);
}

function inferTypedArrayDType(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Int32Array) return 'int32';
  throw new GatedError('tensor', `cannot infer a dtype from a ${values.constructor.name}; pass { dtype: 'bool' } for a Uint8Array mask`);
}

function inferShape(values: unknown): number[] {
  const shape: number[] = [];
  let level: unknown = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function flatten(values: unknown, shape: Shape, axis: number, out: (number | boolean)[]): void {
  if (axis === shape.length) {
    if (typeof values !== 'number' && typeof values !== 'boolean') {
      throw new GatedError('tensor', `expected a number or boolean at depth ${axis}, got ${describe(values)}`);
    }
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[axis]) {
    throw new GatedError(
      'tensor',
      `ragged nested array: expected an array of length ${shape[axis]!} at depth ${axis} (shape ${formatShape(shape)}), got ${describe(values)}`,
    );
  }
  for (const item of values) flatten(item, shape, axis + 1, out);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? `an array of length ${value.length}` : typeof value;
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number | boolean, options: DTypeOption = {}): Tensor {
  checkOptions('full', options);
  return constant('full', shape, value, options.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32'));
}

function constant(op: string, shape: Shape, value: number | boolean, dtype: DType): Tensor {
  assertValidShape(op, shape);
  checkDType(op, dtype);
  return fillOn(ENGINE.backend(), shape, userValue(op, dtype, value), dtype);
}

/** A constant tensor on a given backend (no validation). @internal */
export function fillOn(backend: Backend, shape: Shape, value: number, dtype: DType): Tensor {
  return ENGINE.wrap(backend, backend.fill(dtype, sizeOf(shape), value), shape, dtype);
}

/** A tensor of zeros (float32 unless `dtype` says otherwise). */
export function zeros(shape: Shape, options: DTypeOption = {}): Tensor {
  checkOptions('zeros', options);
  return constant('zeros', shape, 0, options.dtype ?? 'float32');
}

/** A tensor of ones (float32 unless `dtype` says otherwise). */
export function ones(shape: Shape, options: DTypeOption = {}): Tensor {
  checkOptions('ones', options);
  return constant('ones', shape, 1, options.dtype ?? 'float32');
}

/** Zeros of `like`'s shape and dtype (or `dtype`). */
export function zerosLike(like: Tensor, options: DTypeOption = {}): Tensor {
  checkOptions('zerosLike', options);
  assertLiveTensor('zerosLike', like);
  const dtype = options.dtype ?? like.dtype;
  checkDType('zerosLike', dtype);
  return fillOn(like.backend, like.shape, 0, dtype);
}

export function onesLike(like: Tensor, options: DTypeOption = {}): Tensor {
  checkOptions('onesLike', options);
  assertLiveTensor('onesLike', like);
  const dtype = options.dtype ?? like.dtype;
  checkDType('onesLike', dtype);
  return fillOn(like.backend, like.shape, 1, dtype);
}

export function fullLike(like: Tensor, value: number | boolean, options: DTypeOption = {}): Tensor {
  checkOptions('fullLike', options);
  assertLiveTensor('fullLike', like);
  const dtype = options.dtype ?? like.dtype;
  checkDType('fullLike', dtype);
  return fillOn(like.backend, like.shape, userValue('fullLike', dtype, value), dtype);
}

/**
 * Evenly spaced values in `[start, stop)` (numpy's `arange`): `arange(5)` is 0..4,
 * `arange(1, 2, 0.25)` is 1, 1.25, 1.5, 1.75.
 */
export function arange(start: number, stop?: number, step = 1, options: DTypeOption = {}): Tensor {
  checkOptions('arange', options);
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  for (const [name, value] of [
    ['start', from],
    ['stop', to],
    ['step', step],
  ] as const) {
    if (!Number.isFinite(value)) throw new GatedError('arange', `${name} must be finite, got ${describeValue(value)}`);
  }
  if (step === 0) throw new GatedError('arange', 'step must not be 0');
  const count = Math.max(0, Math.ceil((to - from) / step));
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32')
    throw new GatedError('arange', `dtype must be float32 or int32, got ${describeValue(dtype)}`);
  if (dtype === 'int32' && (!Number.isInteger(from) || !Number.isInteger(step))) {
    throw new GatedError('arange', `int32 ranges need integer start and step, got ${from} and ${step}`);
  }
  // The size is checked before any host memory is taken.
  assertValidShape('arange', [count]);
  if (dtype === 'int32' && count > 0) {
    userValue('arange', 'int32', from, ' (start)');
    userValue('arange', 'int32', from + (count - 1) * step, ' (the last value)');
  }
  const values = allocArray(dtype, count);
  for (let i = 0; i < count; i++) values[i] = from + i * step;
  return tensor(values, { dtype, shape: [count] });
}

/** `num` evenly spaced values from `start` to `stop` inclusive (float32). */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isFinite(start) || !Number.isFinite(stop)) {
    throw new GatedError('linspace', `start and stop must be finite, got ${start} and ${stop}`);
  }
  if (!Number.isInteger(num) || num < 0) throw new GatedError('linspace', `num must be a non-negative integer, got ${describeValue(num)}`);
  // The size is checked before any host memory is taken.
  assertValidShape('linspace', [num]);
  const values = new Float32Array(num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) values[i] = i === num - 1 && num > 1 ? stop : start + i * step;
  return tensor(values, { shape: [num] });
}

/** An `n × m` identity matrix (`m` defaults to `n`). */
export function eye(n: number, m = n, options: DTypeOption = {}): Tensor {
  checkOptions('eye', options);
  assertValidShape('eye', [n, m]);
  const dtype = options.dtype ?? 'float32';
  checkDType('eye', dtype);
  const values = allocArray(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return tensor(values, { dtype, shape: [n, m] });
}

function randomFill(op: string, shape: Shape, spec: RandomSpec, seed: number | undefined): Tensor {
  assertValidShape(op, shape);
  const key = ENGINE.nextRandomKey(op, seed);
  const backend = ENGINE.backend();
  return ENGINE.wrap(backend, backend.random({ spec, size: sizeOf(shape), key }), shape, 'float32');
}

function assertFinite(op: string, values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) throw new GatedError(op, `${name} must be finite, got ${describeValue(value)}`);
  }
}

/** Uniform samples in `[low, high)`. */
export function uniform(shape: Shape, low = 0, high = 1, options: SeedOption = {}): Tensor {
  checkOptions('uniform', options);
  assertFinite('uniform', { low, high });
  if (high < low) throw new GatedError('uniform', `high (${high}) must not be below low (${low})`);
  return randomFill('uniform', shape, { kind: 'uniform', low, high }, options.seed);
}

/** Uniform samples in `[0, 1)`. */
export function rand(shape: Shape, options: SeedOption = {}): Tensor {
  checkOptions('rand', options);
  return randomFill('rand', shape, { kind: 'uniform', low: 0, high: 1 }, options.seed);
}

/** Standard normal samples. */
export function randn(shape: Shape, options: SeedOption = {}): Tensor {
  checkOptions('randn', options);
  return randomFill('randn', shape, { kind: 'normal', mean: 0, std: 1 }, options.seed);
}

/** Normal samples with the given mean and standard deviation. */
export function normal(shape: Shape, mean = 0, std = 1, options: SeedOption = {}): Tensor {
  checkOptions('normal', options);
  assertFinite('normal', { mean, std });
  if (std < 0) throw new GatedError('normal', `std must be non-negative, got ${std}`);
  return randomFill('normal', shape, { kind: 'normal', mean, std }, options.seed);
}

/** float32 samples that are 1 with probability `p` and 0 otherwise (dropout masks). */
export function bernoulli(shape: Shape, p: number, options: SeedOption = {}): Tensor {
  checkOptions('bernoulli', options);
  if (!(p >= 0 && p <= 1)) throw new GatedError('bernoulli', `p must be in [0, 1], got ${describeValue(p)}`);
  return randomFill('bernoulli', shape, { kind: 'bernoulli', p }, options.seed);
}

/**
 * A random permutation of `0..n-1` (int32), computed on the host from the shared random stream,
 * so data shuffles are identical on every backend.
 */
export function randperm(n: number, options: SeedOption = {}): Tensor {
  checkOptions('randperm', options);
  if (!Number.isInteger(n) || n < 0) throw new GatedError('randperm', `n must be a non-negative integer, got ${describeValue(n)}`);
  assertValidShape('randperm', [n]);
  const key = ENGINE.nextRandomKey('randperm', options.seed);
  const values = new Int32Array(n);
  for (let i = 0; i < n; i++) values[i] = i;
  for (let i = n - 1; i > 0; i--) {
    // 53 random bits scaled to [0, i] avoid the modulo bias of a single 32-bit word.
    const [hi, lo] = threefry2x32(key, i, 1);
    const j = Math.floor((((hi >>> 5) * 67108864 + (lo >>> 6)) / 9007199254740992) * (i + 1));
    const swap = values[i]!;
    values[i] = values[j]!;
    values[j] = swap;
  }
  return tensor(values, { shape: [n] });
}

/** Reseeds the global random stream that random ops without an explicit seed draw from. */
export function manualSeed(seed: number): void {
  ENGINE.seed(seed);
}

/**
 * The Tensor: a view (shape, strides, offset, dtype) onto a refcounted buffer that lives on one
 * backend. Views (reshape, transpose, slice, expand) share the buffer and each hold one
 * reference; the buffer is freed when the last view is disposed.
 *
 * Reading is asynchronous (`await t.data()`) because a GPU backend cannot read synchronously;
 * `dataSync()` exists for backends whose `caps.syncRead` is true.
 */
import {
  GatedError,
  contiguousStrides,
  describeValue,
  formatShape,
  sizeOf,
  type Backend,
  type DType,
  type DataHandle,
  type Shape,
  type TypedArray,
  type TypedArrayFor,
} from '@gated/backend-api';
import { ENGINE } from './engine.js';

/** Nested JavaScript arrays, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray<T> = T | NestedArray<T>[];

/** The value type of a dtype in nested-array form. */
export interface DTypeValueMap {
  float32: number;
  int32: number;
  bool: boolean;
}

/**
 * A buffer and its reference count. One storage per backend buffer; every tensor viewing it
 * holds one reference.
 * @internal
 */
export class Storage {
  refs = 1;
  constructor(
    readonly backend: Backend,
    readonly handle: DataHandle,
    readonly bytes: number,
  ) {}
}

let nextTensorId = 0;

/**
 * An n-dimensional array of float32, int32 or bool values on one backend.
 *
 * Tensors are immutable values: ops return new tensors. Free them with `dispose()`, inside
 * `tidy()`, or with `using` (`Symbol.dispose`).
 *
 * @example
 * ```ts
 * const a = tensor([[1, 2], [3, 4]]);
 * console.log(await a.toArray()); // [[1, 2], [3, 4]]
 * a.dispose();
 * ```
 */
export class Tensor<D extends DType = DType> {
  /** Unique, increasing id (for debugging and error messages). */
  readonly id: number;
  readonly shape: Shape;
  readonly dtype: D;
  /** Number of elements. */
  readonly size: number;
  /** @internal The buffer this tensor views. Replaced by `assign`. */
  storage: Storage;
  /** Gradient accumulated by `backward()` (set by @gated/autograd). */
  grad: Tensor<'float32'> | null = null;
  /** @internal Autograd's node for this tensor; owned by the recorder. */
  gradNode: unknown = null;
  /** @internal True once `keep()`-ed: scopes will not dispose it. */
  kept = false;
  /** Incremented by every in-place update (`assign`), so autograd can detect stale saved values. */
  version = 0;
  private stridesValue: readonly number[];
  private offsetValue: number;
  private requiresGradFlag = false;
  private disposedFlag = false;

  /** @internal Use the creation functions (`tensor`, `zeros`, ...) instead. */
  constructor(storage: Storage, shape: Shape, dtype: D, strides?: readonly number[], offset = 0) {
    this.id = nextTensorId++;
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.stridesValue = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offsetValue = offset;
    ENGINE.track(this);
  }

  /** Strides in elements, one per axis (0 on expanded axes). */
  get strides(): readonly number[] {
    return this.stridesValue;
  }

  /** Offset of element [0, 0, ...] in the buffer, in elements. */
  get offset(): number {
    return this.offsetValue;
  }

  /** @internal Points this tensor at a new contiguous buffer (what `assign` does). */
  rebind(storage: Storage): void {
    this.storage = storage;
    this.stridesValue = Object.freeze(contiguousStrides(this.shape));
    this.offsetValue = 0;
    this.version++;
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** The backend holding this tensor's buffer. */
  get backend(): Backend {
    return this.storage.backend;
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /**
   * Whether gradients flow to this tensor. Setting it on a leaf makes `backward()` fill `grad`.
   * Only float32 tensors can require gradients.
   */
  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(value: boolean) {
    if (value && this.dtype !== 'float32') {
      throw new GatedError('requiresGrad', `only float32 tensors can require gradients, got ${this.dtype}`);
    }
    this.requiresGradFlag = value;
  }

  /** True when the elements are laid out row-major from `offset` with no gaps. */
  get isContiguous(): boolean {
    let expected = 1;
    for (let axis = this.shape.length - 1; axis >= 0; axis--) {
      const dim = this.shape[axis]!;
      if (dim !== 1 && this.strides[axis] !== expected) return false;
      expected *= dim;
    }
    return true;
  }

  /** Throws unless the tensor is still alive; `op` names the caller in the message. */
  assertLive(op: string): void {
    if (this.disposedFlag) {
      throw new GatedError(op, `tensor #${this.id} (${this.dtype} ${formatShape(this.shape)}) was already disposed`);
    }
    if (ENGINE.anyRemoved && ENGINE.isRemoved(this.storage.backend)) {
      throw new GatedError(
        op,
        `tensor #${this.id} (${this.dtype} ${formatShape(this.shape)}) lives on backend "${this.storage.backend.name}", which was removed (removeBackend)`,
      );
    }
  }

  /** Frees this tensor's reference to its buffer. Idempotent. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    ENGINE.release(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A fresh host copy of the values, row-major. Works on every backend. */
  async data(): Promise<TypedArrayFor<D>> {
    this.assertLive('data');
    return (await ENGINE.read(this)) as TypedArrayFor<D>;
  }

  /** Synchronous `data()`; throws on backends that cannot read synchronously (WebGPU). */
  dataSync(): TypedArrayFor<D> {
    this.assertLive('dataSync');
    return ENGINE.readSync(this, 'dataSync') as TypedArrayFor<D>;
  }

  /** The values as nested arrays (booleans for bool tensors); a number for a scalar. */
  async toArray(): Promise<NestedArray<DTypeValueMap[D]>> {
    this.assertLive('toArray');
    return nest(await ENGINE.read(this), this.shape, this.dtype) as NestedArray<DTypeValueMap[D]>;
  }

  /** Synchronous `toArray()`, on backends with synchronous reads. */
  toArraySync(): NestedArray<DTypeValueMap[D]> {
    this.assertLive('toArraySync');
    return nest(ENGINE.readSync(this, 'toArraySync'), this.shape, this.dtype) as NestedArray<DTypeValueMap[D]>;
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    this.assertOneElement('item');
    return (await ENGINE.read(this))[0]!;
  }

  /** Synchronous `item()`, on backends with synchronous reads. */
  itemSync(): number {
    this.assertOneElement('itemSync');
    return ENGINE.readSync(this, 'itemSync')[0]!;
  }

  /**
   * Computes gradients of this tensor with respect to every tensor that requires them and stores
   * them in `.grad` (PyTorch's `loss.backward()`). Needs `@gated/autograd`. A non-scalar tensor
   * needs a `seed` of its own shape (the vector of the vector-Jacobian product).
   */
  backward(seed?: Tensor): void {
    this.assertLive('backward');
    ENGINE.backward(this, seed);
  }

  /** A view that shares this tensor's values but is cut off from the autodiff graph. */
  detach(): Tensor<D> {
    this.assertLive('detach');
    return ENGINE.view(this, this.shape, this.strides, this.offset);
  }

  /**
   * Replaces this tensor's values with `value`'s (same shape and dtype), keeping its identity:
   * what optimizers do to parameters. Views taken earlier keep the old values. Not recorded by
   * autodiff; increments `version`.
   */
  assign(value: Tensor<D>): void {
    this.assertLive('assign');
    ENGINE.assign(this, value);
  }

  toString(): string {
    const state = this.disposedFlag ? ', disposed' : '';
    return `Tensor(#${this.id}, ${this.dtype}, ${formatShape(this.shape)}${state})`;
  }

  private assertOneElement(op: string): void {
    this.assertLive(op);
    if (this.size !== 1) {
      throw new GatedError(op, `needs a tensor with exactly one element, got shape ${formatShape(this.shape)}`);
    }
  }
}

/**
 * Throws a GatedError naming `op` unless `value` is a live Tensor: what every op checks first,
 * so a caller who passes something else (a number, an array, undefined) hears which op refused
 * it instead of a TypeError from inside. @internal
 */
export function assertLiveTensor(op: string, value: unknown, what = 'input'): asserts value is Tensor {
  if (!(value instanceof Tensor)) throw new GatedError(op, `${what} must be a Tensor, got ${describeValue(value)}`);
  value.assertLive(op);
}

/**
 * Runs `body` for the public function `op`: a GatedError that an op inside it raises
 * (`gather: index 7 is out of range`) comes out naming `op` too (`Embedding.forward: gather:
 * index 7 is out of range`), so the message starts with what the user called. @internal
 */
export function asOp<T>(op: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof GatedError && error.op !== op) throw new GatedError(op, error.message, { cause: error });
    throw error;
  }
}

/** Turns flat row-major values into nested arrays of `shape`. */
function nest(values: TypedArray, shape: Shape, dtype: DType): NestedArray<number | boolean> {
  const convert = dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return convert(values[0]!);
  const build = (axis: number, offset: number, stride: number): NestedArray<number | boolean> => {
    const dim = shape[axis]!;
    const inner = stride / Math.max(dim, 1);
    const out: NestedArray<number | boolean>[] = [];
    for (let i = 0; i < dim; i++) {
      out.push(axis === shape.length - 1 ? convert(values[offset + i]!) : build(axis + 1, offset + i * inner, inner));
    }
    return out;
  };
  return build(0, 0, sizeOf(shape));
}

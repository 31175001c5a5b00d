/**
 * The checked layer: argument validation for every backend, written once. `checkedBackend(b)`
 * returns `b` behind a guard that validates each call of the contract (live handles of this
 * backend, dtypes, shapes, axes, op names, sizes) and throws a GatedError naming the method
 * before the backend sees a bad call; calls that pass go through unchanged. So a backend only
 * computes, and trusts its arguments.
 *
 * The tensor engine puts every backend it adopts behind this layer, and the backends' own
 * factories return checked backends too (direct callers get the same errors). Wrapping is
 * idempotent: the same backend always gets the same guard, and a guard is never wrapped again.
 *
 * The guard is a Proxy, so that it keeps the backend's own type and members (`instanceof`,
 * backend-specific fields such as the wasm backend's `info`): only the methods of the contract
 * are replaced. docs/decisions/0007 says why validation lives here.
 */
import type { Backend, DataHandle, StridedSpec, TensorSpec } from './backend.js';
import { checkedKernels } from './checked-kernels.js';
import type { DType, TypedArray } from './dtype.js';
import { isArrayOfDType } from './dtype.js';
import { GatedError, formatShape } from './errors.js';
import { sizeOf } from './shape.js';
import { checkAllowed, checkDType, checkSize } from './checks.js';

function dtypeOf(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  return values instanceof Int32Array ? 'int32' : 'bool';
}

/** A handle as the guard marks it: a property under the guard's own symbol. */
type Marked = DataHandle & Record<symbol, boolean | undefined>;

/**
 * What the guard knows: which handles this backend issued and has not freed, and whether it was
 * disposed. Kernel checks (checked-kernels.ts) call it for every handle they pass on.
 *
 * Each handle the backend returns is marked under a symbol of this guard (true while live, false
 * once freed) instead of being kept in sets: a mark costs a property write, where a WeakSet of
 * freed handles cost a tenth of a microsecond per `free`, and the guard holds no references. A
 * handle object that cannot take a property (frozen) is marked in a WeakMap instead.
 */
export class HandleGuard {
  private readonly key = Symbol('gated.checkedBackend');
  private readonly frozenMarks = new WeakMap<DataHandle, boolean>();
  private disposed = false;

  constructor(
    /** The backend behind the guard. */
    readonly backend: Backend,
  ) {}

  /** Throws once the backend was disposed. */
  alive(op: string): void {
    if (this.disposed) throw new GatedError(op, `the ${this.backend.name} backend was disposed`);
  }

  /** `handle`, if this backend issued it and it was not freed; else a GatedError naming `op` and `what`. */
  own(op: string, handle: DataHandle, what = 'buffer'): DataHandle {
    this.alive(op);
    const mark = this.markOf(handle);
    if (mark === true) return handle;
    if (mark === false) throw new GatedError(op, `${what} was already freed`);
    throw new GatedError(op, `${what} is not a buffer of this ${this.backend.name} backend`);
  }

  /** A live input whose shape matches its buffer, optionally restricted to some dtypes. */
  input(op: string, what: string, spec: TensorSpec, allowed?: readonly DType[]): DataHandle {
    const handle = this.own(op, spec.data, what);
    if (sizeOf(spec.shape) !== handle.size) {
      throw new GatedError(op, `${what} has shape ${formatShape(spec.shape)} but its buffer holds ${handle.size} elements`);
    }
    if (allowed) checkAllowed(op, what, handle.dtype, allowed);
    return handle;
  }

  /** Records a handle the backend returned: the caller owns it from now on. */
  adopt<H extends DataHandle>(handle: H): H {
    this.mark(handle, true);
    return handle;
  }

  /** Records every handle of a fused kernel's result (outputs a kernel may leave out are null or absent). */
  adoptAll<R extends { readonly [key: string]: DataHandle | null | undefined }>(outputs: R): R {
    for (const handle of Object.values(outputs)) if (handle) this.mark(handle, true);
    return outputs;
  }

  /** `free`: the handle is dead from now on. */
  release(handle: DataHandle): void {
    this.mark(handle, false);
  }

  /** `dispose`: every later call is refused. Returns false when already disposed. */
  dispose(): boolean {
    if (this.disposed) return false;
    this.disposed = true;
    return true;
  }

  private mark(handle: DataHandle, live: boolean): void {
    try {
      (handle as Marked)[this.key] = live;
    } catch {
      // A frozen handle (assignment throws in strict mode).
      this.frozenMarks.set(handle, live);
    }
  }

  /** true (live), false (freed), or undefined (not a handle of this backend: a careless caller's may be anything). */
  private markOf(handle: DataHandle): boolean | undefined {
    if (typeof handle !== 'object' || (handle as DataHandle | null) === null) return undefined;
    return (handle as Marked)[this.key] ?? this.frozenMarks.get(handle);
  }
}

/** The storage methods, checked. */
function storageMethods(guard: HandleGuard, raw: Backend): Partial<Backend> {
  const methods: Partial<Backend> = {
    alloc(dtype: DType, size: number): DataHandle {
      guard.alive('alloc');
      checkDType('alloc', dtype);
      checkSize('alloc', size);
      return guard.adopt(raw.alloc(dtype, size));
    },
    write(handle: DataHandle, values: TypedArray, offset = 0): void {
      const buffer = guard.own('write', handle);
      if (!isArrayOfDType(values, buffer.dtype)) {
        throw new GatedError('write', `values are ${dtypeOf(values)} but the buffer is ${buffer.dtype}`);
      }
      if (!Number.isInteger(offset) || offset < 0 || offset + values.length > buffer.size) {
        throw new GatedError('write', `${values.length} values at offset ${offset} do not fit a buffer of ${buffer.size} elements`);
      }
      raw.write(handle, values, offset);
    },
    /** A bad handle rejects the promise (with a GatedError) rather than throwing. */
    read(handle: DataHandle): Promise<TypedArray> {
      return new Promise((resolve) => {
        resolve(raw.read(guard.own('read', handle)));
      });
    },
    free(handle: DataHandle): void {
      raw.free(guard.own('free', handle));
      guard.release(handle);
    },
    dispose(): void {
      if (guard.dispose()) raw.dispose();
    },
    stridedCopy(x: StridedSpec): DataHandle {
      const source = guard.own('stridedCopy', x.data, 'x');
      checkView(x, source.size);
      return guard.adopt(raw.stridedCopy(x));
    },
  };
  const readSync = raw.readSync?.bind(raw);
  if (readSync) methods.readSync = (handle) => readSync(guard.own('readSync', handle));
  return methods;
}

/** Throws unless a strided view has integer strides and offset and stays inside its buffer. */
function checkView(x: StridedSpec, bufferSize: number): void {
  if (x.strides.length !== x.shape.length || !x.strides.every(Number.isInteger) || !Number.isInteger(x.offset)) {
    throw new GatedError('stridedCopy', `need one integer stride per axis of ${formatShape(x.shape)} and an integer offset`);
  }
  if (sizeOf(x.shape) === 0) return;
  let lowest = x.offset;
  let highest = x.offset;
  for (let axis = 0; axis < x.shape.length; axis++) {
    const reach = (x.shape[axis]! - 1) * x.strides[axis]!;
    if (reach < 0) lowest += reach;
    else highest += reach;
  }
  if (lowest < 0 || highest >= bufferSize) {
    throw new GatedError('stridedCopy', `the view reaches elements ${lowest} to ${highest}, outside a buffer of ${bufferSize} elements`);
  }
}

const guards = new WeakMap<Backend, Backend>();
const checked = new WeakSet<Backend>();

/**
 * `backend` behind the checked layer: every call of the contract is validated before it reaches
 * the backend. Idempotent. The result has the backend's type and members.
 *
 * @example
 * ```ts
 * const backend = checkedBackend(new MyBackend());
 * backend.unary('exp', { data: backend.fill('int32', 2, 1), shape: [2] });
 * // GatedError: unary: x of exp must be float32, got int32
 * ```
 */
export function checkedBackend<B extends Backend>(backend: B): B {
  if (checked.has(backend)) return backend;
  const existing = guards.get(backend);
  if (existing) return existing as B;
  const guard = new HandleGuard(backend);
  const methods: Partial<Backend> = { ...storageMethods(guard, backend), ...checkedKernels(guard, backend) };
  const bound = new Map<PropertyKey, unknown>();
  const proxy = new Proxy(backend, {
    get(target, property) {
      if (Object.hasOwn(methods, property)) return methods[property as keyof Backend];
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // Other methods run on the backend itself, so its private state stays its own.
      let method = bound.get(property);
      if (method === undefined) {
        method = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(property, method);
      }
      return method;
    },
    // A contract method assigned on the checked backend (a profiler wrapping `free`, say) replaces
    // the checked method, so the wrapper calls the checked one it captured; assigning it on the
    // backend itself would make the checked method call its own wrapper forever.
    set(target, property, value: unknown) {
      if (Object.hasOwn(methods, property)) {
        (methods as Record<PropertyKey, unknown>)[property] = value;
        return true;
      }
      return Reflect.set(target, property, value, target);
    },
  });
  guards.set(backend, proxy);
  checked.add(proxy);
  return proxy;
}

/** Whether `backend` is behind the checked layer (what the engine hands out always is). */
export function isCheckedBackend(backend: Backend): boolean {
  return checked.has(backend);
}

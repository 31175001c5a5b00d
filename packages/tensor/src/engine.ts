/**
 * The engine: which backends exist and which one new tensors go to, what is alive (refcounts,
 * scopes), and the one place every op passes through (`runOp`), where autodiff's recorder is
 * called. There is one engine per JavaScript realm (`ENGINE`); users reach it through the
 * functions exported from `index.ts`, never directly.
 */
import {
  GatedError,
  SPEC_VERSION,
  bytesPerElement,
  checkedBackend,
  foldKey,
  formatShape,
  keyFromSeed,
  shapesEqual,
  type Backend,
  type BackendFactory,
  type BackendMemory,
  type DType,
  type DataHandle,
  type OpName,
  type AttrsOf,
  type RandomKey,
  type Shape,
  type TensorSpec,
  type TypedArray,
} from '@gated/backend-api';
import { Storage, Tensor } from './tensor.js';

/**
 * The hook @gated/autograd installs. The engine calls `record` once per public op (never for
 * ops nested inside another op's implementation) when gradients are enabled and at least one
 * input requires a gradient. @internal
 */
export interface OpRecorder {
  record<N extends OpName>(op: N, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: AttrsOf<N>): void;
  /** Called when a tensor that has a `gradNode` is disposed. */
  release(tensor: Tensor): void;
  /** Runs `tensor.backward(seed)`. */
  backward(tensor: Tensor, seed: Tensor | undefined): void;
}

/** What `memory()` reports. */
export interface MemoryInfo {
  /** Live (not yet disposed) tensors. */
  readonly numTensors: number;
  /** Live buffers held by tensors (views share one). */
  readonly numBuffers: number;
  /** Bytes of those buffers. */
  readonly numBytes: number;
  /** The active backend's own report, or null when no backend is active yet. */
  readonly backend: BackendMemory | null;
}

interface Registration {
  readonly factory: BackendFactory;
  readonly priority: number;
}

/** Output of an op implementation: one tensor, a list, or a record of tensors (an output an op may leave out is null). */
export type OpOutput = Tensor | readonly Tensor[] | { readonly [key: string]: Tensor | null };

class TensorScope {
  readonly tensors: Tensor[] = [];
}

export class Engine {
  private readonly registry = new Map<string, Registration>();
  private readonly instances = new Map<string, Backend>();
  private readonly pending = new Map<string, Promise<Backend>>();
  private active: Backend | null = null;
  private activeName: string | null = null;
  private readonly scopes: TensorScope[] = [];
  private opDepth = 0;
  private liveTensors = 0;
  private liveBuffers = 0;
  private liveBytes = 0;
  private leakRegistry: FinalizationRegistry<string> | null = null;
  private randomRoot: RandomKey = keyFromSeed(0);
  private randomCounter = 0;
  /** False inside `noGrad`. @internal */
  gradEnabled = true;
  /** @internal */
  recorder: OpRecorder | null = null;

  // ---- backend registry ----------------------------------------------------------------------

  registerBackend(name: string, factory: BackendFactory, priority = 1): void {
    if (this.registry.has(name)) {
      throw new GatedError('registerBackend', `a backend named "${name}" is already registered`);
    }
    this.registry.set(name, { factory, priority });
  }

  /** Disposes and forgets a backend. Tensors still on it become unusable. */
  removeBackend(name: string): void {
    const instance = this.instances.get(name);
    instance?.dispose();
    this.instances.delete(name);
    this.pending.delete(name);
    this.registry.delete(name);
    if (this.activeName === name) {
      this.active = null;
      this.activeName = null;
    }
  }

  registeredBackends(): string[] {
    return [...this.registry.keys()];
  }

  /** Creates (once) and activates a backend; resolves when it is ready. */
  async setBackend(name: string): Promise<Backend> {
    const backend = await this.initBackend(name);
    this.active = backend;
    this.activeName = name;
    return backend;
  }

  /** Creates (once) the named backend without activating it. */
  async initBackend(name: string): Promise<Backend> {
    const existing = this.instances.get(name);
    if (existing) return existing;
    const registration = this.registry.get(name);
    if (!registration) {
      const known = this.registeredBackends();
      throw new GatedError(
        'setBackend',
        `no backend named "${name}" is registered (registered: ${known.length ? known.join(', ') : 'none'}); call registerBackend first`,
      );
    }
    let promise = this.pending.get(name);
    if (!promise) {
      promise = Promise.resolve(registration.factory()).then((backend) => this.adopt(name, backend));
      this.pending.set(name, promise);
      promise.catch(() => this.pending.delete(name));
    }
    return promise;
  }

  /** The active backend. If none was set, the highest-priority registered one with a synchronous factory is created. */
  backend(): Backend {
    if (this.active) return this.active;
    const candidates = [...this.registry.entries()].sort((a, b) => b[1].priority - a[1].priority);
    for (const [name, registration] of candidates) {
      const made = this.instances.get(name) ?? registration.factory();
      if (made instanceof Promise) {
        made.catch(() => undefined);
        continue;
      }
      this.active = this.adopt(name, made);
      this.activeName = name;
      return this.active;
    }
    throw new GatedError(
      'getBackend',
      candidates.length === 0
        ? 'no backend is registered: registerBackend("ts", createTsBackend) from @gated/backend-ts, then await setBackend("ts")'
        : `no backend is ready: await setBackend(${candidates.map(([n]) => `"${n}"`).join(' | ')}) first`,
    );
  }

  backendName(): string {
    this.backend();
    return this.activeName!;
  }

  private adopt(name: string, backend: Backend): Backend {
    if ((backend.specVersion as number) !== SPEC_VERSION) {
      throw new GatedError(
        'setBackend',
        `backend "${name}" implements contract version ${String(backend.specVersion)}, but this @gated/tensor speaks version ${SPEC_VERSION}`,
      );
    }
    // Every call the engine makes goes through the checked layer: backends only compute.
    const checked = checkedBackend(backend);
    this.instances.set(name, checked);
    return checked;
  }

  // ---- lifetime ------------------------------------------------------------------------------

  /** Called by the Tensor constructor. @internal */
  track(tensor: Tensor): void {
    this.liveTensors++;
    this.scopes[this.scopes.length - 1]?.tensors.push(tensor);
    this.leakRegistry?.register(tensor, tensor.toString(), tensor);
  }

  /** Called by `Tensor.dispose`. @internal */
  release(tensor: Tensor): void {
    this.liveTensors--;
    this.leakRegistry?.unregister(tensor);
    if (tensor.gradNode !== null) this.recorder?.release(tensor);
    this.unref(tensor.storage);
  }

  private unref(storage: Storage): void {
    storage.refs--;
    if (storage.refs === 0) {
      this.liveBuffers--;
      this.liveBytes -= storage.bytes;
      storage.backend.free(storage.handle);
    }
  }

  /** Wraps a new buffer (owned by the caller until now) into a tensor. @internal */
  wrap<D extends DType>(backend: Backend, handle: DataHandle, shape: Shape, dtype: D): Tensor<D> {
    return new Tensor(this.newStorage(backend, handle, dtype), shape, dtype);
  }

  private newStorage(backend: Backend, handle: DataHandle, dtype: DType): Storage {
    const storage = new Storage(backend, handle, handle.size * bytesPerElement(dtype));
    this.liveBuffers++;
    this.liveBytes += storage.bytes;
    return storage;
  }

  /** A new tensor viewing `base`'s buffer. @internal */
  view<D extends DType>(base: Tensor<D>, shape: Shape, strides: readonly number[], offset: number): Tensor<D> {
    base.storage.refs++;
    return new Tensor(base.storage, shape, base.dtype, strides, offset);
  }

  assign<D extends DType>(target: Tensor<D>, value: Tensor<D>): void {
    value.assertLive('assign');
    if (target.dtype !== value.dtype || !shapesEqual(target.shape, value.shape)) {
      throw new GatedError(
        'assign',
        `value ${value.dtype} ${formatShape(value.shape)} does not match target ${target.dtype} ${formatShape(target.shape)}`,
      );
    }
    if (value.backend !== target.backend) {
      throw new GatedError('assign', `value lives on backend "${value.backend.name}", target on "${target.backend.name}"`);
    }
    let storage: Storage;
    if (this.isWholeBuffer(value)) {
      storage = value.storage;
      storage.refs++;
    } else {
      const handle = value.backend.stridedCopy({
        data: value.storage.handle,
        shape: value.shape,
        strides: value.strides,
        offset: value.offset,
      });
      storage = this.newStorage(value.backend, handle, value.dtype);
    }
    const old = target.storage;
    target.rebind(storage);
    this.unref(old);
  }

  /**
   * Prepares `t` for a kernel that writes its buffer in place (the fused `adamStep`): afterwards
   * `t` is the only tensor holding its buffer, and covers all of it in row-major order. A tensor
   * that shares its buffer (views, or the views autograd saves) or is a strided or partial view
   * is first rebound to a private contiguous copy (copy-on-write), so the other holders never see
   * the mutation. Returns the spec to hand to the kernel. The caller bumps `t.version` after
   * writing. @internal
   */
  exclusiveSpec(t: Tensor): TensorSpec {
    if (t.storage.refs !== 1 || !this.isWholeBuffer(t)) {
      const handle = t.backend.stridedCopy({ data: t.storage.handle, shape: t.shape, strides: t.strides, offset: t.offset });
      const old = t.storage;
      t.rebind(this.newStorage(t.backend, handle, t.dtype));
      this.unref(old);
    }
    return { data: t.storage.handle, shape: t.shape };
  }

  memory(): MemoryInfo {
    return {
      numTensors: this.liveTensors,
      numBuffers: this.liveBuffers,
      numBytes: this.liveBytes,
      backend: this.active ? this.active.memory() : null,
    };
  }

  /**
   * In development, reports tensors that were garbage-collected without being disposed (their
   * buffers leaked). `report` receives each tensor's description.
   */
  setLeakReporter(report: ((description: string) => void) | null): void {
    this.leakRegistry = report ? new FinalizationRegistry(report) : null;
  }

  // ---- scopes --------------------------------------------------------------------------------

  /** Runs `fn` in a scope that disposes every tensor created inside, except those returned or kept. */
  tidy<T>(fn: () => T, op = 'tidy'): T {
    const scope = new TensorScope();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.closeScope(scope, new Set());
      throw error;
    }
    if (result instanceof Promise) {
      this.closeScope(scope, new Set());
      result.catch(() => undefined);
      throw new GatedError(op, 'the function returned a Promise: tidy is synchronous; use withScope() for async code');
    }
    this.closeScope(scope, collectTensors(result));
    return result;
  }

  private closeScope(scope: TensorScope, survivors: Set<Tensor>): void {
    const top = this.scopes.pop();
    if (top !== scope) throw new GatedError('tidy', 'scopes were closed out of order (an async function inside tidy?)');
    const parent = this.scopes[this.scopes.length - 1];
    for (const tensor of scope.tensors) {
      if (survivors.has(tensor) && !tensor.isDisposed) {
        parent?.tensors.push(tensor);
      } else if (!tensor.kept) {
        tensor.dispose();
      }
    }
  }

  /** Exempts a tensor from scope disposal. */
  keep<T extends Tensor>(tensor: T): T {
    tensor.kept = true;
    return tensor;
  }

  // ---- running ops ---------------------------------------------------------------------------

  /**
   * Runs one public op. Intermediate tensors its implementation creates are freed; its outputs
   * survive into the caller's scope. Only the outermost op is offered to the autodiff recorder.
   * @internal
   */
  runOp<N extends OpName, O extends OpOutput>(op: N, inputs: readonly Tensor[], attrs: AttrsOf<N>, compute: () => O): O {
    let backend: Backend | null = null;
    for (const input of inputs) {
      input.assertLive(op);
      if (backend === null) backend = input.backend;
      else if (input.backend !== backend) {
        throw new GatedError(op, `inputs live on different backends ("${backend.name}" and "${input.backend.name}")`);
      }
    }
    this.opDepth++;
    let outputs: O;
    try {
      outputs = this.tidy(compute, op);
    } finally {
      this.opDepth--;
    }
    if (this.wouldRecord(inputs)) {
      this.recorder!.record(op, inputs, [...collectTensors(outputs)], attrs);
    }
    return outputs;
  }

  /**
   * Whether an op on `inputs` called now would be recorded for autodiff: the outermost op, with
   * gradients enabled, a recorder installed and an input that requires a gradient. The sequence
   * ops ask this first: an op that will not be recorded needs no saved gates (inference mode).
   * @internal
   */
  wouldRecord(inputs: readonly Tensor[]): boolean {
    return this.opDepth === 0 && this.recorder !== null && this.gradEnabled && inputs.some((t) => t.requiresGrad);
  }

  /** True while an op's implementation runs (nested ops are not recorded). @internal */
  get insideOp(): boolean {
    return this.opDepth > 0;
  }

  /**
   * Calls a kernel on contiguous versions of `inputs` (materialising views into temporary
   * buffers, freed afterwards even if the kernel throws) and wraps the buffer it returns. @internal
   */
  kernel<D extends DType>(
    inputs: readonly Tensor[],
    shape: Shape,
    dtype: D,
    call: (backend: Backend, specs: TensorSpec[]) => DataHandle,
    backend: Backend = inputs[0]?.backend ?? this.backend(),
  ): Tensor<D> {
    const handle = this.withSpecs(inputs, (specs) => call(backend, specs));
    return this.wrap(backend, handle, shape, dtype);
  }

  /** Lends contiguous specs of `inputs` to `fn`, freeing any temporary copies afterwards. @internal */
  withSpecs<T>(inputs: readonly Tensor[], fn: (specs: TensorSpec[]) => T): T {
    const temps: { backend: Backend; handle: DataHandle }[] = [];
    try {
      const specs = inputs.map((t): TensorSpec => {
        if (this.isWholeBuffer(t)) return { data: t.storage.handle, shape: t.shape };
        const handle = t.backend.stridedCopy({ data: t.storage.handle, shape: t.shape, strides: t.strides, offset: t.offset });
        temps.push({ backend: t.backend, handle });
        return { data: handle, shape: t.shape };
      });
      return fn(specs);
    } finally {
      for (const temp of temps) temp.backend.free(temp.handle);
    }
  }

  /** True when the tensor covers its whole buffer in row-major order (no copy needed). @internal */
  isWholeBuffer(t: Tensor): boolean {
    return t.offset === 0 && t.storage.handle.size === t.size && t.isContiguous;
  }

  // ---- reading -------------------------------------------------------------------------------

  async read(t: Tensor): Promise<TypedArray> {
    if (this.isWholeBuffer(t)) return t.backend.read(t.storage.handle);
    const handle = t.backend.stridedCopy({ data: t.storage.handle, shape: t.shape, strides: t.strides, offset: t.offset });
    try {
      return await t.backend.read(handle);
    } finally {
      t.backend.free(handle);
    }
  }

  readSync(t: Tensor, op: string): TypedArray {
    const backend = t.backend;
    if (!backend.caps.syncRead || !backend.readSync) {
      throw new GatedError(op, `backend "${backend.name}" cannot read synchronously; use await tensor.data()`);
    }
    return this.withSpecs([t], ([spec]) => backend.readSync!(spec!.data));
  }

  // ---- autodiff hooks ------------------------------------------------------------------------

  backward(tensor: Tensor, seed: Tensor | undefined): void {
    if (!this.recorder) {
      throw new GatedError('backward', 'no autodiff is installed: import { installAutograd } from "@gated/autograd" and call it once');
    }
    this.recorder.backward(tensor, seed);
  }

  // ---- random stream -------------------------------------------------------------------------

  /** Reseeds the global random stream (PyTorch's `manual_seed`). */
  seed(seed: number): void {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new GatedError('manualSeed', `seed must be a non-negative safe integer, got ${String(seed)}`);
    }
    this.randomRoot = keyFromSeed(seed);
    this.randomCounter = 0;
  }

  /** The key for the next random op: an explicit seed, or the next child of the global stream. */
  nextRandomKey(op: string, seed: number | undefined): RandomKey {
    if (seed !== undefined) {
      if (!Number.isSafeInteger(seed) || seed < 0) {
        throw new GatedError(op, `seed must be a non-negative safe integer, got ${String(seed)}`);
      }
      return keyFromSeed(seed);
    }
    return foldKey(this.randomRoot, this.randomCounter++);
  }
}

/** Every tensor reachable from a value through arrays and plain objects. */
export function collectTensors(value: unknown, into = new Set<Tensor>()): Set<Tensor> {
  if (value instanceof Tensor) {
    into.add(value as Tensor);
  } else if (Array.isArray(value)) {
    for (const item of value) collectTensors(item, into);
  } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectTensors(item, into);
  } else if (value instanceof Map) {
    for (const item of value.values()) collectTensors(item, into);
  }
  return into;
}

/** The engine of this JavaScript realm. */
export const ENGINE = new Engine();

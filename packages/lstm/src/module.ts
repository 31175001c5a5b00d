/**
 * The `Module` base class: parameter bookkeeping shared by every layer (registration order,
 * dotted names through child modules, PyTorch-style state dicts), train/eval mode, and freeing.
 *
 * Parameters are leaf tensors with `requiresGrad = true`, kept out of every `tidy` scope: a
 * module owns them until `dispose()`. Optimizers update them in place with `assign`, so a
 * parameter keeps its identity (and its place in `parameters()`) for the module's whole life.
 */
import { checkOptions, GatedError, describeValue, formatShape, shapesEqual } from '@gated/backend-api';
import { Tensor, keep } from '@gated/tensor';
import { isObject } from './checks.js';

/** Parameters by name, in registration order (PyTorch's `state_dict()`). */
export type StateDict = Record<string, Tensor>;

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /**
   * Refuse a dict whose names differ from the module's (missing or unexpected entries). Default
   * true, as in PyTorch. Shapes and dtypes must match either way.
   */
  readonly strict?: boolean;
}

/** What {@link Module.loadStateDict} reports (PyTorch's `_IncompatibleKeys`). */
export interface LoadStateDictResult {
  /** Parameters of the module the dict had no entry for (left unchanged). */
  readonly missingKeys: readonly string[];
  /** Entries of the dict the module has no parameter for (ignored). */
  readonly unexpectedKeys: readonly string[];
}

/**
 * Base class of every layer. Subclasses register parameters with {@link Module.addParameter} and
 * child modules with {@link Module.addModule} in their constructor, in PyTorch's order, so that
 * names and `stateDict()` order match PyTorch's.
 *
 * @example
 * ```ts
 * class Affine extends Module {
 *   readonly weight = this.addParameter('weight', ones([3]));
 *   forward(x: Tensor) { return mul(x, this.weight); }
 * }
 * ```
 */
export abstract class Module implements Disposable {
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();
  private trainingFlag = true;
  private disposedFlag = false;

  /** The name errors start with (`LSTM.forward: ...`); the class name by default. */
  protected get label(): string {
    return this.constructor.name;
  }

  /** Registers a parameter: keeps it out of `tidy` scopes and marks it `requiresGrad`. */
  protected addParameter(name: string, value: Tensor): Tensor {
    if (name.includes('.') || name === '') throw new GatedError(this.label, `invalid parameter name "${name}"`);
    if (this.ownParameters.has(name) || this.children.has(name)) {
      throw new GatedError(this.label, `a parameter or module named "${name}" is already registered`);
    }
    if (value.dtype !== 'float32') throw new GatedError(this.label, `parameter ${name} must be float32, got ${value.dtype}`);
    keep(value);
    value.requiresGrad = true;
    this.ownParameters.set(name, value);
    return value;
  }

  /**
   * Runs the part of a constructor that creates parameters: if it throws part-way (out of
   * memory, a size no buffer can have), every parameter registered so far is freed before the
   * error propagates, because the half-built module never reaches the caller to be disposed.
   *
   * @example
   * ```ts
   * constructor() {
   *   super();
   *   this.build(() => {
   *     this.addParameter('a', zeros([1000]));
   *     this.addParameter('b', zeros([1 << 30, 4])); // refused: 'a' is freed, not leaked
   *   });
   * }
   * ```
   */
  protected build<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** Registers a child module; its parameters are named `<name>.<parameter>`. */
  protected addModule<M extends Module>(name: string, module: M): M {
    if (name.includes('.') || name === '') throw new GatedError(this.label, `invalid module name "${name}"`);
    if (this.ownParameters.has(name) || this.children.has(name)) {
      throw new GatedError(this.label, `a parameter or module named "${name}" is already registered`);
    }
    this.children.set(name, module);
    module.train(this.trainingFlag);
    return module;
  }

  /** Whether the module is in training mode (dropout active). New modules start in training mode. */
  get training(): boolean {
    return this.trainingFlag;
  }

  /** Sets training mode (`true`, the default) or evaluation mode on this module and its children. */
  train(mode = true): this {
    this.trainingFlag = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode: dropout off. Same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Every parameter, in `namedParameters()` order (what an optimizer takes). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** `[name, parameter]` pairs: own parameters first, then each child's, with dotted names. */
  namedParameters(): [string, Tensor][] {
    this.assertLive('namedParameters');
    const out: [string, Tensor][] = [...this.ownParameters.entries()];
    for (const [prefix, child] of this.children) {
      for (const [name, p] of child.namedParameters()) out.push([`${prefix}.${name}`, p]);
    }
    return out;
  }

  /**
   * The parameters by name, as detached views that share their buffers (PyTorch's
   * `state_dict()`). The views are yours: dispose them (or create them inside `tidy`). A later
   * optimizer step does not change them: parameters are updated with `assign`, which leaves
   * earlier views on the old values, so a state dict is a snapshot.
   */
  stateDict(): StateDict {
    const dict: StateDict = {};
    for (const [name, p] of this.namedParameters()) dict[name] = p.detach();
    return dict;
  }

  /**
   * Copies values into the parameters by name (PyTorch's `load_state_dict`). Every entry is
   * checked before anything is changed: a missing or unexpected name (with `strict`, the
   * default), a wrong shape or a wrong dtype throws one `GatedError` that lists every problem,
   * and leaves the module untouched. The dict's tensors stay yours (the parameters take their
   * values, sharing buffers copy-on-write).
   */
  loadStateDict(dict: StateDict | ReadonlyMap<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const op = `${this.label}.loadStateDict`;
    checkOptions(op, options);
    const strict = options.strict ?? true;
    if (!isObject(dict)) throw new GatedError(op, `expected a state dict (an object or Map of tensors), got ${describeValue(dict)}`);
    const entries = new Map<string, Tensor>(
      dict instanceof Map ? [...(dict as ReadonlyMap<string, Tensor>)] : Object.entries(dict as StateDict),
    );
    const params = new Map(this.namedParameters());
    const missingKeys = [...params.keys()].filter((name) => !entries.has(name));
    const unexpectedKeys = [...entries.keys()].filter((name) => !params.has(name));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) {
      problems.push(`missing ${missingKeys.map((name) => `${name} ${formatShape(params.get(name)!.shape)}`).join(', ')}`);
    }
    if (strict && unexpectedKeys.length > 0) {
      const describe = (value: unknown) => (value instanceof Tensor ? formatShape(value.shape) : `(${describeValue(value)})`);
      problems.push(`unexpected ${unexpectedKeys.map((name) => `${name} ${describe(entries.get(name))}`).join(', ')}`);
    }
    for (const [name, param] of params) {
      const value = entries.get(name);
      if (value === undefined) continue;
      if (!((value as unknown) instanceof Tensor)) problems.push(`${name} is not a Tensor but ${describeValue(value)}`);
      else if (value.isDisposed) problems.push(`${name} was already disposed`);
      else if (!shapesEqual(value.shape, param.shape)) {
        problems.push(`${name} has shape ${formatShape(value.shape)}, the module's is ${formatShape(param.shape)}`);
      } else if (value.dtype !== param.dtype) problems.push(`${name} is ${value.dtype}, the module's is ${param.dtype}`);
      else if (value.backend !== param.backend) {
        problems.push(`${name} lives on backend "${value.backend.name}", the module on "${param.backend.name}"`);
      }
    }
    if (problems.length > 0) {
      throw new GatedError(op, `the state dict does not fit this ${this.describe()}: ${problems.join('; ')}`);
    }
    for (const [name, param] of params) {
      const value = entries.get(name);
      if (value) param.assign(value);
    }
    return { missingKeys, unexpectedKeys };
  }

  /** A short description for error messages, e.g. `LSTM(3, 4, numLayers=2)`. */
  protected describe(): string {
    return this.label;
  }

  /** True once `dispose()` ran. */
  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /**
   * Drops every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`): disposes `.grad`
   * and sets it to null, so the next `backward()` starts fresh.
   */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /**
   * Frees every parameter and its gradient (of children too). Idempotent; the module is unusable
   * afterwards.
   */
  dispose(): void {
    if (this.disposedFlag) return;
    for (const p of this.ownParameters.values()) {
      p.grad?.dispose();
      p.grad = null;
      p.dispose();
    }
    this.disposedFlag = true;
    for (const child of this.children.values()) child.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Throws a clear error when the module was disposed. */
  protected assertLive(method: string): void {
    if (this.disposedFlag) throw new GatedError(`${this.label}.${method}`, 'the module was disposed');
  }
}

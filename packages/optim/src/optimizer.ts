/**
 * The Optimizer base class: parameter groups with per-group options, lazily created per-parameter
 * state, `step` / `zeroGrad`, and state dicts that refer to parameters by index, as in PyTorch
 * (`torch.optim.Optimizer`). Each concrete optimizer supplies its option rules, its state layout
 * and the update of one parameter.
 *
 * Memory. State tensors belong to the optimizer (they are `keep()`-ed, so no `tidy` frees them)
 * and are updated with `assign`, so a step allocates no tensor that outlives it; `dispose()` frees
 * them. Every update runs under `noGrad` inside `tidy`.
 */
import { GatedError, formatShape, shapesEqual } from '@gated/backend-api';
import { noGrad } from '@gated/autograd';
import { Tensor, keep, tidy } from '@gated/tensor';
import { checkOptions, describeValue, type Rules } from './validate.js';
import { assertLiveTensor } from '@gated/tensor/internal';

/** The option every optimizer has. */
export interface OptimizerOptions {
  /** Learning rate. */
  lr: number;
}

/**
 * A parameter group as the optimizer keeps it (`optimizer.paramGroups[i]`): its parameters and
 * every option, resolved against the defaults. The options are plain mutable fields, so a schedule
 * (or you) can change `lr` between steps.
 */
export type ParamGroup<O extends OptimizerOptions> = O & {
  /** The parameters this group updates. */
  params: Tensor[];
  /**
   * The learning rate a schedule starts from (PyTorch's `initial_lr`). The first LR schedule
   * attached to the optimizer sets it to the group's `lr`; later schedules start from it.
   */
  initialLr?: number;
};

/**
 * A parameter group as you pass it to a constructor or to `addParamGroup`: its parameters, plus
 * any options that override the optimizer's defaults for this group.
 */
export type ParamGroupInput<O extends OptimizerOptions> = Readonly<Partial<O>> & {
  readonly params: Tensor | Iterable<Tensor>;
  readonly initialLr?: number;
};

/**
 * What an optimizer's constructor takes: parameters (an array or any iterable, such as a
 * generator of a model's parameters), or parameter groups with their own options.
 */
export type OptimizerParams<O extends OptimizerOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** The state an optimizer keeps for one parameter: tensors (moments, buffers) and counters (`step`). */
export type ParamState = Record<string, Tensor | number>;

/** A parameter group in a state dict: the options, and the parameters as indices. */
export type SavedParamGroup<O extends OptimizerOptions> = O & {
  /** Indices of the group's parameters, numbered across groups in order (as PyTorch does). */
  params: number[];
  initialLr?: number;
};

/**
 * What `stateDict()` returns and `loadStateDict()` takes. `state` is keyed by parameter index (the
 * numbering of `paramGroups[*].params`) and holds only parameters that have been stepped.
 */
export interface OptimizerStateDict<O extends OptimizerOptions = OptimizerOptions, S extends ParamState = ParamState> {
  state: Record<number, S>;
  paramGroups: SavedParamGroup<O>[];
}

/** The names in one parameter's state: counters (non-negative integers) and tensors (shaped like the parameter). */
export interface StateLayout {
  readonly counters: readonly string[];
  /** Tensors every state entry has. */
  readonly tensors: readonly string[];
  /** Tensors that exist only with some options (created on first use when missing). */
  readonly optionalTensors: readonly string[];
}

/** What a concrete optimizer tells the base class. @internal */
export interface OptimizerSpec<O extends OptimizerOptions> {
  /** Class name, used in error messages. */
  readonly name: string;
  readonly defaults: O;
  readonly rules: Rules<O>;
  /** Checks between options (e.g. nesterov needs momentum); `where` locates the group. */
  check?(options: O, owner: string, where: string): void;
  readonly state: StateLayout;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && typeof value === 'object' && Symbol.iterator in value;
}

function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Tensor);
}

/** Copies option values so that groups never share an array (betas) with each other or the caller. */
function copyOptions<T extends object>(options: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return out as T;
}

/** Marks every tensor of a state entry as kept (no scope frees it); returns the entry. */
function keepTensors<T extends ParamState>(entry: T): T {
  for (const value of Object.values(entry)) if (value instanceof Tensor) keep(value);
  return entry;
}

/**
 * Base class of every optimizer. Use a concrete one (`SGD`, `Adam`, `AdamW`, `RMSprop`,
 * `Adagrad`, `Adamax`).
 *
 * @example
 * ```ts
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
 * for (const batch of batches) {
 *   optimizer.zeroGrad();
 *   tidy(() => lossOf(model, batch).backward());
 *   optimizer.step();
 * }
 * ```
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions, S extends ParamState = ParamState> {
  /** The options a group gets unless it sets its own. */
  readonly defaults: Readonly<O>;
  /** The parameter groups; their options may be changed between steps. */
  readonly paramGroups: ParamGroup<O>[] = [];
  private readonly spec: OptimizerSpec<O>;
  private state = new Map<Tensor, S>();
  private disposed = false;

  protected constructor(spec: OptimizerSpec<O>, params: OptimizerParams<O>, options: Partial<O>) {
    this.spec = spec;
    checkOptions(spec.name, spec.rules, options);
    const defaults: O = { ...copyOptions(spec.defaults), ...copyOptions(options) };
    spec.check?.(defaults, spec.name, '');
    this.defaults = defaults;
    if (!isIterable(params) || params instanceof Tensor) {
      throw new GatedError(spec.name, 'params must be an array (or iterable) of tensors or of parameter groups ({ params, ...options })');
    }
    const list: unknown[] = [...params];
    if (list.length === 0) throw new GatedError(spec.name, 'got an empty parameter list');
    const groups = (list[0] instanceof Tensor ? [{ params: list }] : list) as ParamGroupInput<O>[];
    for (const group of groups) this.addParamGroup(group);
  }

  /**
   * Adds a parameter group (e.g. layers unfrozen while fine-tuning). Options it does not set come
   * from the defaults. A parameter may belong to only one group.
   *
   * @example
   * ```ts
   * optimizer.addParamGroup({ params: [head.weight, head.bias], lr: 1e-2 });
   * ```
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    const owner = this.spec.name;
    this.assertUsable('addParamGroup');
    const where = ` in paramGroups[${this.paramGroups.length}]`;
    if (!isPlainObject(group) || !('params' in group)) {
      throw new GatedError(owner, `a parameter group must be an object { params, ...options }${where}`);
    }
    const { params: given, initialLr, ...options } = group;
    const params: unknown = given instanceof Tensor ? [given] : isIterable(given) ? [...given] : given;
    if (!Array.isArray(params)) throw new GatedError(owner, `params${where} must be a tensor or an array of tensors`);
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    const seen = new Set<Tensor>();
    params.forEach((param: unknown, index) => {
      if (!isTensor(param)) {
        throw new GatedError(owner, `params[${index}]${where} is not a tensor (got ${typeof param})`);
      }
      assertLiveTensor(owner, param);
      if (param.dtype !== 'float32') {
        throw new GatedError(owner, `can only optimize float32 tensors, but params[${index}]${where} is ${param.dtype}`);
      }
      if (seen.has(param)) throw new GatedError(owner, `params[${index}]${where} appears twice in the group`);
      if (taken.has(param)) throw new GatedError(owner, `params[${index}]${where} already belongs to another parameter group`);
      seen.add(param);
    });
    checkOptions(owner, this.spec.rules, options, where);
    if (initialLr !== undefined && (typeof initialLr !== 'number' || !Number.isFinite(initialLr))) {
      throw new GatedError(owner, `invalid initialLr${where}: ${describeValue(initialLr)} (expected a finite number)`);
    }
    const resolved = { ...copyOptions(this.defaults), ...copyOptions(options) } as O;
    this.spec.check?.(resolved, owner, where);
    const entry = { ...resolved, params: [...(params as Tensor[])] } as ParamGroup<O>;
    if (initialLr !== undefined) entry.initialLr = initialLr;
    this.paramGroups.push(entry);
  }

  /**
   * Frees every parameter's gradient and sets `.grad` to null (PyTorch's
   * `zero_grad(set_to_none=True)`): the next `backward()` starts from nothing, and a parameter that
   * receives no gradient is skipped by `step()`.
   */
  zeroGrad(): void {
    this.assertUsable('zeroGrad');
    for (const group of this.paramGroups) {
      for (const param of group.params) {
        if (param.grad !== null) {
          param.grad.dispose();
          param.grad = null;
        }
      }
    }
  }

  /**
   * Updates every parameter that has a gradient, with its group's current options. Synchronous: on
   * a GPU backend it only enqueues work. Parameters whose `.grad` is null are skipped (their state
   * is untouched). Nothing is recorded by autodiff.
   */
  step(): void {
    this.assertUsable('step');
    const owner = `${this.spec.name}.step`;
    noGrad(() => {
      this.paramGroups.forEach((group, groupIndex) => {
        group.params.forEach((param, paramIndex) => {
          const grad = param.grad;
          if (grad === null) return;
          assertLiveTensor(owner, param);
          assertLiveTensor(owner, grad);
          const which = `paramGroups[${groupIndex}].params[${paramIndex}]`;
          const gradDType: string = grad.dtype;
          if (gradDType !== 'float32' || !shapesEqual(grad.shape, param.shape)) {
            throw new GatedError(
              owner,
              `the gradient of ${which} is ${grad.dtype} ${formatShape(grad.shape)}, but the parameter is ${param.dtype} ${formatShape(param.shape)}`,
            );
          }
          tidy(() => {
            let state = this.state.get(param);
            if (state === undefined) {
              state = keepTensors(this.initState(param, group));
              this.state.set(param, state);
            }
            this.update(param, grad, group, state);
            keepTensors(state);
          });
        });
      });
    });
  }

  /**
   * The optimizer's state, with parameters referred to by index (their position across
   * `paramGroups`, as in PyTorch), to save and later resume training exactly with
   * `loadStateDict`.
   *
   * Ownership: every tensor in `state` is a new tensor that you own; dispose it (or the whole dict:
   * `dispose(dict.state)`) when done. They are snapshots: they share the optimizer's current
   * buffers without copying, and later steps never change them. Group options are copied.
   *
   * @example
   * ```ts
   * const saved = optimizer.stateDict();
   * // ... later, with a fresh optimizer over the same model:
   * restored.loadStateDict(saved);
   * dispose(saved.state);
   * ```
   */
  stateDict(): OptimizerStateDict<O, S> {
    this.assertUsable('stateDict');
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      const saved = copyOptions(options) as unknown as SavedParamGroup<O>;
      saved.params = params.map((param) => {
        if (!index.has(param)) index.set(param, index.size);
        return index.get(param)!;
      });
      return saved;
    });
    const state: Record<number, S> = {};
    for (const [param, entry] of this.state) {
      const at = index.get(param);
      if (at === undefined) continue;
      const copy: ParamState = {};
      for (const [key, value] of Object.entries(entry)) copy[key] = value instanceof Tensor ? value.detach() : value;
      state[at] = copy as S;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from `stateDict()` (of an optimizer of the same kind with the same group
   * sizes): the group options and every parameter's state. Everything is checked before anything
   * changes; a mismatch throws a `GatedError` naming the offending group, index or key.
   *
   * The dict's tensors stay yours: the optimizer takes its own references (no copy), so you may
   * dispose them right after loading.
   *
   * @example
   * ```ts
   * optimizer.loadStateDict(saved);
   * ```
   */
  loadStateDict(dict: OptimizerStateDict<O, S>): void {
    this.assertUsable('loadStateDict');
    const owner = `${this.spec.name}.loadStateDict`;
    if (!isPlainObject(dict) || !isPlainObject(dict.state) || !Array.isArray(dict.paramGroups)) {
      throw new GatedError(owner, 'expected an object { state, paramGroups } as stateDict() returns');
    }
    for (const key of Object.keys(dict)) {
      if (key !== 'state' && key !== 'paramGroups') throw new GatedError(owner, `unknown key "${key}" (expected state and paramGroups)`);
    }
    const saved = dict.paramGroups as unknown[];
    if (saved.length !== this.paramGroups.length) {
      throw new GatedError(owner, `the state dict has ${saved.length} parameter groups, but this optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    const groups: { options: O; initialLr: number | undefined }[] = [];
    saved.forEach((group, g) => {
      const where = ` in paramGroups[${g}]`;
      if (!isPlainObject(group) || !Array.isArray(group.params)) {
        throw new GatedError(owner, `paramGroups[${g}] must be an object { params: number[], ...options }`);
      }
      const { params, initialLr, ...options } = group as { params: unknown[]; initialLr?: unknown };
      const current = this.paramGroups[g]!.params;
      if (params.length !== current.length) {
        throw new GatedError(
          owner,
          `paramGroups[${g}] has ${params.length} parameters in the state dict, but ${current.length} in this optimizer`,
        );
      }
      params.forEach((id, i) => {
        if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
          throw new GatedError(
            owner,
            `paramGroups[${g}].params[${i}] must be a parameter index (an integer >= 0), got ${describeValue(id)}`,
          );
        }
        if (byIndex.has(id)) throw new GatedError(owner, `parameter index ${id} appears twice in paramGroups`);
        byIndex.set(id, current[i]!);
      });
      checkOptions(owner, this.spec.rules, options, where);
      if (initialLr !== undefined && (typeof initialLr !== 'number' || !Number.isFinite(initialLr))) {
        throw new GatedError(owner, `invalid initialLr${where}: ${describeValue(initialLr)} (expected a finite number)`);
      }
      const resolved = { ...copyOptions(this.defaults), ...copyOptions(options) } as O;
      this.spec.check?.(resolved, owner, where);
      groups.push({ options: resolved, initialLr });
    });

    const layout = this.spec.state;
    const known = [...layout.counters, ...layout.tensors, ...layout.optionalTensors];
    const loaded = new Map<Tensor, S>();
    for (const [key, entry] of Object.entries(dict.state as Record<string, unknown>)) {
      const id = Number(key);
      const param = byIndex.get(id);
      if (!/^\d+$/.test(key) || param === undefined) {
        throw new GatedError(owner, `state has an entry for parameter "${key}", but no parameter group lists that index`);
      }
      if (!isPlainObject(entry)) throw new GatedError(owner, `state[${key}] must be an object of tensors and counters`);
      for (const name of Object.keys(entry)) {
        if (!known.includes(name)) {
          throw new GatedError(owner, `unknown state entry "${name}" for parameter ${key} (${this.spec.name} keeps ${known.join(', ')})`);
        }
      }
      for (const name of [...layout.counters, ...layout.tensors]) {
        if (!(name in entry)) throw new GatedError(owner, `state[${key}] lacks "${name}"`);
      }
      for (const name of layout.counters) {
        const value = entry[name];
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
          throw new GatedError(owner, `state[${key}].${name} must be an integer >= 0, got ${describeValue(value)}`);
        }
      }
      for (const name of [...layout.tensors, ...layout.optionalTensors]) {
        if (!(name in entry)) continue;
        const value = entry[name];
        if (!(value instanceof Tensor)) throw new GatedError(owner, `state[${key}].${name} must be a tensor`);
        assertLiveTensor(owner, value);
        if (value.dtype !== 'float32' || !shapesEqual(value.shape, param.shape)) {
          throw new GatedError(
            owner,
            `state[${key}].${name} is ${value.dtype} ${formatShape(value.shape)}, but its parameter is float32 ${formatShape(param.shape)}`,
          );
        }
        if (value.backend !== param.backend) {
          throw new GatedError(
            owner,
            `state[${key}].${name} lives on backend "${value.backend.name}", its parameter on "${param.backend.name}"`,
          );
        }
      }
      loaded.set(param, entry as S);
    }

    // Everything checked: commit.
    this.disposeState();
    for (const [param, entry] of loaded) {
      const own: ParamState = {};
      for (const [name, value] of Object.entries(entry)) own[name] = value instanceof Tensor ? keep(value.detach()) : value;
      this.state.set(param, own as S);
    }
    groups.forEach(({ options, initialLr }, g) => {
      const group = this.paramGroups[g]!;
      Object.assign(group, options);
      if (initialLr === undefined) delete group.initialLr;
      else group.initialLr = initialLr;
    });
  }

  /** Frees the optimizer's state tensors. The optimizer cannot be used afterwards. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposeState();
    this.disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Creates the state of a parameter on its first step. Runs inside the step's `tidy` and
   * `noGrad`; the base class keeps the tensors it returns.
   */
  protected abstract initState(param: Tensor, group: ParamGroup<O>): S;

  /**
   * Updates one parameter (and its state) from its gradient. Runs inside `tidy` and `noGrad`.
   * Change state tensors with `assign` (never replace them); tensors added to `state` are kept
   * by the base class.
   */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup<O>, state: S): void;

  private disposeState(): void {
    for (const entry of this.state.values()) {
      for (const value of Object.values(entry)) if (value instanceof Tensor) value.dispose();
    }
    this.state = new Map();
  }

  private assertUsable(method: string): void {
    if (this.disposed) throw new GatedError(`${this.spec.name}.${method}`, 'the optimizer was disposed');
  }
}

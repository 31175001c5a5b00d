/**
 * The base of the learning-rate schedules, following PyTorch 1.13's `_LRScheduler`: a schedule
 * owns an epoch counter (`lastEpoch`, the number of `step()` calls), computes each group's next
 * learning rate (most schedules in PyTorch's chainable form, from the current `lr`), and writes it
 * into the optimizer's parameter groups. The first schedule attached to an optimizer records each
 * group's starting `lr` as `initialLr`; every later schedule starts from that.
 *
 * Schedules need no backend: they only read and write numbers in `paramGroups`, so anything with
 * parameter groups that have an `lr` can be scheduled.
 */
import { GatedError } from '@gated/backend-api';
import { describeValue } from './validate.js';

/** A parameter group as a schedule sees it (every optimizer's groups qualify). */
export interface SchedulableParamGroup {
  lr: number;
  /** Set by the first schedule attached (PyTorch's `initial_lr`). */
  initialLr?: number;
  /** SGD / RMSprop momentum, cycled by `OneCycleLR`. */
  momentum?: number;
  /** Adam-style betas, whose first entry `OneCycleLR` cycles. */
  betas?: readonly [number, number];
}

/** What a schedule drives: any object with parameter groups that have an `lr` (every `Optimizer`). */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly SchedulableParamGroup[];
}

/** A value in a schedule's state dict (plain JSON apart from the numbers ±∞, which are stored as null). */
export type SchedulerStateValue = number | boolean | string | null | readonly number[] | SchedulerStateDict | readonly SchedulerStateDict[];

/** What a schedule's `stateDict()` returns: plain data, safe to `JSON.stringify`. */
export interface SchedulerStateDict {
  readonly [key: string]: SchedulerStateValue;
}

/** How a state-dict field is checked when loaded. @internal */
export type FieldKind = 'number' | 'integer' | 'boolean' | 'string' | 'numbers' | 'groupNumbers';

/** @internal */
export type FieldSpec = Readonly<Record<string, FieldKind>>;

/**
 * Checks a state dict against `spec` (every key present, nothing else, each of its kind; group
 * lists as long as `groups`) and returns it as a record. @internal
 */
export function checkStateDict(owner: string, dict: unknown, spec: FieldSpec, groups: number): Record<string, unknown> {
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
    throw new GatedError(owner, 'expected a state dict object, as stateDict() returns');
  }
  const record = dict as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(key in spec)) throw new GatedError(owner, `unknown key "${key}" (expected ${Object.keys(spec).join(', ')})`);
  }
  for (const [key, kind] of Object.entries(spec)) {
    if (!(key in record)) throw new GatedError(owner, `the state dict lacks "${key}"`);
    const value = record[key];
    const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
    let ok: boolean;
    switch (kind) {
      case 'number':
        ok = isNumber(value);
        break;
      case 'integer':
        ok = isNumber(value) && Number.isSafeInteger(value);
        break;
      case 'boolean':
        ok = typeof value === 'boolean';
        break;
      case 'string':
        ok = typeof value === 'string';
        break;
      case 'numbers':
        ok = Array.isArray(value) && value.every(isNumber);
        break;
      case 'groupNumbers':
        ok = Array.isArray(value) && value.every(isNumber) && value.length === groups;
        break;
    }
    if (!ok) {
      const expected = kind === 'groupNumbers' ? `a list of ${groups} numbers (one per parameter group)` : `a value of kind ${kind}`;
      throw new GatedError(owner, `"${key}" must be ${expected}, got ${describeValue(value)}`);
    }
  }
  return record;
}

/** Throws unless `optimizer` has at least one parameter group, each with a finite `lr`. @internal */
export function checkOptimizer(owner: string, optimizer: SchedulableOptimizer): void {
  const groups = (optimizer as { paramGroups?: unknown } | null)?.paramGroups;
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new GatedError(owner, 'expected an optimizer (an object with a non-empty paramGroups array)');
  }
  groups.forEach((group: unknown, index) => {
    const lr = (group as { lr?: unknown } | null)?.lr;
    if (typeof lr !== 'number' || !Number.isFinite(lr)) {
      throw new GatedError(owner, `paramGroups[${index}].lr must be a finite number, got ${describeValue(lr)}`);
    }
  });
}

/**
 * Base class of the epoch-driven schedules (`StepLR`, `MultiStepLR`, `ExponentialLR`,
 * `CosineAnnealingLR`, `LinearLR`, `OneCycleLR`, `SequentialLR`). Call `step()` once per epoch
 * (or per batch for `OneCycleLR`), after `optimizer.step()`.
 *
 * @example
 * ```ts
 * const optimizer = new SGD(params, { lr: 0.1, momentum: 0.9 });
 * const schedule = new StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 90; epoch++) {
 *   trainOneEpoch(optimizer);
 *   schedule.step();
 * }
 * ```
 */
export abstract class LRScheduler {
  /** The optimizer whose learning rates this schedule sets. */
  readonly optimizer: SchedulableOptimizer;
  /** The epoch of the current learning rates: 0 after construction, +1 per `step()` (PyTorch's `last_epoch`). */
  lastEpoch = -1;
  /** Each group's starting learning rate (its `initialLr`). */
  baseLrs: number[];
  /** Number of `step()` calls including the one made at construction (PyTorch's `_step_count`). */
  protected stepCount = 0;
  /** The learning rates set by the last step. */
  protected lastLrs: number[] = [];
  /** Class name, for error messages. */
  protected readonly owner: string;

  protected constructor(owner: string, optimizer: SchedulableOptimizer) {
    checkOptimizer(owner, optimizer);
    this.owner = owner;
    this.optimizer = optimizer;
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = optimizer.paramGroups.map((group) => group.initialLr!);
  }

  /** The learning rate of each parameter group as last set by this schedule. */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  /** Advances one epoch and sets each group's learning rate. */
  step(): void {
    this.checkGroups();
    this.stepCount++;
    this.lastEpoch++;
    this.apply(this.computeLr());
  }

  /**
   * The schedule's state: its epoch, base and last learning rates, and its hyper-parameters, as
   * plain data (save it next to the optimizer's state dict).
   *
   * @example
   * ```ts
   * const saved = JSON.stringify(schedule.stateDict());
   * other.loadStateDict(JSON.parse(saved));
   * ```
   */
  stateDict(): SchedulerStateDict {
    const self = this as unknown as Record<string, SchedulerStateValue>;
    const out: Record<string, SchedulerStateValue> = {
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLrs],
    };
    for (const key of Object.keys(this.fields())) {
      const value = self[key]!;
      out[key] = Array.isArray(value) ? [...(value as number[])] : value;
    }
    return out;
  }

  /**
   * Restores a state dict from `stateDict()` of the same kind of schedule (hyper-parameters
   * included, as in PyTorch). Every key is checked first; an unknown or missing key throws.
   * The optimizer's learning rates are not touched: restore them with the optimizer's state dict.
   */
  loadStateDict(dict: SchedulerStateDict): void {
    const groups = this.optimizer.paramGroups.length;
    const spec: FieldSpec = {
      lastEpoch: 'integer',
      stepCount: 'integer',
      baseLrs: 'groupNumbers',
      lastLr: 'groupNumbers',
      ...this.fields(),
    };
    const record = checkStateDict(`${this.owner}.loadStateDict`, dict, spec, groups);
    this.validateState(record);
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this.fields())) {
      const value = record[key];
      self[key] = Array.isArray(value) ? [...(value as number[])] : value;
    }
    this.lastEpoch = record.lastEpoch as number;
    this.stepCount = record.stepCount as number;
    this.baseLrs = [...(record.baseLrs as number[])];
    this.lastLrs = [...(record.lastLr as number[])];
  }

  /**
   * Runs the first step (epoch 0). Each concrete schedule calls it at the end of its constructor;
   * `SequentialLR` calls it on its first child. @internal
   */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /**
   * Jumps to `epoch`, using the closed form where the schedule has one (PyTorch's deprecated
   * `step(epoch)`, which `SequentialLR` uses at its milestones). @internal
   */
  stepAt(epoch: number): void {
    this.checkGroups();
    this.stepCount++;
    this.lastEpoch = epoch;
    this.apply(this.closedFormLr() ?? this.computeLr());
  }

  /** The next learning rates, from the current ones where the schedule is chainable (PyTorch's `get_lr`). */
  protected abstract computeLr(): number[];

  /** The learning rates of `lastEpoch` from the base ones, or null when there is no closed form. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** The hyper-parameters stored in the state dict, as properties of the schedule. */
  protected abstract fields(): FieldSpec;

  /** Extra checks on a state dict about to be loaded (ranges of hyper-parameters). */
  protected validateState(_record: Record<string, unknown>): void {
    // Most schedules accept any value of the right kind.
  }

  /** The current learning rates of the optimizer's groups. */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((group) => group.lr);
  }

  private apply(values: readonly number[]): void {
    this.optimizer.paramGroups.forEach((group, index) => {
      group.lr = values[index]!;
    });
    this.lastLrs = this.currentLrs();
  }

  private checkGroups(): void {
    const count = this.optimizer.paramGroups.length;
    if (count !== this.baseLrs.length) {
      throw new GatedError(
        `${this.owner}.step`,
        `the optimizer has ${count} parameter groups, but the schedule was created for ${this.baseLrs.length}; create a new schedule after addParamGroup`,
      );
    }
  }
}

/** Python's `bisect_right`: the number of entries of sorted `values` that are <= `x`. @internal */
export function bisectRight(values: readonly number[], x: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (x < values[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}

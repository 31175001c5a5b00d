/** ReduceLROnPlateau: cut the learning rate when a metric stops improving (PyTorch's `ReduceLROnPlateau`). */
import { GatedError } from '@gated/backend-api';
import { checkOptimizer, checkStateDict, type FieldSpec, type SchedulableOptimizer, type SchedulerStateDict } from './lr-scheduler.js';
import { checkOptions, describeValue, integer, nonNegative, numberRule, oneOf, type Rule, type Rules } from './validate.js';

/** Options of {@link ReduceLROnPlateau} (PyTorch's names in camelCase). */
export interface ReduceLROnPlateauOptions {
  /** `min`: the metric should fall (a loss); `max`: it should rise (an accuracy). Default `min`. */
  readonly mode?: 'min' | 'max';
  /** Multiply the lr by this on a plateau, in [0, 1) (default 0.1). */
  readonly factor?: number;
  /** Bad epochs tolerated before reducing: the reduction comes on bad epoch `patience + 1` (default 10). */
  readonly patience?: number;
  /** How much better counts as better (default 1e-4). */
  readonly threshold?: number;
  /** `rel`: better than `best·(1 ∓ threshold)`; `abs`: better than `best ∓ threshold` (default `rel`). */
  readonly thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  readonly cooldown?: number;
  /** Lower bound of the lr, one for all groups or one per group (default 0). */
  readonly minLr?: number | readonly number[];
  /** A reduction smaller than this is skipped (default 1e-8). */
  readonly eps?: number;
}

const minLrRule: Rule = (owner, name, value) => {
  const values: unknown[] = Array.isArray(value) ? value : [value];
  if (!values.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
    throw new GatedError(owner, `invalid ${name}: ${describeValue(value)} (expected a finite number >= 0, or one per parameter group)`);
  }
};

const RULES: Rules<ReduceLROnPlateauOptions> = {
  mode: oneOf('min', 'max'),
  factor: numberRule('factor', 'a number in [0, 1)', (v) => v >= 0 && v < 1),
  patience: integer('patience', 0),
  threshold: nonNegative('threshold'),
  thresholdMode: oneOf('rel', 'abs'),
  cooldown: integer('cooldown', 0),
  minLr: minLrRule,
  eps: nonNegative('eps'),
};

const FIELDS: FieldSpec = {
  mode: 'string',
  factor: 'number',
  patience: 'integer',
  threshold: 'number',
  thresholdMode: 'string',
  cooldown: 'integer',
  minLrs: 'groupNumbers',
  eps: 'number',
  numBadEpochs: 'integer',
  cooldownCounter: 'integer',
  lastEpoch: 'integer',
  lastLr: 'groupNumbers',
};

/**
 * Reduces each group's learning rate by `factor` once the metric passed to `step(metric)` has
 * not improved for more than `patience` epochs, then waits `cooldown` epochs, exactly as PyTorch
 * 1.13 (the counters reset after a reduction even when every group is already at `minLr`).
 *
 * The metric is a plain number: read it from the device first (`await loss.item()`).
 *
 * @example
 * ```ts
 * const schedule = new ReduceLROnPlateau(optimizer, { mode: 'min', factor: 0.5, patience: 5 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   train(optimizer);
 *   schedule.step(await validationLoss());
 * }
 * ```
 */
export class ReduceLROnPlateau {
  readonly optimizer: SchedulableOptimizer;
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  /** The lower bound of each group's lr. */
  minLrs: number[];
  eps: number;
  /** The best metric so far (±∞ before the first step). */
  best: number;
  /** Bad epochs in a row (outside cooldown). */
  numBadEpochs = 0;
  /** Cooldown epochs left. */
  cooldownCounter = 0;
  /** Number of `step()` calls so far. */
  lastEpoch = 0;
  private lastLrs: number[];

  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const owner = 'ReduceLROnPlateau';
    checkOptions(owner, RULES, options);
    checkOptimizer(owner, optimizer);
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups.length;
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    const minLr = options.minLr ?? 0;
    if (typeof minLr !== 'number' && minLr.length !== groups) {
      throw new GatedError(owner, `expected ${groups} values of minLr (one per parameter group), got ${minLr.length}`);
    }
    this.minLrs = typeof minLr === 'number' ? new Array<number>(groups).fill(minLr) : [...minLr];
    this.eps = options.eps ?? 1e-8;
    this.best = this.worst();
    this.lastLrs = optimizer.paramGroups.map((group) => group.lr);
  }

  /** Records one epoch's metric and reduces the learning rates if it has plateaued. */
  step(metric: number): void {
    if (typeof metric !== 'number') {
      throw new GatedError(
        'ReduceLROnPlateau.step',
        `the metric must be a number (read a tensor first: await loss.item()), got ${typeof metric}`,
      );
    }
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.minLrs.length) {
      throw new GatedError(
        'ReduceLROnPlateau.step',
        `the optimizer has ${groups.length} parameter groups, but the schedule was created for ${this.minLrs.length}`,
      );
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      groups.forEach((group, i) => {
        const reduced = Math.max(group.lr * this.factor, this.minLrs[i]!);
        if (group.lr - reduced > this.eps) group.lr = reduced;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLrs = groups.map((group) => group.lr);
  }

  /** The learning rate of each parameter group after the last step (or at construction). */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  /** True while reductions are suspended after the last one. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /**
   * The schedule's state (hyper-parameters, best metric, counters) as plain, JSON-safe data;
   * `best` is null before the first step.
   */
  stateDict(): SchedulerStateDict {
    return {
      mode: this.mode,
      factor: this.factor,
      patience: this.patience,
      threshold: this.threshold,
      thresholdMode: this.thresholdMode,
      cooldown: this.cooldown,
      minLrs: [...this.minLrs],
      eps: this.eps,
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLrs],
    };
  }

  /** Restores a state dict from `stateDict()`; every key is checked first. */
  loadStateDict(dict: SchedulerStateDict): void {
    const owner = 'ReduceLROnPlateau.loadStateDict';
    const { best, ...rest } = dict as Record<string, SchedulerStateDict[string]>;
    if (best === undefined) throw new GatedError(owner, 'the state dict lacks "best"');
    if (best !== null && (typeof best !== 'number' || Number.isNaN(best))) {
      throw new GatedError(owner, `"best" must be a number or null, got ${JSON.stringify(best)}`);
    }
    const record = checkStateDict(owner, rest, FIELDS, this.optimizer.paramGroups.length);
    RULES.mode(owner, 'mode', record.mode, '');
    RULES.thresholdMode(owner, 'thresholdMode', record.thresholdMode, '');
    this.mode = record.mode as 'min' | 'max';
    this.factor = record.factor as number;
    this.patience = record.patience as number;
    this.threshold = record.threshold as number;
    this.thresholdMode = record.thresholdMode as 'rel' | 'abs';
    this.cooldown = record.cooldown as number;
    this.minLrs = [...(record.minLrs as number[])];
    this.eps = record.eps as number;
    this.best = best ?? this.worst();
    this.numBadEpochs = record.numBadEpochs as number;
    this.cooldownCounter = record.cooldownCounter as number;
    this.lastEpoch = record.lastEpoch as number;
    this.lastLrs = [...(record.lastLr as number[])];
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }
}

/** LinearLR: linear warm-up (or decay) of the learning rate's factor (PyTorch's `LinearLR`). */
import { LRScheduler, type FieldSpec, type SchedulableOptimizer } from './lr-scheduler.js';
import { checkOptions, integer, numberRule, type Rules } from './validate.js';

/** Options of {@link LinearLR}. */
export interface LinearLROptions {
  /** Factor of the base lr at epoch 0, in (0, 1] (default 1/3). */
  readonly startFactor?: number;
  /** Factor reached at `totalIters`, in [0, 1] (default 1). */
  readonly endFactor?: number;
  /** Epochs over which the factor moves, an integer >= 1 (default 5). */
  readonly totalIters?: number;
}

const RULES: Rules<LinearLROptions> = {
  startFactor: numberRule('start factor', 'a number in (0, 1]', (v) => v > 0 && v <= 1),
  endFactor: numberRule('end factor', 'a number in [0, 1]', (v) => v >= 0 && v <= 1),
  totalIters: integer('total iterations', 1),
};

/**
 * Scales each group's base learning rate by a factor moving linearly from `startFactor` to
 * `endFactor` over `totalIters` epochs, then constant: the usual warm-up. Computed in PyTorch's
 * chainable form, `lr_e = lr_{e−1}·(1 + (end − start)/(total·start + (e − 1)(end − start)))`.
 *
 * @example
 * ```ts
 * const warmup = new LinearLR(optimizer, { startFactor: 0.1, totalIters: 500 });
 * ```
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    checkOptions('LinearLR', RULES, options);
    super('LinearLR', optimizer);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const e = this.lastEpoch;
    if (e === 0) return this.currentLrs().map((lr) => lr * this.startFactor);
    if (e > this.totalIters) return this.currentLrs();
    const delta = this.endFactor - this.startFactor;
    return this.currentLrs().map((lr) => lr * (1 + delta / (this.totalIters * this.startFactor + (e - 1) * delta)));
  }

  protected override closedFormLr(): number[] {
    const reached = Math.min(this.totalIters, this.lastEpoch);
    return this.baseLrs.map((base) => base * (this.startFactor + ((this.endFactor - this.startFactor) * reached) / this.totalIters));
  }

  protected fields(): FieldSpec {
    return { startFactor: 'number', endFactor: 'number', totalIters: 'integer' };
  }
}

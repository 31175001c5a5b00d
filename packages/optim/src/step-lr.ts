/** StepLR: decay the learning rate by `gamma` every `stepSize` epochs (PyTorch's `StepLR`). */
import { LRScheduler, type FieldSpec, type SchedulableOptimizer } from './lr-scheduler.js';
import { checkOptions, integer, nonNegative, type Rules } from './validate.js';

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Epochs between decays, an integer >= 1. */
  readonly stepSize: number;
  /** Multiplicative decay (default 0.1). */
  readonly gamma?: number;
}

const RULES: Rules<StepLROptions> = { stepSize: integer('step size', 1), gamma: nonNegative('gamma') };

/**
 * Multiplies each group's learning rate by `gamma` every `stepSize` epochs: `lr = base·γ^⌊e/stepSize⌋`,
 * applied in PyTorch's chainable form (the current lr is multiplied at each boundary).
 *
 * @example
 * ```ts
 * const schedule = new StepLR(optimizer, { stepSize: 30, gamma: 0.1 }); // 0.1 → 0.01 at epoch 30 → …
 * ```
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    checkOptions('StepLR', RULES, options);
    if ((options as Partial<StepLROptions>).stepSize === undefined) RULES.stepSize('StepLR', 'stepSize', undefined, '');
    super('StepLR', optimizer);
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected fields(): FieldSpec {
    return { stepSize: 'integer', gamma: 'number' };
  }
}

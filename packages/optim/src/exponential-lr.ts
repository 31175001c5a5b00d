/** ExponentialLR: decay the learning rate by `gamma` every epoch (PyTorch's `ExponentialLR`). */
import { LRScheduler, type FieldSpec, type SchedulableOptimizer } from './lr-scheduler.js';
import { checkOptions, positive, type Rules } from './validate.js';

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions {
  /** Multiplicative decay per epoch, > 0. */
  readonly gamma: number;
}

const RULES: Rules<ExponentialLROptions> = { gamma: positive('gamma') };

/**
 * Multiplies each group's learning rate by `gamma` every epoch. Like PyTorch it multiplies the
 * current lr (`lr_e = lr_{e−1}·γ`), which can differ from `base·γ^e` in the last bit.
 *
 * @example
 * ```ts
 * const schedule = new ExponentialLR(optimizer, { gamma: 0.95 });
 * ```
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    checkOptions('ExponentialLR', RULES, options);
    RULES.gamma('ExponentialLR', 'gamma', (options as Partial<ExponentialLROptions>).gamma, '');
    super('ExponentialLR', optimizer);
    this.gamma = options.gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }

  protected fields(): FieldSpec {
    return { gamma: 'number' };
  }
}

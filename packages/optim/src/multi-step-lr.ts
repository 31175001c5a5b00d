/** MultiStepLR: decay the learning rate by `gamma` at given epochs (PyTorch's `MultiStepLR`). */
import { GatedError } from '@gated/backend-api';
import { LRScheduler, bisectRight, type FieldSpec, type SchedulableOptimizer } from './lr-scheduler.js';
import { checkOptions, describeValue, nonNegative, type Rules } from './validate.js';

/** Options of {@link MultiStepLR}. */
export interface MultiStepLROptions {
  /** Epochs at which to decay (integers >= 0, any order; a repeated epoch decays once per occurrence). */
  readonly milestones: readonly number[];
  /** Multiplicative decay (default 0.1). */
  readonly gamma?: number;
}

function milestonesRule(owner: string, name: string, value: unknown): void {
  if (!Array.isArray(value) || !value.every((m) => typeof m === 'number' && Number.isSafeInteger(m) && m >= 0)) {
    throw new GatedError(owner, `invalid ${name}: expected a list of integers >= 0, got ${describeValue(value)}`);
  }
}

const RULES: Rules<MultiStepLROptions> = { milestones: milestonesRule, gamma: nonNegative('gamma') };

/**
 * Multiplies each group's learning rate by `gamma` when the epoch reaches each milestone, in
 * PyTorch's chainable form.
 *
 * @example
 * ```ts
 * const schedule = new MultiStepLR(optimizer, { milestones: [30, 80], gamma: 0.1 });
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** The milestones, sorted (with repeats). */
  milestones: number[];
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    checkOptions('MultiStepLR', RULES, options);
    milestonesRule('MultiStepLR', 'milestones', (options as Partial<MultiStepLROptions>).milestones);
    super('MultiStepLR', optimizer);
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    const passed = bisectRight(this.milestones, this.lastEpoch);
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }

  protected fields(): FieldSpec {
    return { milestones: 'numbers', gamma: 'number' };
  }

  protected override validateState(record: Record<string, unknown>): void {
    milestonesRule(`${this.owner}.loadStateDict`, 'milestones', record.milestones);
  }
}

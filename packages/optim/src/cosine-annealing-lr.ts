/** CosineAnnealingLR: cosine decay from each group's lr to `etaMin` over `tMax` epochs (PyTorch's `CosineAnnealingLR`). */
import { LRScheduler, type FieldSpec, type SchedulableOptimizer } from './lr-scheduler.js';
import { checkOptions, finite, positive, type Rules } from './validate.js';

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Epochs of a half period (PyTorch's `T_max`), > 0. */
  readonly tMax: number;
  /** The minimum learning rate (PyTorch's `eta_min`, default 0). */
  readonly etaMin?: number;
}

const RULES: Rules<CosineAnnealingLROptions> = { tMax: positive('T_max'), etaMin: finite('eta_min') };

/** Python's `%` (the result takes the divisor's sign). */
function pyMod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * Anneals each group's learning rate along a cosine from its base lr down to `etaMin` over
 * `tMax` epochs, then back up (period `2·tMax`), reproducing PyTorch's recursive form step for
 * step: `lr_e = η + (lr_{e−1} − η)·(1 + cos(πe/T))/(1 + cos(π(e−1)/T))`, with PyTorch's special
 * case when leaving the minimum. This equals the closed form `η + (base − η)(1 + cos(πe/T))/2`
 * to rounding, unless something else changes the lr in between (the recursion then continues
 * from the changed value, as in PyTorch).
 *
 * @example
 * ```ts
 * const schedule = new CosineAnnealingLR(optimizer, { tMax: 100, etaMin: 1e-5 });
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    checkOptions('CosineAnnealingLR', RULES, options);
    RULES.tMax('CosineAnnealingLR', 'tMax', (options as Partial<CosineAnnealingLROptions>).tMax, '');
    super('CosineAnnealingLR', optimizer);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const e = this.lastEpoch;
    const t = this.tMax;
    const eta = this.etaMin;
    if (e === 0) return this.currentLrs();
    if (this.stepCount === 1 && e > 0) return this.closedFormLr();
    if (pyMod(e - 1 - t, 2 * t) === 0) {
      return this.currentLrs().map((lr, i) => lr + ((this.baseLrs[i]! - eta) * (1 - Math.cos(Math.PI / t))) / 2);
    }
    return this.currentLrs().map((lr) => ((1 + Math.cos((Math.PI * e) / t)) / (1 + Math.cos((Math.PI * (e - 1)) / t))) * (lr - eta) + eta);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }

  protected fields(): FieldSpec {
    return { tMax: 'number', etaMin: 'number' };
  }
}

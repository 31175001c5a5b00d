/** OneCycleLR: the 1cycle policy for learning rate and momentum (PyTorch's `OneCycleLR`). */
import { GatedError } from '@gated/backend-api';
import { LRScheduler, type FieldSpec, type SchedulableOptimizer } from './lr-scheduler.js';
import { bool, checkOptions, describeValue, integer, numberRule, oneOf, positive, type Rule, type Rules } from './validate.js';

/** Options of {@link OneCycleLR} (PyTorch's names in camelCase). */
export interface OneCycleLROptions {
  /** Peak learning rate, one number for every group or one per group. */
  readonly maxLr: number | readonly number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  readonly totalSteps?: number;
  readonly epochs?: number;
  readonly stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the learning rate, in [0, 1] (default 0.3). */
  readonly pctStart?: number;
  /** `cos` (default) or `linear` annealing. */
  readonly annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or Adam's β1) inversely to the learning rate (default true). */
  readonly cycleMomentum?: boolean;
  /** Momentum at the learning-rate peak (default 0.85), one or one per group. */
  readonly baseMomentum?: number | readonly number[];
  /** Momentum at the start and end (default 0.95), one or one per group. */
  readonly maxMomentum?: number | readonly number[];
  /** `initialLr = maxLr / divFactor` (default 25). */
  readonly divFactor?: number;
  /** `minLr = initialLr / finalDivFactor` (default 1e4). */
  readonly finalDivFactor?: number;
  /** Three phases (up, down to initialLr, down to minLr) as in the original paper (default false: two, as fastai). */
  readonly threePhase?: boolean;
}

function perGroup(what: string, test: (v: number) => boolean, expected: string): Rule {
  return (owner, name, value) => {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.length === 0 || !values.every((v) => typeof v === 'number' && Number.isFinite(v) && test(v))) {
      throw new GatedError(owner, `invalid ${what}: ${name} = ${describeValue(value)} (expected ${expected}, or one per parameter group)`);
    }
  };
}

const RULES: Rules<OneCycleLROptions> = {
  maxLr: perGroup('max learning rate', (v) => v >= 0, 'a finite number >= 0'),
  totalSteps: integer('total steps', 1),
  epochs: integer('epochs', 1),
  stepsPerEpoch: integer('steps per epoch', 1),
  pctStart: numberRule('pct_start', 'a number in [0, 1]', (v) => v >= 0 && v <= 1),
  annealStrategy: oneOf('cos', 'linear'),
  cycleMomentum: bool,
  baseMomentum: perGroup('base momentum', () => true, 'a finite number'),
  maxMomentum: perGroup('max momentum', () => true, 'a finite number'),
  divFactor: positive('div factor'),
  finalDivFactor: positive('final div factor'),
  threePhase: bool,
};

interface Phase {
  readonly endStep: number;
  readonly startLr: 'initial' | 'max' | 'min';
  readonly endLr: 'initial' | 'max' | 'min';
  readonly startMomentum: 'max' | 'base';
  readonly endMomentum: 'max' | 'base';
}

/**
 * The 1cycle policy (Smith & Topin): the learning rate rises from `maxLr/divFactor` to `maxLr`
 * over the first `pctStart` of the cycle, then falls to `maxLr/(divFactor·finalDivFactor)`, while
 * the momentum (SGD, RMSprop) or β1 (Adam, AdamW, Adamax) moves the opposite way between
 * `maxMomentum` and `baseMomentum`. Call `step()` after every batch.
 *
 * PyTorch semantics, quirks included: the groups' own learning rates are ignored; their momentum
 * is overwritten with `maxMomentum` at construction; the step after the last (step `totalSteps`)
 * is allowed and extrapolates the last phase (for `linear` it can go below zero), and one more
 * throws.
 *
 * @example
 * ```ts
 * const schedule = new OneCycleLR(optimizer, { maxLr: 0.01, epochs: 10, stepsPerEpoch: batches.length });
 * for (const batch of batches) { trainStep(batch); optimizer.step(); schedule.step(); }
 * ```
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  pctStart: number;
  annealStrategy: 'cos' | 'linear';
  threePhase: boolean;
  cycleMomentum: boolean;
  /** True when β1 of `betas` is cycled (Adam-style groups) rather than `momentum`. */
  useBeta1: boolean;
  maxLrs: number[];
  minLrs: number[];
  maxMomentums: number[];
  baseMomentums: number[];

  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    const owner = 'OneCycleLR';
    checkOptions(owner, RULES, options);
    RULES.maxLr(owner, 'maxLr', (options as Partial<OneCycleLROptions>).maxLr, '');
    super(owner, optimizer);
    const groups = optimizer.paramGroups;
    if (options.totalSteps !== undefined) {
      this.totalSteps = options.totalSteps;
    } else if (options.epochs !== undefined && options.stepsPerEpoch !== undefined) {
      this.totalSteps = options.epochs * options.stepsPerEpoch;
    } else {
      throw new GatedError(owner, 'give either totalSteps, or epochs and stepsPerEpoch');
    }
    this.pctStart = options.pctStart ?? 0.3;
    this.annealStrategy = options.annealStrategy ?? 'cos';
    this.threePhase = options.threePhase ?? false;
    const divFactor = options.divFactor ?? 25;
    const finalDivFactor = options.finalDivFactor ?? 1e4;
    const expand = (name: string, value: number | readonly number[]): number[] => {
      if (typeof value === 'number') return groups.map(() => value);
      if (value.length !== groups.length) {
        throw new GatedError(owner, `expected ${groups.length} values for ${name} (one per parameter group), got ${value.length}`);
      }
      return [...value];
    };
    this.maxLrs = expand('maxLr', options.maxLr);
    this.baseLrs = this.maxLrs.map((maxLr) => maxLr / divFactor);
    this.minLrs = this.baseLrs.map((initial) => initial / finalDivFactor);
    groups.forEach((group, i) => {
      group.initialLr = this.baseLrs[i]!;
    });

    this.cycleMomentum = options.cycleMomentum ?? true;
    this.useBeta1 = groups.every((group) => Array.isArray(group.betas));
    this.maxMomentums = expand('maxMomentum', options.maxMomentum ?? 0.95);
    this.baseMomentums = expand('baseMomentum', options.baseMomentum ?? 0.85);
    if (this.cycleMomentum) {
      if (!this.useBeta1 && !groups.every((group) => typeof group.momentum === 'number')) {
        throw new GatedError(
          owner,
          'cycleMomentum needs an optimizer with momentum (SGD, RMSprop) or betas (Adam, AdamW, Adamax); pass cycleMomentum: false',
        );
      }
      groups.forEach((group, i) => {
        this.setMomentum(group, this.maxMomentums[i]!);
      });
    }
    this.initialStep();
  }

  /** Allows the step to `totalSteps` (extrapolating, as PyTorch does) and refuses any later one. */
  override step(): void {
    if (this.lastEpoch + 1 > this.totalSteps) {
      throw new GatedError(
        `${this.owner}.step`,
        `tried to step ${this.lastEpoch + 2} times, but the cycle has totalSteps = ${this.totalSteps}`,
      );
    }
    super.step();
  }

  protected computeLr(): number[] {
    const stepNumber = this.lastEpoch;
    const phases = this.phases();
    const anneal = this.annealStrategy === 'cos' ? annealCos : annealLinear;
    return this.optimizer.paramGroups.map((group, i) => {
      const lrOf = { initial: this.baseLrs[i]!, max: this.maxLrs[i]!, min: this.minLrs[i]! };
      const momentumOf = { max: this.maxMomentums[i]!, base: this.baseMomentums[i]! };
      let startStep = 0;
      for (let p = 0; p < phases.length; p++) {
        const phase = phases[p]!;
        if (stepNumber <= phase.endStep || p === phases.length - 1) {
          const pct = (stepNumber - startStep) / (phase.endStep - startStep);
          if (this.cycleMomentum) this.setMomentum(group, anneal(momentumOf[phase.startMomentum], momentumOf[phase.endMomentum], pct));
          return anneal(lrOf[phase.startLr], lrOf[phase.endLr], pct);
        }
        startStep = phase.endStep;
      }
      return group.lr;
    });
  }

  protected fields(): FieldSpec {
    return {
      totalSteps: 'integer',
      pctStart: 'number',
      annealStrategy: 'string',
      threePhase: 'boolean',
      cycleMomentum: 'boolean',
      useBeta1: 'boolean',
      maxLrs: 'groupNumbers',
      minLrs: 'groupNumbers',
      maxMomentums: 'groupNumbers',
      baseMomentums: 'groupNumbers',
    };
  }

  protected override validateState(record: Record<string, unknown>): void {
    oneOf('cos', 'linear')(`${this.owner}.loadStateDict`, 'annealStrategy', record.annealStrategy, '');
  }

  private phases(): Phase[] {
    const total = this.totalSteps;
    const rise = this.pctStart * total - 1;
    if (this.threePhase) {
      return [
        { endStep: rise, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
        { endStep: 2 * this.pctStart * total - 2, startLr: 'max', endLr: 'initial', startMomentum: 'base', endMomentum: 'max' },
        { endStep: total - 1, startLr: 'initial', endLr: 'min', startMomentum: 'max', endMomentum: 'max' },
      ];
    }
    return [
      { endStep: rise, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
      { endStep: total - 1, startLr: 'max', endLr: 'min', startMomentum: 'base', endMomentum: 'max' },
    ];
  }

  private setMomentum(group: SchedulableOptimizer['paramGroups'][number], momentum: number): void {
    if (this.useBeta1) group.betas = [momentum, group.betas![1]];
    else group.momentum = momentum;
  }
}

/** Cosine from `start` to `end` as `pct` goes from 0 to 1 (PyTorch's `_annealing_cos`). */
function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

/** Linear from `start` to `end` as `pct` goes from 0 to 1. */
function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

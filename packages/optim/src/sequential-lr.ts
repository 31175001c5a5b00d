/** SequentialLR: hand the learning rate from one schedule to the next at milestones (PyTorch's `SequentialLR`). */
import { GatedError } from '@gated/backend-api';
import { describeValue } from './validate.js';
import {
  LRScheduler,
  bisectRight,
  checkStateDict,
  type FieldSpec,
  type SchedulableOptimizer,
  type SchedulerStateDict,
} from './lr-scheduler.js';

/** Options of {@link SequentialLR}. */
export interface SequentialLROptions {
  /** The schedules, in order, all created on the same optimizer. */
  readonly schedulers: readonly LRScheduler[];
  /** The epochs at which each next schedule takes over (one fewer than `schedulers`, increasing). */
  readonly milestones: readonly number[];
}

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]`, and so on, as PyTorch 1.13's
 * `SequentialLR`: at construction the groups' lrs go back to their `initialLr` and only the first
 * schedule takes its initial step; at a milestone the next schedule is restarted at its own epoch
 * 0 with its closed form (so a cosine after a warm-up starts from the base lr, not from where the
 * warm-up ended) and continues from there.
 *
 * @example
 * ```ts
 * const warmup = new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 });
 * const cosine = new CosineAnnealingLR(optimizer, { tMax: 95 });
 * const schedule = new SequentialLR(optimizer, { schedulers: [warmup, cosine], milestones: [5] });
 * ```
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: readonly LRScheduler[];
  readonly milestones: readonly number[];

  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    const owner = 'SequentialLR';
    const given: Partial<SequentialLROptions> = options;
    const schedulers: unknown = given.schedulers;
    const milestones: unknown = given.milestones;
    if (!Array.isArray(schedulers) || schedulers.length === 0 || !schedulers.every((s): s is LRScheduler => s instanceof LRScheduler)) {
      throw new GatedError(owner, 'schedulers must be a non-empty list of LR schedules (ReduceLROnPlateau cannot be sequenced)');
    }
    schedulers.forEach((scheduler, index) => {
      if (scheduler.optimizer !== optimizer) {
        throw new GatedError(
          owner,
          `schedulers[${index}] belongs to another optimizer; every schedule must drive the optimizer given to SequentialLR`,
        );
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new GatedError(
        owner,
        `expected ${schedulers.length - 1} milestones (one fewer than schedulers), got ${describeValue(milestones)}`,
      );
    }
    const epochs = milestones as unknown[];
    const increasing = epochs.every(
      (m, i): m is number => typeof m === 'number' && Number.isSafeInteger(m) && m >= 1 && (i === 0 || m > (epochs[i - 1] as number)),
    );
    if (!increasing) throw new GatedError(owner, `milestones must be increasing integers >= 1, got ${describeValue(milestones)}`);
    super(owner, optimizer);
    this.schedulers = [...schedulers];
    this.milestones = [...epochs];
    this.lastEpoch = 0;
    for (const group of optimizer.paramGroups) group.lr = group.initialLr!;
    for (const scheduler of this.schedulers) scheduler.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLrs = this.schedulers[0]!.getLastLr();
  }

  /** Advances one epoch in the schedule whose turn it is. */
  override step(): void {
    this.lastEpoch += 1;
    const index = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[index]!;
    if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.stepAt(0);
    else scheduler.step();
    this.lastLrs = scheduler.getLastLr();
  }

  /** The epoch, the milestones, and every child schedule's state dict. */
  override stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch,
      milestones: [...this.milestones],
      lastLr: [...this.lastLrs],
      schedulers: this.schedulers.map((scheduler) => scheduler.stateDict()),
    };
  }

  /** Restores a state dict from `stateDict()`, children included; every key is checked first. */
  override loadStateDict(dict: SchedulerStateDict): void {
    const owner = `${this.owner}.loadStateDict`;
    const { schedulers, ...rest } = dict as Record<string, SchedulerStateDict[string]>;
    if (!Array.isArray(schedulers) || schedulers.length !== this.schedulers.length) {
      throw new GatedError(owner, `"schedulers" must hold ${this.schedulers.length} state dicts, one per child schedule`);
    }
    const record = checkStateDict(owner, rest, this.fields(), this.optimizer.paramGroups.length);
    const milestones = record.milestones as number[];
    if (milestones.length !== this.milestones.length || milestones.some((m, i) => m !== this.milestones[i])) {
      throw new GatedError(
        owner,
        `the milestones ${JSON.stringify(milestones)} differ from this schedule's ${JSON.stringify(this.milestones)}`,
      );
    }
    (schedulers as SchedulerStateDict[]).forEach((child, i) => {
      this.schedulers[i]!.loadStateDict(child);
    });
    this.lastEpoch = record.lastEpoch as number;
    this.lastLrs = [...(record.lastLr as number[])];
  }

  protected computeLr(): number[] {
    return this.currentLrs();
  }

  protected fields(): FieldSpec {
    return { lastEpoch: 'integer', milestones: 'numbers', lastLr: 'groupNumbers' };
  }
}

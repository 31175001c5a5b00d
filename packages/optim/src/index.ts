/**
 * `@gated/optim`: optimizers, gradient clipping and learning-rate schedules for Gated, with
 * PyTorch 1.13's semantics and hyper-parameter names (in camelCase).
 *
 * @example
 * ```ts
 * import { Adam, clipGradNorm, CosineAnnealingLR } from '@gated/optim';
 *
 * const optimizer = new Adam([w, b], { lr: 1e-3, weightDecay: 1e-4 });
 * const schedule = new CosineAnnealingLR(optimizer, { tMax: epochs });
 * for (let epoch = 0; epoch < epochs; epoch++) {
 *   optimizer.zeroGrad();
 *   tidy(() => loss(w, b).backward());
 *   clipGradNorm([w, b], 1.0).dispose();
 *   optimizer.step();
 *   schedule.step();
 * }
 * ```
 */
export { Optimizer } from './optimizer.js';
export type {
  OptimizerOptions,
  OptimizerParams,
  OptimizerStateDict,
  ParamGroup,
  ParamGroupInput,
  ParamState,
  SavedParamGroup,
  StateLayout,
} from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDGroupOptions, SGDOptions, SGDState } from './sgd.js';
export { Adam } from './adam.js';
export type { AdamGroupOptions, AdamOptions, AdamState } from './adam.js';
export { AdamW } from './adamw.js';
export type { AdamWOptions } from './adamw.js';
export { RMSprop } from './rmsprop.js';
export type { RMSpropGroupOptions, RMSpropOptions, RMSpropState } from './rmsprop.js';
export { Adagrad } from './adagrad.js';
export type { AdagradGroupOptions, AdagradOptions, AdagradState } from './adagrad.js';
export { Adamax } from './adamax.js';
export type { AdamaxGroupOptions, AdamaxOptions, AdamaxState } from './adamax.js';
export { clipGradNorm, clipGradValue } from './clip-grad.js';
export type { ClipGradNormOptions } from './clip-grad.js';
export { LRScheduler } from './lr-scheduler.js';
export type { SchedulableOptimizer, SchedulableParamGroup, SchedulerStateDict, SchedulerStateValue } from './lr-scheduler.js';
export { StepLR } from './step-lr.js';
export type { StepLROptions } from './step-lr.js';
export { MultiStepLR } from './multi-step-lr.js';
export type { MultiStepLROptions } from './multi-step-lr.js';
export { ExponentialLR } from './exponential-lr.js';
export type { ExponentialLROptions } from './exponential-lr.js';
export { CosineAnnealingLR } from './cosine-annealing-lr.js';
export type { CosineAnnealingLROptions } from './cosine-annealing-lr.js';
export { LinearLR } from './linear-lr.js';
export type { LinearLROptions } from './linear-lr.js';
export { OneCycleLR } from './one-cycle-lr.js';
export type { OneCycleLROptions } from './one-cycle-lr.js';
export { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
export type { ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
export { SequentialLR } from './sequential-lr.js';
export type { SequentialLROptions } from './sequential-lr.js';

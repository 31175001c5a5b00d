/** RMSprop (centered, with momentum): PyTorch 1.13's `torch.optim.RMSprop`. */
import { add, div, keep, mul, neg, sqrt, sub, zerosLike, type Tensor } from '@gated/tensor';
import { Optimizer, type OptimizerParams, type ParamGroup } from './optimizer.js';
import { bool, nonNegative, numberRule, positive, type Rules } from './validate.js';

/** Options of {@link RMSprop} (PyTorch's names in camelCase). */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average, in [0, 1] (default 0.99). */
  alpha?: number;
  /** Added to the denominator, > 0 (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalise by the estimated variance (subtract the squared gradient average) (default false). */
  centered?: boolean;
  /** Ascend the objective instead of descending (default false). */
  maximize?: boolean;
}

/** The options of an RMSprop parameter group, every one resolved. */
export type RMSpropGroupOptions = Required<RMSpropOptions>;

/**
 * Per-parameter state (PyTorch's `step`, `square_avg`, `momentum_buffer`, `grad_avg`): steps taken,
 * the running average of g², the momentum buffer (momentum > 0) and the running average of g
 * (centered).
 */
export type RMSpropState = { step: number; squareAvg: Tensor; momentumBuffer?: Tensor; gradAvg?: Tensor };

const RULES: Rules<RMSpropGroupOptions> = {
  lr: nonNegative('learning rate'),
  alpha: numberRule('alpha value', 'a number in [0, 1]', (v) => v >= 0 && v <= 1),
  eps: positive('epsilon value'),
  weightDecay: nonNegative('weight decay'),
  momentum: nonNegative('momentum value'),
  centered: bool,
  maximize: bool,
};

/**
 * RMSprop, exactly as PyTorch's `torch.optim.RMSprop`:
 *
 * ```
 * g ← −g if maximize;  g ← g + weightDecay·p;  s ← α·s + (1 − α)·g²
 * centered: ḡ ← α·ḡ + (1 − α)·g, d = √(s − ḡ²) + eps;  else d = √s + eps
 * momentum > 0: b ← momentum·b + g/d, p ← p − lr·b;  else p ← p − lr·g/d
 * ```
 *
 * @example
 * ```ts
 * const optimizer = new RMSprop(model.parameters(), { lr: 1e-3, centered: true, momentum: 0.9 });
 * ```
 */
export class RMSprop extends Optimizer<RMSpropGroupOptions, RMSpropState> {
  constructor(params: OptimizerParams<RMSpropGroupOptions>, options: RMSpropOptions = {}) {
    super(
      {
        name: 'RMSprop',
        defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
        rules: RULES,
        state: { counters: ['step'], tensors: ['squareAvg'], optionalTensors: ['momentumBuffer', 'gradAvg'] },
      },
      params,
      options,
    );
  }

  protected initState(param: Tensor, group: ParamGroup<RMSpropGroupOptions>): RMSpropState {
    const state: RMSpropState = { step: 0, squareAvg: zerosLike(param) };
    if (group.momentum > 0) state.momentumBuffer = zerosLike(param);
    if (group.centered) state.gradAvg = zerosLike(param);
    return state;
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup<RMSpropGroupOptions>, state: RMSpropState): void {
    const { alpha, eps, lr, momentum } = group;
    let g = group.maximize ? neg(grad) : grad;
    if (group.weightDecay !== 0) g = add(g, mul(param, group.weightDecay));
    // addcmul computes (value · g) · g
    const squareAvg = add(mul(state.squareAvg, alpha), mul(mul(g, 1 - alpha), g));
    state.squareAvg.assign(squareAvg);
    let avg: Tensor;
    if (group.centered) {
      const gradAvg = (state.gradAvg ??= keep(zerosLike(param)));
      const updated = add(mul(gradAvg, alpha), mul(g, 1 - alpha));
      gradAvg.assign(updated);
      avg = sqrt(sub(squareAvg, mul(updated, updated)));
    } else {
      avg = sqrt(squareAvg);
    }
    avg = add(avg, eps);
    if (momentum > 0) {
      const buffer = (state.momentumBuffer ??= keep(zerosLike(param)));
      const updated = add(mul(buffer, momentum), div(g, avg));
      buffer.assign(updated);
      param.assign(sub(param, mul(updated, lr)));
    } else {
      // addcdiv computes (value · g) / avg
      param.assign(sub(param, div(mul(g, lr), avg)));
    }
    state.step += 1;
  }
}

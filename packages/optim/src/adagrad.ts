/** Adagrad (learning-rate decay, initial accumulator): PyTorch 1.13's `torch.optim.Adagrad`. */
import { add, div, fullLike, mul, neg, sqrt, sub, type Tensor } from '@gated/tensor';
import { Optimizer, type OptimizerParams, type ParamGroup } from './optimizer.js';
import { bool, nonNegative, positive, type Rules } from './validate.js';

/** Options of {@link Adagrad} (PyTorch's names in camelCase). */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Learning-rate decay: step t uses `lr / (1 + (t − 1)·lrDecay)` (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator, > 0 (default 1e-10). */
  eps?: number;
  /** Ascend the objective instead of descending (default false). */
  maximize?: boolean;
}

/** The options of an Adagrad parameter group, every one resolved. */
export type AdagradGroupOptions = Required<AdagradOptions>;

/** Per-parameter state (PyTorch's `step`, `sum`): steps taken and the sum of squared gradients. */
export type AdagradState = { step: number; sum: Tensor };

const RULES: Rules<AdagradGroupOptions> = {
  lr: nonNegative('learning rate'),
  lrDecay: nonNegative('lr_decay value'),
  weightDecay: nonNegative('weight decay'),
  initialAccumulatorValue: nonNegative('initial accumulator value'),
  eps: positive('epsilon value'),
  maximize: bool,
};

/**
 * Adagrad, exactly as PyTorch's `torch.optim.Adagrad`:
 *
 * ```
 * g ← −g if maximize;  g ← g + weightDecay·p;  clr = lr / (1 + (t − 1)·lrDecay)
 * s ← s + g²;  p ← p − clr·g / (√s + eps)
 * ```
 *
 * PyTorch fills the accumulator of every parameter at construction; here it is filled (with
 * `initialAccumulatorValue`) on a parameter's first step, which updates identically.
 *
 * @example
 * ```ts
 * const optimizer = new Adagrad(model.parameters(), { lr: 0.1, lrDecay: 1e-3 });
 * ```
 */
export class Adagrad extends Optimizer<AdagradGroupOptions, AdagradState> {
  constructor(params: OptimizerParams<AdagradGroupOptions>, options: AdagradOptions = {}) {
    super(
      {
        name: 'Adagrad',
        defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
        rules: RULES,
        state: { counters: ['step'], tensors: ['sum'], optionalTensors: [] },
      },
      params,
      options,
    );
  }

  protected initState(param: Tensor, group: ParamGroup<AdagradGroupOptions>): AdagradState {
    return { step: 0, sum: fullLike(param, group.initialAccumulatorValue) };
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup<AdagradGroupOptions>, state: AdagradState): void {
    const step = state.step + 1;
    let g = group.maximize ? neg(grad) : grad;
    if (group.weightDecay !== 0) g = add(g, mul(param, group.weightDecay));
    const clr = group.lr / (1 + (step - 1) * group.lrDecay);
    const sum = add(state.sum, mul(g, g));
    state.sum.assign(sum);
    const std = add(sqrt(sum), group.eps);
    param.assign(sub(param, div(mul(g, clr), std)));
    state.step = step;
  }
}

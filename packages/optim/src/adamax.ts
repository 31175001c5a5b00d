/** Adamax (Adam with the infinity norm): PyTorch 1.13's `torch.optim.Adamax`. */
import { abs, add, div, maximum, mul, neg, sub, zerosLike, type Tensor } from '@gated/tensor';
import { Optimizer, type OptimizerParams, type ParamGroup } from './optimizer.js';
import { betasRule, bool, nonNegative, positive, type Rules } from './validate.js';

/** Options of {@link Adamax} (PyTorch's names in camelCase). */
export interface AdamaxOptions {
  /** Learning rate (default 2e-3). */
  lr?: number;
  /** Decay rates of the first moment and of the infinity norm, each in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to |g| inside the maximum, > 0 (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Ascend the objective instead of descending (default false). */
  maximize?: boolean;
}

/** The options of an Adamax parameter group, every one resolved. */
export type AdamaxGroupOptions = Required<AdamaxOptions>;

/** Per-parameter state (PyTorch's `step`, `exp_avg`, `exp_inf`): steps taken, first moment, infinity norm. */
export type AdamaxState = { step: number; expAvg: Tensor; expInf: Tensor };

const RULES: Rules<AdamaxGroupOptions> = {
  lr: nonNegative('learning rate'),
  betas: betasRule,
  eps: positive('epsilon value'),
  weightDecay: nonNegative('weight decay'),
  maximize: bool,
};

/**
 * Adamax, exactly as PyTorch's `torch.optim.Adamax`:
 *
 * ```
 * g ← −g if maximize;  g ← g + weightDecay·p
 * m ← β1·m + (1 − β1)·g;  u ← max(β2·u, |g| + eps)      (eps inside the maximum)
 * p ← p − lr/(1 − β1^t) · m/u
 * ```
 *
 * @example
 * ```ts
 * const optimizer = new Adamax(model.parameters(), { lr: 2e-3 });
 * ```
 */
export class Adamax extends Optimizer<AdamaxGroupOptions, AdamaxState> {
  constructor(params: OptimizerParams<AdamaxGroupOptions>, options: AdamaxOptions = {}) {
    super(
      {
        name: 'Adamax',
        defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
        rules: RULES,
        state: { counters: ['step'], tensors: ['expAvg', 'expInf'], optionalTensors: [] },
      },
      params,
      options,
    );
  }

  protected initState(param: Tensor): AdamaxState {
    return { step: 0, expAvg: zerosLike(param), expInf: zerosLike(param) };
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup<AdamaxGroupOptions>, state: AdamaxState): void {
    const step = state.step + 1;
    const [beta1, beta2] = group.betas;
    let g = group.maximize ? neg(grad) : grad;
    if (group.weightDecay !== 0) g = add(g, mul(param, group.weightDecay));
    const expAvg = add(mul(state.expAvg, beta1), mul(g, 1 - beta1));
    const expInf = maximum(mul(state.expInf, beta2), add(abs(g), group.eps));
    state.expAvg.assign(expAvg);
    state.expInf.assign(expInf);
    const clr = group.lr / (1 - beta1 ** step);
    param.assign(sub(param, div(mul(expAvg, clr), expInf)));
    state.step = step;
  }
}

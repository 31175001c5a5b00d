/**
 * Adam (with AMSGrad, coupled weight decay and maximize): PyTorch 1.13's `torch.optim.Adam`. The
 * update itself is `@gated/tensor`'s `adamStep`, which runs the backend's fused kernel where one
 * is offered and a composite of public ops elsewhere.
 */
import { adamStep, keep, zerosLike, type Tensor } from '@gated/tensor';
import { Optimizer, type OptimizerSpec, type OptimizerParams, type ParamGroup } from './optimizer.js';
import { betasRule, bool, nonNegative, positive, type Rules } from './validate.js';

/** Options of {@link Adam} (PyTorch's names in camelCase). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment estimates, each in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator after bias correction, > 0 (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient: `g ← g + weightDecay·p` (default 0). */
  weightDecay?: number;
  /** Use the AMSGrad variant: divide by the running maximum of the second moment (default false). */
  amsgrad?: boolean;
  /** Ascend the objective instead of descending (default false). */
  maximize?: boolean;
}

/** The options of an Adam (or AdamW) parameter group, every one resolved. */
export type AdamGroupOptions = Required<AdamOptions>;

/**
 * Per-parameter state (PyTorch's `step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`): the number
 * of steps taken, the first and second moment estimates, and with AMSGrad the running maximum of
 * the second moment.
 */
export type AdamState = { step: number; expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq?: Tensor };

/** @internal */
export const ADAM_RULES: Rules<AdamGroupOptions> = {
  lr: nonNegative('learning rate'),
  betas: betasRule,
  eps: positive('epsilon value'),
  weightDecay: nonNegative('weight decay'),
  amsgrad: bool,
  maximize: bool,
};

/** @internal */
export function adamSpec(name: string, weightDecay: number): OptimizerSpec<AdamGroupOptions> {
  return {
    name,
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false },
    rules: ADAM_RULES,
    state: { counters: ['step'], tensors: ['expAvg', 'expAvgSq'], optionalTensors: ['maxExpAvgSq'] },
  };
}

/** @internal */
export function initAdamState(param: Tensor, group: ParamGroup<AdamGroupOptions>): AdamState {
  const state: AdamState = { step: 0, expAvg: zerosLike(param), expAvgSq: zerosLike(param) };
  if (group.amsgrad) state.maxExpAvgSq = zerosLike(param);
  return state;
}

/** @internal */
export function adamUpdate(param: Tensor, grad: Tensor, group: ParamGroup<AdamGroupOptions>, state: AdamState, decoupled: boolean): void {
  // AMSGrad switched on after some steps starts its maximum from zero.
  if (group.amsgrad) state.maxExpAvgSq ??= keep(zerosLike(param));
  const step = state.step + 1;
  adamStep(
    { param, grad, m: state.expAvg, v: state.expAvgSq, vMax: group.amsgrad ? state.maxExpAvgSq! : null },
    {
      step,
      lr: group.lr,
      beta1: group.betas[0],
      beta2: group.betas[1],
      eps: group.eps,
      weightDecay: group.weightDecay,
      decoupledWeightDecay: decoupled,
      maximize: group.maximize,
    },
  );
  state.step = step;
}

/**
 * Adam, exactly as PyTorch's `torch.optim.Adam` (single-tensor form):
 *
 * ```
 * g ← −g if maximize;  g ← g + weightDecay·p
 * m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  with amsgrad: v̂ ← max(v̂, v), used for v below
 * p ← p − lr/(1 − β1^t) · m / (√v/√(1 − β2^t) + eps)
 * ```
 *
 * The update runs as one fused kernel on backends that offer `adamStep`.
 *
 * @example
 * ```ts
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.98], amsgrad: true });
 * ```
 */
export class Adam extends Optimizer<AdamGroupOptions, AdamState> {
  constructor(params: OptimizerParams<AdamGroupOptions>, options: AdamOptions = {}) {
    super(adamSpec('Adam', 0), params, options);
  }

  protected initState(param: Tensor, group: ParamGroup<AdamGroupOptions>): AdamState {
    return initAdamState(param, group);
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup<AdamGroupOptions>, state: AdamState): void {
    adamUpdate(param, grad, group, state, false);
  }
}

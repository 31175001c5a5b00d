/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum, weight decay and
 * maximize: PyTorch 1.13's `torch.optim.SGD` (single-tensor implementation).
 */
import { GatedError } from '@gated/backend-api';
import { add, keep, mul, neg, sub, type Tensor } from '@gated/tensor';
import { Optimizer, type OptimizerParams, type ParamGroup } from './optimizer.js';
import { bool, finite, nonNegative, type Rules } from './validate.js';

/** Options of {@link SGD} (PyTorch's names in camelCase). */
export interface SGDOptions {
  /** Learning rate (required, as in PyTorch 1.13). */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening of the momentum (default 0); not applied on the first step, as in PyTorch. */
  dampening?: number;
  /** L2 penalty added to the gradient: `g ← g + weightDecay·p` (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** Ascend the objective instead of descending (default false). */
  maximize?: boolean;
}

/** The options of an SGD parameter group, every one resolved. */
export type SGDGroupOptions = Required<SGDOptions>;

/** Per-parameter state: the momentum buffer, created on the first step with momentum. */
export type SGDState = { momentumBuffer?: Tensor };

const RULES: Rules<SGDGroupOptions> = {
  lr: nonNegative('learning rate'),
  momentum: nonNegative('momentum value'),
  dampening: finite('dampening'),
  weightDecay: nonNegative('weight decay'),
  nesterov: bool,
  maximize: bool,
};

const DEFAULTS: Omit<SGDGroupOptions, 'lr'> = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

/**
 * Stochastic gradient descent (optionally with momentum), exactly as PyTorch's `torch.optim.SGD`:
 *
 * ```
 * g ← −g if maximize;  g ← g + weightDecay·p
 * b ← g (first step), else momentum·b + (1 − dampening)·g;  g ← g + momentum·b if nesterov, else b
 * p ← p − lr·g
 * ```
 *
 * @example
 * ```ts
 * const optimizer = new SGD([w, b], { lr: 0.1, momentum: 0.9, nesterov: true });
 * optimizer.zeroGrad();
 * loss().backward();
 * optimizer.step();
 * ```
 */
export class SGD extends Optimizer<SGDGroupOptions, SGDState> {
  constructor(params: OptimizerParams<SGDGroupOptions>, options: SGDOptions) {
    super(
      {
        name: 'SGD',
        defaults: DEFAULTS as SGDGroupOptions,
        rules: RULES,
        check: (o, owner, where) => {
          // The defaults may leave lr out when every group sets it (checked per group).
          if (where !== '' && typeof (o as Partial<SGDGroupOptions>).lr !== 'number') {
            throw new GatedError(owner, `lr is required${where} (give it in the options or in every parameter group)`);
          }
          if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
            throw new GatedError(
              owner,
              `nesterov momentum requires momentum > 0 and dampening = 0${where}, got momentum = ${o.momentum}, dampening = ${o.dampening}`,
            );
          }
        },
        state: { counters: [], tensors: [], optionalTensors: ['momentumBuffer'] },
      },
      params,
      options,
    );
  }

  protected initState(): SGDState {
    return {};
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup<SGDGroupOptions>, state: SGDState): void {
    let d = group.maximize ? neg(grad) : grad;
    if (group.weightDecay !== 0) d = add(d, mul(param, group.weightDecay));
    if (group.momentum !== 0) {
      let buffer = state.momentumBuffer;
      if (buffer === undefined) {
        // PyTorch clones the first gradient; a view is as good, since nothing writes it in place.
        buffer = keep(d.detach());
        state.momentumBuffer = buffer;
      } else {
        buffer.assign(add(mul(buffer, group.momentum), mul(d, 1 - group.dampening)));
      }
      d = group.nesterov ? add(d, mul(buffer, group.momentum)) : buffer;
    }
    param.assign(sub(param, mul(d, group.lr)));
  }
}

/** AdamW: Adam with decoupled weight decay, PyTorch 1.13's `torch.optim.AdamW`. */
import type { Tensor } from '@gated/tensor';
import { adamSpec, adamUpdate, initAdamState, type AdamGroupOptions, type AdamOptions, type AdamState } from './adam.js';
import { Optimizer, type OptimizerParams, type ParamGroup } from './optimizer.js';

/** Options of {@link AdamW}: Adam's, with `weightDecay` defaulting to 1e-2 and applied to the weights. */
export type AdamWOptions = AdamOptions;

/**
 * AdamW, exactly as PyTorch's `torch.optim.AdamW`: first `p ← p·(1 − lr·weightDecay)` (the
 * decay never enters the moments), then Adam's update. `weightDecay` defaults to 1e-2.
 *
 * @example
 * ```ts
 * const optimizer = new AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.1 });
 * ```
 */
export class AdamW extends Optimizer<AdamGroupOptions, AdamState> {
  constructor(params: OptimizerParams<AdamGroupOptions>, options: AdamWOptions = {}) {
    super(adamSpec('AdamW', 1e-2), params, options);
  }

  protected initState(param: Tensor, group: ParamGroup<AdamGroupOptions>): AdamState {
    return initAdamState(param, group);
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup<AdamGroupOptions>, state: AdamState): void {
    adamUpdate(param, grad, group, state, true);
  }
}

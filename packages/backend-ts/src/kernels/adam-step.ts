/**
 * One Adam / AdamW update in place, following PyTorch's single-tensor implementation step by step
 * (`torch/optim/adam.py`, `_single_tensor_adam`). The moments are rounded to float32 when stored
 * and the update reads the stored values, as PyTorch's does; the parameter is updated in double
 * and rounded once.
 */
import type { AdamStepHyper } from '@gated/backend-api';

export function adamStep(
  param: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vMax: Float32Array | null,
  hyper: AdamStepHyper,
): void {
  const { step, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize } = hyper;
  const biasCorrection1 = 1 - Math.pow(beta1, step);
  const biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
  const stepSize = lr / biasCorrection1;
  const decay = decoupledWeightDecay ? 1 - lr * weightDecay : 1;
  // PyTorch skips weight decay entirely at 0, which matters when a parameter is infinite.
  const coupled = !decoupledWeightDecay && weightDecay !== 0;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    let p = param[i]!;
    let g = maximize ? -grad[i]! : grad[i]!;
    if (coupled) g += weightDecay * p;
    else if (decay !== 1) p *= decay;
    m[i] = beta1 * m[i]! + (1 - beta1) * g;
    v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    let second = v[i]!;
    if (vMax !== null) {
      if (second > vMax[i]! || second !== second) vMax[i] = second;
      second = vMax[i]!;
    }
    param[i] = p - stepSize * (m[i]! / (Math.sqrt(second) / biasCorrection2Sqrt + eps));
  }
}

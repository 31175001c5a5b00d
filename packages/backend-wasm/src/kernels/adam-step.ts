/**
 * Host side of the fused Adam / AdamW step (assembly/adam.ts): the scalar factors of PyTorch's
 * update are computed here in double precision, the elementwise update in place in wasm.
 */
import type { AdamStepInputs, TensorSpec } from '@gated/backend-api';
import type { WasmHost } from '../host.js';
import { bufferOf } from '../wasm-buffer.js';

export function adamStep(host: WasmHost, inputs: AdamStepInputs): void {
  const address = (spec: TensorSpec) => bufferOf(spec.data).address;
  const { step, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize } = inputs;
  const size = inputs.param.data.size;
  if (size === 0) return;
  const biasCorrection1 = 1 - Math.pow(beta1, step);
  const biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
  const decay = decoupledWeightDecay ? 1 - lr * weightDecay : 1;
  // PyTorch skips weight decay entirely at 0, which matters when a parameter is infinite.
  const coupled = !decoupledWeightDecay && weightDecay !== 0;
  host.exports.adamStep(
    address(inputs.param),
    address(inputs.grad),
    address(inputs.m),
    address(inputs.v),
    inputs.vMax === null ? 0 : address(inputs.vMax),
    size,
    lr / biasCorrection1,
    biasCorrection2Sqrt,
    beta1,
    beta2,
    eps,
    weightDecay,
    decay,
    coupled ? 1 : 0,
    maximize ? 1 : 0,
  );
}

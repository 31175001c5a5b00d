/**
 * The composites of the GRU sequence ops: what `gruSequence` and `gruSequenceBackward` run on a
 * backend without the fused kernels, and the definition those kernels are checked against.
 * Per step one recurrent matmul and the gate arithmetic of public ops (forward), or the gate
 * gradients and one matmul back through `W_hh` (backward); `dW_hh` and `db_hn` are one matmul and
 * one sum over all steps. Steps come from one `unbind` per tensor and padded steps are selected
 * away (sequence-steps.ts), as in the LSTM's composites.
 *
 * Backward, for one active step with total gradient dh of h' (the output's and the recurrent):
 *
 * ```
 * dn = dh ⊙ (1 − z)          dn_pre = dn ⊙ (1 − n²)        dz_pre = dh ⊙ (h − n) ⊙ z(1 − z)
 * dr_pre = dn_pre ⊙ hn ⊙ r(1 − r)                            (hn = h W_hnᵀ + b_hn, saved as hiddenN)
 * d inputGates = [dr_pre, dz_pre, dn_pre]     d (h W_hhᵀ + b_hh) = [dr_pre, dz_pre, dn_pre ⊙ r]
 * dh_prev = dh ⊙ z + d(h W_hhᵀ) · W_hh
 * ```
 */
import type { SequenceDims } from '@gated/backend-api';
import { sequenceDims } from '@gated/backend-api';
import { fillOn } from '../creation.js';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { add, mul, sub } from './binary.js';
import { clone } from './clone.js';
import { concat, stack } from './concat.js';
import {
  checkGruBackward,
  checkGruForward,
  type GruSequenceArgs,
  type GruSequenceBackwardArgs,
  type GruSequenceBackwardResult,
  type GruSequenceResult,
} from './gru-sequence-args.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { reshape } from './reshape.js';
import { narrow } from './slice.js';
import { noSteps, previousTime, stepMasks, stepTime } from './sequence-steps.js';
import { split, unbind } from './split.js';
import { sigmoid, tanh } from './unary.js';
import { where } from './where.js';

/** One GRU step: the new state, its activated gates [r, z, n] and hn = h W_hnᵀ + b_hn. */
function gruStep(input: Tensor, h: Tensor, weightHh: Tensor, biasHn: Tensor | null) {
  const [xr, xz, xn] = split(input, 3, 1);
  const [hr, hz, hnRaw] = split(matmul(h, weightHh, { transposeB: true }), 3, 1);
  const r = sigmoid(add(xr!, hr!));
  const z = sigmoid(add(xz!, hz!));
  const hn = biasHn ? add(hnRaw!, biasHn) : hnRaw!;
  const n = tanh(add(xn!, mul(r, hn)));
  // h' = (1 − z) ⊙ n + z ⊙ h, written with one product.
  return { h: add(n, mul(z, sub(h, n))), gates: concat([r, z, n], 1), hn };
}

/** The forward loop; in inference mode `gates` and `hiddenN` are not kept (null). @internal */
export function compositeGru(args: GruSequenceArgs, dims: SequenceDims, inference: boolean): GruSequenceResult {
  const { inputGates, weightHh, h0 } = args;
  const biasHn = args.biasHn ?? null;
  const { steps, batch, hidden } = dims;
  const reverse = args.reverse ?? false;
  const backend = inputGates.backend;
  if (steps === 0) {
    const empty = (width: number) => (inference ? null : noSteps(backend, batch, width));
    return { output: noSteps(backend, batch, hidden), h: clone(h0), gates: empty(3 * hidden), hiddenN: empty(hidden) };
  }
  const masks = stepMasks(args.lengths ?? null, steps, batch);
  const stepInputs = unbind(inputGates);
  const outputs = new Array<Tensor>(steps);
  const gates = new Array<Tensor>(steps);
  const hiddenN = new Array<Tensor>(steps);
  let h = h0;
  for (let s = 0; s < steps; s++) {
    const t = stepTime(s, steps, reverse);
    const mask = masks?.[t];
    // A padded step's inputs are replaced before any arithmetic reads them (sequence-steps.ts).
    const step = gruStep(mask ? where(mask, stepInputs[t]!, 0) : stepInputs[t]!, h, weightHh, biasHn);
    if (mask) {
      outputs[t] = where(mask, step.h, 0);
      if (!inference) {
        gates[t] = where(mask, step.gates, 0);
        hiddenN[t] = where(mask, step.hn, 0);
      }
      h = where(mask, step.h, h);
    } else {
      outputs[t] = step.h;
      gates[t] = step.gates;
      hiddenN[t] = step.hn;
      h = step.h;
    }
  }
  return {
    output: stack(outputs, 0),
    h,
    gates: inference ? null : stack(gates, 0),
    hiddenN: inference ? null : stack(hiddenN, 0),
  };
}

/**
 * The composite form of {@link gruSequence}: one recurrent matmul and the gate arithmetic per
 * step, with `where` masks for `lengths`. What `gruSequence` runs on a backend without the fused
 * kernel, exported so fused kernels can be checked against it; called directly, its ops are
 * recorded one by one, and it always returns `gates` and `hiddenN`.
 *
 * @example
 * ```ts
 * const reference = gruSequenceComposite({ inputGates, weightHh, biasHn, h0 });
 * ```
 */
export function gruSequenceComposite(args: GruSequenceArgs): GruSequenceResult {
  checkGruForward(args);
  const dims = sequenceDims(args);
  return ENGINE.tidy(() => compositeGru(args, dims, false));
}

/** The backward loop (backpropagation through time, equations in the file comment). @internal */
export function compositeGruBackward(args: GruSequenceBackwardArgs, dims: SequenceDims): GruSequenceBackwardResult {
  const { forward } = args;
  const { weightHh, h0 } = forward;
  const { steps, batch, hidden } = dims;
  const reverse = forward.reverse ?? false;
  const backend = h0.backend;
  if (steps === 0) {
    return {
      dInputGates: noSteps(backend, batch, 3 * hidden),
      dWeightHh: fillOn(backend, [3 * hidden, hidden], 0, 'float32'),
      dBiasHn: fillOn(backend, [hidden], 0, 'float32'),
      dh0: clone(args.dh),
    };
  }
  const masks = stepMasks(forward.lengths ?? null, steps, batch);
  const [outputs, gates, hiddenN, dOutputs] = [args.output, args.gates, args.hiddenN, args.dOutput].map((x) => unbind(x)) as [
    Tensor[],
    Tensor[],
    Tensor[],
    Tensor[],
  ];
  const dInput = new Array<Tensor>(steps);
  const dHidden = new Array<Tensor>(steps);
  const hPrev = new Array<Tensor>(steps);
  let dh = args.dh;
  for (let s = steps - 1; s >= 0; s--) {
    const t = stepTime(s, steps, reverse);
    const prev = previousTime(t, reverse);
    const hasPrev = prev >= 0 && prev < steps;
    const mask = masks?.[t];
    let hBefore = hasPrev ? outputs[prev]! : h0;
    const previousMask = hasPrev ? masks?.[prev] : undefined;
    // A sequence whose previous step is past its length started this step from h0.
    if (previousMask) hBefore = where(previousMask, hBefore, h0);
    const [r, z, n] = split(gates[t]!, 3, 1);
    const dhTotal = add(dh, dOutputs[t]!);
    const dnPre = mul(mul(dhTotal, sub(1, z!)), sub(1, mul(n!, n!)));
    const dzPre = mul(mul(dhTotal, sub(hBefore, n!)), mul(z!, sub(1, z!)));
    const drPre = mul(mul(dnPre, hiddenN[t]!), mul(r!, sub(1, r!)));
    let dig = concat([drPre, dzPre, dnPre], 1);
    let dgh = concat([drPre, dzPre, mul(dnPre, r!)], 1);
    const dhPrev = add(mul(dhTotal, z!), matmul(dgh, weightHh));
    if (mask) {
      dig = where(mask, dig, 0);
      dgh = where(mask, dgh, 0);
      dh = where(mask, dhPrev, dh);
    } else {
      dh = dhPrev;
    }
    dInput[t] = dig;
    dHidden[t] = dgh;
    hPrev[t] = hBefore;
  }
  const rows = steps * batch;
  const dRecurrent = stack(dHidden, 0);
  return {
    dInputGates: stack(dInput, 0),
    dWeightHh: matmul(reshape(dRecurrent, [rows, 3 * hidden]), reshape(stack(hPrev, 0), [rows, hidden]), { transposeA: true }),
    dBiasHn: sum(narrow(dRecurrent, 2, 2 * hidden, hidden), [0, 1]),
    dh0: dh === args.dh ? clone(dh) : dh,
  };
}

/**
 * The composite form of {@link gruSequenceBackward}, exported to check fused kernels against.
 *
 * @example
 * ```ts
 * const grads = gruSequenceBackwardComposite({ forward: args, output, gates, hiddenN, dOutput, dh });
 * ```
 */
export function gruSequenceBackwardComposite(args: GruSequenceBackwardArgs): GruSequenceBackwardResult {
  checkGruBackward(args);
  const dims = sequenceDims(args.forward);
  return ENGINE.tidy(() => compositeGruBackward(args, dims));
}

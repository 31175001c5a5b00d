/**
 * A whole single-direction GRU layer over a sequence, as one op (contract v1.1): the backend's
 * `gruSequence` / `gruSequenceBackward` kernels run the loop when `caps.fused.gruSequence` says
 * so; otherwise the composites of gru-sequence-composite.ts run it step by step with public
 * ops. Like `lstmSequence`: one recorded op (autograd stays linear in T), inference mode when no
 * gradient will be recorded, and padded steps never read.
 *
 * PyTorch's equations, gate order r, z, n (backend-api's fused-sequence.ts):
 * `r = σ(x_r + h W_hrᵀ)`, `z = σ(x_z + h W_hzᵀ)`, `n = tanh(x_n + r ⊙ (h W_hnᵀ + b_hn))`,
 * `h' = (1 − z) ⊙ n + z ⊙ h`, where `x` (`inputGates`) already holds `b_ih` and `b_hr`, `b_hz`.
 */
import { sequenceDims } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { detachOutput, useFusedKernel, wrapFused, type FusedOptions, type SequenceOptions } from './fused.js';
import {
  checkGruBackward,
  checkGruForward,
  type GruSequenceArgs,
  type GruSequenceBackwardArgs,
  type GruSequenceBackwardResult,
  type GruSequenceResult,
} from './gru-sequence-args.js';
import { compositeGru, compositeGruBackward } from './gru-sequence-composite.js';

export type { GruSequenceArgs, GruSequenceBackwardArgs, GruSequenceBackwardResult, GruSequenceResult };

/** The recorded inputs, in the order `GruSequenceOpAttrs` documents. */
function forwardInputs(args: GruSequenceArgs): Tensor[] {
  const inputs = [args.inputGates, args.weightHh, args.h0];
  if (args.biasHn) inputs.push(args.biasHn);
  if (args.lengths) inputs.push(args.lengths);
  return inputs;
}

/** Specs back by name, in `forwardInputs`' order. */
function forwardSpecs<S>(args: GruSequenceArgs, specs: readonly S[]) {
  const [inputGates, weightHh, h0, ...rest] = specs;
  const biasHn = args.biasHn ? rest.shift()! : null;
  const lengths = args.lengths ? rest.shift()! : null;
  return { inputGates: inputGates!, weightHh: weightHh!, h0: h0!, biasHn, lengths };
}

/**
 * Runs a whole single-direction GRU layer over `inputGates` [T, B, 3H] from `h0` [B, H]. One op
 * for autograd; its gradient calls {@link gruSequenceBackward}.
 *
 * @example
 * ```ts
 * // bias: b_ih plus b_hr and b_hz; b_hn stays apart (the reset gate multiplies it)
 * const inputGates = reshape(add(matmul(reshape(x, [T * B, I]), wIh, { transposeB: true }), bias), [T, B, 3 * H]);
 * const { output, h } = gruSequence({ inputGates, weightHh: wHh, biasHn, h0 });
 * ```
 */
export function gruSequence(args: GruSequenceArgs, options: SequenceOptions = {}): GruSequenceResult {
  const bound = checkGruForward(args);
  const reverse = args.reverse ?? false;
  const fused = options.fused ?? true;
  const inputs = forwardInputs(args);
  const inference = !(options.returnGates ?? false) && !ENGINE.wouldRecord(inputs);
  const out = ENGINE.runOp('gruSequence', inputs, { reverse, fused, withBias: args.biasHn != null }, () => {
    const backend = args.inputGates.backend;
    if (!useFusedKernel(backend, options, 'gruSequence')) return compositeGru(args, sequenceDims(args), inference);
    return ENGINE.withSpecs(inputs, (specs) => {
      const handles = backend.gruSequence!({ ...forwardSpecs(args, specs), reverse, inference });
      return wrapFused('gruSequence', backend, handles, bound, inference ? ['gates', 'hiddenN'] : []);
    });
  });
  return {
    output: out.output,
    h: out.h,
    gates: out.gates && detachOutput(out.gates),
    hiddenN: out.hiddenN && detachOutput(out.hiddenN),
  };
}

/**
 * Backward of {@link gruSequence} (backpropagation through time): the gradients of the input
 * gates, the recurrent weights, `b_hn` and `h0`. Autograd calls it from `gruSequence`'s gradient
 * rule; a second-order gradient through it throws a `GatedError`.
 */
export function gruSequenceBackward(args: GruSequenceBackwardArgs, options: FusedOptions = {}): GruSequenceBackwardResult {
  const bound = checkGruBackward(args);
  const { forward } = args;
  const reverse = forward.reverse ?? false;
  const fused = options.fused ?? true;
  const inputs = [args.output, args.gates, args.hiddenN, args.dOutput, args.dh, ...forwardInputs(forward)];
  return ENGINE.runOp('gruSequenceBackward', inputs, { reverse, fused, withBias: forward.biasHn != null }, () => {
    const backend = forward.inputGates.backend;
    if (!useFusedKernel(backend, options, 'gruSequence')) return compositeGruBackward(args, sequenceDims(forward));
    return ENGINE.withSpecs(inputs, (specs) => {
      const [output, gates, hiddenN, dOutput, dh, ...rest] = specs;
      const handles = backend.gruSequenceBackward!({
        forward: { ...forwardSpecs(forward, rest), reverse },
        output: output!,
        gates: gates!,
        hiddenN: hiddenN!,
        dOutput: dOutput!,
        dh: dh!,
      });
      return wrapFused('gruSequenceBackward', backend, handles, bound);
    });
  });
}

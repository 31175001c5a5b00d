/**
 * A whole single-direction LSTM layer over a sequence, as one op: the backend's `lstmSequence` /
 * `lstmSequenceBackward` kernels run the loop themselves (no readback, one dispatch chain on a
 * GPU) when `caps.fused.lstmSequence` says so (and, with a projection `weightHr`,
 * `caps.fused.lstmProjection`); otherwise the composites of lstm-sequence-composite.ts run it
 * step by step with public ops.
 *
 * Recording the whole loop as one op keeps autograd's bookkeeping linear in the sequence length:
 * the per-step gradients of the input projection are stacked once, instead of each step's slice
 * being padded back to the full [T, B, 4H] and accumulated.
 *
 * Inference mode: when the call will not be recorded for autodiff (no input requires a gradient,
 * or gradients are off, as inside `noGrad`) and `returnGates` is not set, the kernel is told so
 * and keeps only one step's gates and cell states; `gates` and `cells` are then null.
 *
 * Variable lengths follow the contract (backend-api's fused-sequence.ts): a padded step is never
 * read, its outputs are 0 and the state carries over it.
 */
import { sequenceDims } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { detachOutput, useFusedKernel, wrapFused, type FusedOptions, type SequenceOptions } from './fused.js';
import {
  checkLstmBackward,
  checkLstmForward,
  type LstmSequenceArgs,
  type LstmSequenceBackwardArgs,
  type LstmSequenceBackwardResult,
  type LstmSequenceResult,
} from './lstm-sequence-args.js';
import { compositeSequence, compositeSequenceBackward } from './lstm-sequence-composite.js';

export type { LstmSequenceArgs, LstmSequenceBackwardArgs, LstmSequenceBackwardResult, LstmSequenceResult };

/** The recorded inputs, in the order `LstmSequenceOpAttrs` documents. */
function forwardInputs(args: LstmSequenceArgs): Tensor[] {
  const inputs = [args.inputGates, args.weightHh, args.h0, args.c0];
  if (args.weightHr) inputs.push(args.weightHr);
  if (args.lengths) inputs.push(args.lengths);
  return inputs;
}

/** Specs back by name, in `forwardInputs`' order. */
function forwardSpecs<S>(args: LstmSequenceArgs, specs: readonly S[]) {
  const [inputGates, weightHh, h0, c0, ...rest] = specs;
  const weightHr = args.weightHr ? rest.shift()! : null;
  const lengths = args.lengths ? rest.shift()! : null;
  return { inputGates: inputGates!, weightHh: weightHh!, h0: h0!, c0: c0!, weightHr, lengths };
}

/**
 * Runs a whole single-direction LSTM layer: for each step t (from T-1 down when `reverse`),
 * `m, c = lstmCell(inputGates[t], h · weightHhᵀ, c)`, then `h = m · weightHrᵀ` with a projection
 * (else `h = m`), masked by `lengths`. One op for autograd; its gradient calls
 * {@link lstmSequenceBackward}.
 *
 * @example
 * ```ts
 * const inputGates = reshape(add(matmul(reshape(x, [T * B, I]), wIh, { transposeB: true }), bias), [T, B, 4 * H]);
 * const { output, h, c } = lstmSequence({ inputGates, weightHh: wHh, h0, c0 });
 * ```
 */
export function lstmSequence(args: LstmSequenceArgs, options: SequenceOptions = {}): LstmSequenceResult {
  const bound = checkLstmForward(args);
  const reverse = args.reverse ?? false;
  const fused = options.fused ?? true;
  const projected = args.weightHr != null;
  const inputs = forwardInputs(args);
  const inference = !(options.returnGates ?? false) && !ENGINE.wouldRecord(inputs);
  const out = ENGINE.runOp('lstmSequence', inputs, { reverse, fused, projected }, () => {
    const backend = args.inputGates.backend;
    if (!useFusedKernel(backend, options, projected ? 'lstmProjection' : 'lstmSequence')) {
      return compositeSequence(args, sequenceDims(args), options, inference);
    }
    return ENGINE.withSpecs(inputs, (specs) => {
      const handles = backend.lstmSequence!({ ...forwardSpecs(args, specs), reverse, inference });
      return wrapFused('lstmSequence', backend, handles, bound, inference ? ['gates', 'cells'] : []);
    });
  });
  return {
    output: out.output,
    h: out.h,
    c: out.c,
    gates: out.gates && detachOutput(out.gates),
    cells: out.cells && detachOutput(out.cells),
  };
}

/**
 * Backward of {@link lstmSequence} (backpropagation through time): from the gradients of every
 * step's output and of the final states, the gradients of the input projection, the recurrent
 * weights, the projection and the initial states. Autograd calls it from `lstmSequence`'s
 * gradient rule. It has no gradient of its own: a second-order gradient through it throws a
 * `GatedError`.
 */
export function lstmSequenceBackward(args: LstmSequenceBackwardArgs, options: FusedOptions = {}): LstmSequenceBackwardResult {
  const bound = checkLstmBackward(args);
  const { forward } = args;
  const reverse = forward.reverse ?? false;
  const fused = options.fused ?? true;
  const projected = forward.weightHr != null;
  const inputs = [args.output, args.gates, args.cells, args.dOutput, args.dh, args.dc, ...forwardInputs(forward)];
  return ENGINE.runOp('lstmSequenceBackward', inputs, { reverse, fused, projected }, () => {
    const backend = forward.inputGates.backend;
    if (!useFusedKernel(backend, options, projected ? 'lstmProjection' : 'lstmSequence')) {
      return compositeSequenceBackward(args, sequenceDims(forward), options);
    }
    return ENGINE.withSpecs(inputs, (specs) => {
      const [output, gates, cells, dOutput, dh, dc, ...rest] = specs;
      const handles = backend.lstmSequenceBackward!({
        forward: { ...forwardSpecs(forward, rest), reverse },
        output: output!,
        gates: gates!,
        cells: cells!,
        dOutput: dOutput!,
        dh: dh!,
        dc: dc!,
      });
      return wrapFused('lstmSequenceBackward', backend, handles, bound);
    });
  });
}

/**
 * The composites of the LSTM sequence ops: what `lstmSequence` and `lstmSequenceBackward` run on
 * a backend without the fused kernels, and the definition those kernels are checked against.
 *
 * Forward: per step one recurrent matmul, one {@link lstmCell} (itself fused when the backend has
 * the cell kernel) and, with a projection, one matmul by `W_hr`. Backward: per step one
 * {@link lstmCellBackward} and the matmuls back through `W_hr` and `W_hh`; the weights' gradients
 * are one matmul each over all steps at the end. Steps are taken with one `unbind` per tensor
 * (sequence-steps.ts), so the composite called directly (and so differentiated op by op) stays
 * linear in T; padded steps are selected away, never multiplied by a mask.
 */
import { checkOptions, sequenceDims, type LstmSequenceBackwardOutputs, type SequenceDims } from '@gated/backend-api';
import { fillOn } from '../creation.js';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { add, mul } from './binary.js';
import { clone } from './clone.js';
import { stack } from './concat.js';
import type { FusedOptions } from './fused.js';
import { lstmCell, lstmCellBackward } from './lstm-cell.js';
import {
  checkLstmBackward,
  checkLstmForward,
  type LstmSequenceArgs,
  type LstmSequenceBackwardArgs,
  type LstmSequenceBackwardResult,
  type LstmSequenceResult,
} from './lstm-sequence-args.js';
import { matmul } from './matmul.js';
import { reshape } from './reshape.js';
import { narrow } from './slice.js';
import { noSteps, previousTime, stepMasks, stepTime } from './sequence-steps.js';
import { unbind } from './split.js';
import { tanh } from './unary.js';
import { where } from './where.js';

/**
 * The forward loop. In inference mode the per-step gates and cells are not kept (null), as a
 * fused kernel in inference mode does not keep them.
 * @internal
 */
export function compositeSequence(
  args: LstmSequenceArgs,
  dims: SequenceDims,
  options: FusedOptions,
  inference: boolean,
): LstmSequenceResult {
  const { inputGates, weightHh, h0, c0 } = args;
  const weightHr = args.weightHr ?? null;
  const { steps, batch, hidden, proj } = dims;
  const reverse = args.reverse ?? false;
  const backend = inputGates.backend;
  if (steps === 0) {
    const empty = (width: number) => (inference ? null : noSteps(backend, batch, width));
    return { output: noSteps(backend, batch, proj), h: clone(h0), c: clone(c0), gates: empty(4 * hidden), cells: empty(hidden) };
  }
  const masks = stepMasks(args.lengths ?? null, steps, batch);
  const stepInputs = unbind(inputGates);
  const outputs = new Array<Tensor>(steps);
  const gates = new Array<Tensor>(steps);
  const cells = new Array<Tensor>(steps);
  let h = h0;
  let c = c0;
  for (let s = 0; s < steps; s++) {
    const t = stepTime(s, steps, reverse);
    const mask = masks?.[t];
    // A padded step's inputs are replaced before the cell reads them (see sequence-steps.ts).
    const input = mask ? where(mask, stepInputs[t]!, 0) : stepInputs[t]!;
    const cell = lstmCell(input, matmul(h, weightHh, { transposeB: true }), c, options);
    const next = weightHr ? matmul(cell.h, weightHr, { transposeB: true }) : cell.h;
    if (mask) {
      outputs[t] = where(mask, next, 0);
      if (!inference) {
        gates[t] = where(mask, cell.gates, 0);
        cells[t] = where(mask, cell.c, 0);
      }
      h = where(mask, next, h);
      c = where(mask, cell.c, c);
    } else {
      outputs[t] = next;
      gates[t] = cell.gates;
      cells[t] = cell.c;
      h = next;
      c = cell.c;
    }
  }
  return {
    output: stack(outputs, 0),
    h,
    c,
    gates: inference ? null : stack(gates, 0),
    cells: inference ? null : stack(cells, 0),
  };
}

/**
 * The composite form of {@link lstmSequence}: a loop of one recurrent matmul, one
 * {@link lstmCell} and (with `weightHr`) one projection matmul per step, with `where` masks for
 * `lengths`. What `lstmSequence` runs on a backend without the fused sequence kernel, exported so
 * fused kernels can be checked against it. Called directly, its ops are recorded one by one
 * (autograd differentiates it by composition); it always returns `gates` and `cells`.
 *
 * @example
 * ```ts
 * const reference = lstmSequenceComposite({ inputGates, weightHh, h0, c0, weightHr });
 * ```
 */
export function lstmSequenceComposite(args: LstmSequenceArgs, options: FusedOptions = {}): LstmSequenceResult {
  checkOptions('lstmSequence', options);
  checkLstmForward(args);
  const dims = sequenceDims(args);
  return ENGINE.tidy(() => compositeSequence(args, dims, options, false));
}

/** The backward loop (backpropagation through time). @internal */
export function compositeSequenceBackward(
  args: LstmSequenceBackwardArgs,
  dims: SequenceDims,
  options: FusedOptions,
): LstmSequenceBackwardResult {
  const { forward, dOutput } = args;
  const { weightHh, h0, c0 } = forward;
  const weightHr = forward.weightHr ?? null;
  const { steps, batch, hidden, proj } = dims;
  const reverse = forward.reverse ?? false;
  const backend = h0.backend;
  if (steps === 0) {
    const grads: LstmSequenceBackwardOutputs<Tensor> = {
      dInputGates: noSteps(backend, batch, 4 * hidden),
      dWeightHh: fillOn(backend, [4 * hidden, proj], 0, 'float32'),
      dh0: clone(args.dh),
      dc0: clone(args.dc),
    };
    return weightHr ? { ...grads, dWeightHr: fillOn(backend, [proj, hidden], 0, 'float32') } : grads;
  }
  const masks = stepMasks(forward.lengths ?? null, steps, batch);
  const [outputs, gates, cells, dOutputs] = [args.output, args.gates, args.cells, dOutput].map((x) => unbind(x)) as [
    Tensor[],
    Tensor[],
    Tensor[],
    Tensor[],
  ];
  const dPre = new Array<Tensor>(steps);
  const hPrev = new Array<Tensor>(steps);
  // With a projection: each step's total dh (0 where padded) and m = o ⊙ tanh(c), for dW_hr.
  const dProjected = new Array<Tensor>(steps);
  const unprojected = new Array<Tensor>(steps);
  let dh = args.dh;
  let dc = args.dc;
  for (let s = steps - 1; s >= 0; s--) {
    const t = stepTime(s, steps, reverse);
    const prev = previousTime(t, reverse);
    const hasPrev = prev >= 0 && prev < steps;
    const mask = masks?.[t];
    let cPrev = hasPrev ? cells[prev]! : c0;
    let hBefore = hasPrev ? outputs[prev]! : h0;
    const previousMask = hasPrev ? masks?.[prev] : undefined;
    if (previousMask) {
      // A sequence whose previous step is past its length started this step from h0, c0.
      cPrev = where(previousMask, cPrev, c0);
      hBefore = where(previousMask, hBefore, h0);
    }
    const dhTotal = add(dh, dOutputs[t]!);
    const dm = weightHr ? matmul(dhTotal, weightHr) : dhTotal;
    const cell = lstmCellBackward({ dh: dm, dc, c: cPrev, cNew: cells[t]!, gates: gates[t]! }, options);
    let dGates = cell.dGates;
    if (mask) {
      dGates = where(mask, cell.dGates, 0);
      dc = where(mask, cell.dc, dc);
      dh = where(mask, matmul(dGates, weightHh), dh);
    } else {
      dc = cell.dc;
      dh = matmul(dGates, weightHh);
    }
    if (weightHr) {
      dProjected[t] = mask ? where(mask, dhTotal, 0) : dhTotal;
      // Padded steps' gates and cells are 0, so their m is 0.
      unprojected[t] = mul(narrow(gates[t]!, 1, 3 * hidden, hidden), tanh(cells[t]!));
    }
    dPre[t] = dGates;
    hPrev[t] = hBefore;
  }
  const rows = steps * batch;
  const dInputGates = stack(dPre, 0);
  const dWeightHh = matmul(reshape(dInputGates, [rows, 4 * hidden]), reshape(stack(hPrev, 0), [rows, proj]), { transposeA: true });
  const grads: LstmSequenceBackwardOutputs<Tensor> = {
    dInputGates,
    dWeightHh,
    dh0: dh === args.dh ? clone(dh) : dh,
    dc0: dc === args.dc ? clone(dc) : dc,
  };
  if (!weightHr) return grads;
  const dWeightHr = matmul(reshape(stack(dProjected, 0), [rows, proj]), reshape(stack(unprojected, 0), [rows, hidden]), {
    transposeA: true,
  });
  return { ...grads, dWeightHr };
}

/**
 * The composite form of {@link lstmSequenceBackward}: backpropagation through time with one
 * {@link lstmCellBackward} and one or two matmuls per step, and one matmul for each weight's
 * gradient at the end. Exported to check fused kernels against.
 *
 * @example
 * ```ts
 * const grads = lstmSequenceBackwardComposite({ forward: args, output, gates, cells, dOutput, dh, dc });
 * ```
 */
export function lstmSequenceBackwardComposite(args: LstmSequenceBackwardArgs, options: FusedOptions = {}): LstmSequenceBackwardResult {
  checkOptions('lstmSequenceBackward', options);
  checkLstmBackward(args);
  const dims = sequenceDims(args.forward);
  return ENGINE.tidy(() => compositeSequenceBackward(args, dims, options));
}

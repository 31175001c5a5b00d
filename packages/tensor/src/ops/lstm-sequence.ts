/**
 * A whole single-direction LSTM layer over a sequence, as one op: the backend's `lstmSequence` /
 * `lstmSequenceBackward` kernels run the loop themselves (no readback, one dispatch chain on a
 * GPU) when `caps.fused.lstmSequence` says so; otherwise {@link lstmSequenceComposite} runs it
 * step by step, each step one recurrent matmul and one {@link lstmCell} (itself fused when the
 * backend has the cell kernel), and {@link lstmSequenceBackwardComposite} runs backpropagation
 * through time with one {@link lstmCellBackward} and one matmul per step.
 *
 * Recording the whole loop as one op keeps autograd's bookkeeping linear in the sequence length:
 * the per-step gradients of the input projection are stacked once, instead of each step's slice
 * being padded back to the full [T, B, 4H] and accumulated.
 *
 * Variable lengths follow the contract: sequence b is active at step t when `t < lengths[b]`; an
 * inactive step carries the state unchanged and writes zeros to `output`, `gates` and `cells`,
 * so the reverse direction starts each sequence from h0, c0 at its own last real step (PyTorch's
 * packed sequences).
 */
import {
  sequenceDims,
  type BoundDims,
  type LstmSequenceBackwardInputs,
  type LstmSequenceBackwardOutputs,
  type LstmSequenceInputs,
  type LstmSequenceOutputs,
  type SequenceDims,
} from '@gated/backend-api';
import { fillOn, upload } from '../creation.js';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { add, less } from './binary.js';
import { clone } from './clone.js';
import { stack } from './concat.js';
import { checkFused, detachOutput, useFusedKernel, wrapFused, type FusedOptions } from './fused.js';
import { lstmCell, lstmCellBackward } from './lstm-cell.js';
import { matmul } from './matmul.js';
import { reshape } from './reshape.js';
import { slice } from './slice.js';
import { where } from './where.js';

/**
 * Inputs of {@link lstmSequence}, named as in the Backend contract; `lengths` (int32 [B], each in
 * [1, T]) may be omitted when every sequence has length T, and `reverse` defaults to false. The
 * lengths are not read back to be checked here (that would stall a GPU): backends that can check
 * cheaply do, and `@gated/lstm` checks the host lengths it is given.
 */
export type LstmSequenceArgs = Omit<LstmSequenceInputs<Tensor>, 'lengths' | 'reverse'> & {
  readonly lengths?: Tensor | null;
  readonly reverse?: boolean;
};

/**
 * What {@link lstmSequence} returns: `output` [T, B, H], the final `h` and `c` [B, H], and the
 * per-step `gates` [T, B, 4H] and `cells` [T, B, H] (0 at inactive steps), which are detached
 * like `lstmCell`'s gates: for inspection and for backward.
 */
export type LstmSequenceResult = LstmSequenceOutputs<Tensor>;

/** Inputs of {@link lstmSequenceBackward}: the forward call's inputs and outputs, and the gradients. */
export type LstmSequenceBackwardArgs = LstmSequenceBackwardInputs<Tensor, LstmSequenceArgs>;

/** What {@link lstmSequenceBackward} returns. */
export type LstmSequenceBackwardResult = LstmSequenceBackwardOutputs<Tensor>;

function checkForward(args: LstmSequenceArgs): BoundDims {
  const { inputGates, weightHh, h0, c0, lengths } = args;
  return checkFused('lstmSequence', { inputGates, weightHh, h0, c0, lengths });
}

function checkBackward(args: LstmSequenceBackwardArgs): BoundDims {
  const { inputGates, weightHh, h0, c0, lengths } = args.forward;
  const { output, gates, cells, dOutput, dh, dc } = args;
  return checkFused('lstmSequenceBackward', { inputGates, weightHh, h0, c0, lengths, output, gates, cells, dOutput, dh, dc });
}

function forwardInputs(args: LstmSequenceArgs): Tensor[] {
  const inputs = [args.inputGates, args.weightHh, args.h0, args.c0];
  if (args.lengths) inputs.push(args.lengths);
  return inputs;
}

/**
 * Runs a whole single-direction LSTM layer: for each step t (from T-1 down when `reverse`),
 * `h, c = lstmCell(inputGates[t], h · weightHhᵀ, c)`, masked by `lengths`. One op for autograd;
 * its gradient calls {@link lstmSequenceBackward}.
 *
 * @example
 * ```ts
 * const inputGates = reshape(add(matmul(reshape(x, [T * B, I]), wIh, { transposeB: true }), bias), [T, B, 4 * H]);
 * const { output, h, c } = lstmSequence({ inputGates, weightHh: wHh, h0, c0 });
 * ```
 */
export function lstmSequence(args: LstmSequenceArgs, options: FusedOptions = {}): LstmSequenceResult {
  const bound = checkForward(args);
  const reverse = args.reverse ?? false;
  const fused = options.fused ?? true;
  const out = ENGINE.runOp('lstmSequence', forwardInputs(args), { reverse, fused }, () => {
    const backend = args.inputGates.backend;
    if (!useFusedKernel(backend, options, 'lstmSequence')) return compositeSequence(args, sequenceDims(args), options);
    return ENGINE.withSpecs(forwardInputs(args), ([inputGates, weightHh, h0, c0, lengths]) => {
      const handles = backend.lstmSequence!({
        inputGates: inputGates!,
        weightHh: weightHh!,
        h0: h0!,
        c0: c0!,
        lengths: lengths ?? null,
        reverse,
      });
      return wrapFused('lstmSequence', backend, handles, bound);
    });
  });
  return { output: out.output, h: out.h, c: out.c, gates: detachOutput(out.gates), cells: detachOutput(out.cells) };
}

/** bool [T, B]: whether sequence b is active at step t (`t < lengths[b]`). */
function activeMask(lengths: Tensor, steps: number, batch: number): Tensor {
  const positions = upload(lengths.backend, Int32Array.from({ length: steps }, (_, t) => t), [steps, 1], 'int32');
  return less(positions, reshape(lengths, [1, batch]));
}

/** Row t of a [T, ...rest] tensor, as a [...rest] view. */
function stepOf(x: Tensor, t: number): Tensor {
  const rest = x.shape.slice(1);
  return reshape(slice(x, [t], [1, ...rest]), rest);
}

/** bool [B, 1]: column t of the active mask, ready to broadcast over [B, H]. */
function maskAt(active: Tensor, t: number, batch: number): Tensor {
  return reshape(slice(active, [t, 0], [1, batch]), [batch, 1]);
}

function compositeSequence(args: LstmSequenceArgs, dims: SequenceDims, options: FusedOptions): LstmSequenceResult {
  const { inputGates, weightHh, h0, c0 } = args;
  const { steps, batch, hidden } = dims;
  const reverse = args.reverse ?? false;
  const lengths = args.lengths ?? null;
  if (steps === 0) {
    const empty = (width: number) => fillOn(inputGates.backend, [0, batch, width], 0, 'float32');
    return { output: empty(hidden), h: clone(h0), c: clone(c0), gates: empty(4 * hidden), cells: empty(hidden) };
  }
  const active = lengths ? activeMask(lengths, steps, batch) : null;
  const outputs = new Array<Tensor>(steps);
  const gates = new Array<Tensor>(steps);
  const cells = new Array<Tensor>(steps);
  let h = h0;
  let c = c0;
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    const cell = lstmCell(stepOf(inputGates, t), matmul(h, weightHh, { transposeB: true }), c, options);
    if (active) {
      const mask = maskAt(active, t, batch);
      outputs[t] = where(mask, cell.h, 0);
      gates[t] = where(mask, cell.gates, 0);
      cells[t] = where(mask, cell.c, 0);
      h = where(mask, cell.h, h);
      c = where(mask, cell.c, c);
    } else {
      outputs[t] = cell.h;
      gates[t] = cell.gates;
      cells[t] = cell.c;
      h = cell.h;
      c = cell.c;
    }
  }
  return { output: stack(outputs, 0), h, c, gates: stack(gates, 0), cells: stack(cells, 0) };
}

/**
 * The composite form of {@link lstmSequence}: a loop of one recurrent matmul and one
 * {@link lstmCell} per step, with `where` masks for `lengths`. What `lstmSequence` runs on a
 * backend without the fused sequence kernel, exported so fused kernels can be checked against it.
 * Called directly, its ops are recorded one by one (autograd differentiates it by composition).
 */
export function lstmSequenceComposite(args: LstmSequenceArgs, options: FusedOptions = {}): LstmSequenceResult {
  checkForward(args);
  const dims = sequenceDims(args);
  return ENGINE.tidy(() => compositeSequence(args, dims, options));
}

/**
 * Backward of {@link lstmSequence} (backpropagation through time): from the gradients of every
 * step's output and of the final states, the gradients of the input projection, the recurrent
 * weights and the initial states. Autograd calls it from `lstmSequence`'s gradient rule. It has
 * no gradient of its own: a second-order gradient through it throws a `GatedError`.
 */
export function lstmSequenceBackward(args: LstmSequenceBackwardArgs, options: FusedOptions = {}): LstmSequenceBackwardResult {
  const bound = checkBackward(args);
  const { forward } = args;
  const reverse = forward.reverse ?? false;
  const fused = options.fused ?? true;
  const inputs = [args.output, args.gates, args.cells, args.dOutput, args.dh, args.dc, ...forwardInputs(forward)];
  return ENGINE.runOp('lstmSequenceBackward', inputs, { reverse, fused }, () => {
    const backend = forward.inputGates.backend;
    if (!useFusedKernel(backend, options, 'lstmSequence')) return compositeSequenceBackward(args, sequenceDims(args.forward), options);
    return ENGINE.withSpecs(inputs, (specs) => {
      const [output, gates, cells, dOutput, dh, dc, inputGates, weightHh, h0, c0, lengths] = specs;
      const handles = backend.lstmSequenceBackward!({
        forward: { inputGates: inputGates!, weightHh: weightHh!, h0: h0!, c0: c0!, lengths: lengths ?? null, reverse },
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

function compositeSequenceBackward(args: LstmSequenceBackwardArgs, dims: SequenceDims, options: FusedOptions): LstmSequenceBackwardResult {
  const { forward, output, gates, cells, dOutput } = args;
  const { weightHh, h0, c0 } = forward;
  const { steps, batch, hidden } = dims;
  const reverse = forward.reverse ?? false;
  const lengths = forward.lengths ?? null;
  if (steps === 0) {
    return {
      dInputGates: fillOn(h0.backend, [0, batch, 4 * hidden], 0, 'float32'),
      dWeightHh: fillOn(h0.backend, [4 * hidden, hidden], 0, 'float32'),
      dh0: clone(args.dh),
      dc0: clone(args.dc),
    };
  }
  const active = lengths ? activeMask(lengths, steps, batch) : null;
  const dPre = new Array<Tensor>(steps);
  const hPrev = new Array<Tensor>(steps);
  let dh = args.dh;
  let dc = args.dc;
  for (let s = steps - 1; s >= 0; s--) {
    const t = reverse ? steps - 1 - s : s;
    const prev = reverse ? t + 1 : t - 1;
    const hasPrev = prev >= 0 && prev < steps;
    let cPrev = hasPrev ? stepOf(cells, prev) : c0;
    let hBefore = hasPrev ? stepOf(output, prev) : h0;
    if (active && hasPrev) {
      // A sequence whose previous step is past its length started this step from h0, c0.
      const previousActive = maskAt(active, prev, batch);
      cPrev = where(previousActive, cPrev, c0);
      hBefore = where(previousActive, hBefore, h0);
    }
    const cell = lstmCellBackward(
      { dh: add(dh, stepOf(dOutput, t)), dc, c: cPrev, cNew: stepOf(cells, t), gates: stepOf(gates, t) },
      options,
    );
    let dGates = cell.dGates;
    if (active) {
      const mask = maskAt(active, t, batch);
      dGates = where(mask, cell.dGates, 0);
      dc = where(mask, cell.dc, dc);
      dh = where(mask, matmul(dGates, weightHh), dh);
    } else {
      dc = cell.dc;
      dh = matmul(dGates, weightHh);
    }
    dPre[t] = dGates;
    hPrev[t] = hBefore;
  }
  const dInputGates = stack(dPre, 0);
  const dWeightHh = matmul(
    reshape(dInputGates, [steps * batch, 4 * hidden]),
    reshape(stack(hPrev, 0), [steps * batch, hidden]),
    { transposeA: true },
  );
  return {
    dInputGates,
    dWeightHh,
    dh0: dh === args.dh ? clone(dh) : dh,
    dc0: dc === args.dc ? clone(dc) : dc,
  };
}

/**
 * The composite form of {@link lstmSequenceBackward}: backpropagation through time with one
 * {@link lstmCellBackward} and one matmul per step, and one matmul for the recurrent weights'
 * gradient at the end. Exported to check fused kernels against.
 */
export function lstmSequenceBackwardComposite(
  args: LstmSequenceBackwardArgs,
  options: FusedOptions = {},
): LstmSequenceBackwardResult {
  checkBackward(args);
  const dims = sequenceDims(args.forward);
  return ENGINE.tidy(() => compositeSequenceBackward(args, dims, options));
}

/**
 * `lstmSequenceBackward` on the GPU, in one submission: steps u = 0…T-1 in reverse forward
 * order, each one dispatch (`fused`: dh = dGates(previous step)·W_hh fused with the cell's
 * backward; with a projection two: dh over the P units, then dm = dProj·W_hr and the cell) or two
 * (`split`), or the whole loop in one (`persistent`); one more step (u = T) turns the last dGates
 * into dh0. Then the h every step read is gathered (one dispatch) and dW_hh = dGatesᵀ·hPrev is
 * one GEMM over all steps; with a projection, m = o ⊙ tanh(c) of every step is rebuilt (one
 * dispatch) and dW_hr = dProjᵀ·m is one more GEMM.
 */
import type { LstmSequenceBackwardInputs, LstmSequenceBackwardOutputs } from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import type { GpuContext } from '../runtime/context.js';
import { lstmBackwardModel } from '../wgsl/lstm-sequence.js';
import { runElementwise } from './elementwise.js';
import { elementwiseKernel } from './layout.js';
import { planSequence } from './lstm-plan.js';
import { copyLengths, type SequenceBuffers } from './lstm-sequence.js';
import { recordMatmul } from './matmul.js';
import { recordRecurrent } from './recurrent.js';

/** The forward call's buffers and sizes, with the saved outputs and the incoming gradients. */
export type SequenceBackwardBuffers = SequenceBuffers & Omit<LstmSequenceBackwardInputs<WebGpuBuffer>, 'forward'>;

/** What {@link gatherPrevious} reads: a layer's outputs [T, B, W], its initial state [B, W] and lengths. */
export interface PreviousStates {
  readonly steps: number;
  readonly batch: number;
  readonly width: number;
  readonly reverse: boolean;
  readonly output: WebGpuBuffer;
  readonly h0: WebGpuBuffer;
  readonly lengths: WebGpuBuffer | null;
}

/** hPrev[t, b] = the h step t read (0 where the row is inactive): the right operand of dW_hh. */
export function gatherPrevious(ctx: GpuContext, op: string, x: PreviousStates): WebGpuBuffer {
  const withLengths = x.lengths !== null;
  const kernel = elementwiseKernel(
    `sequence/hPrev/${withLengths ? 'lengths' : 'full'}`,
    {
      scalars: [
        ['n', 'u32'],
        ['steps', 'u32'],
        ['batch', 'u32'],
        ['hidden', 'u32'],
        ['reverse', 'u32'],
      ],
    },
    () => ({
      inputs: [
        ['output', 'float32'],
        ['h0', 'float32'],
        ['lengths', 'int32'],
      ],
      output: 'float32',
      helpers: `fn is_active(t: i32, b: u32) -> bool {
  if (t < 0i || t >= i32(P.steps)) { return false; }
  ${withLengths ? 'return t < ld_lengths(b);' : 'return true;'}
}
`,
      body: `  let bh = P.batch * P.hidden;
  let t = i / bh;
  let b = (i % bh) / P.hidden;
  let j = i % P.hidden;
  if (!is_active(i32(t), b)) { return 0u; }
  let pt = select(i32(t) - 1i, i32(t) + 1i, P.reverse == 1u);
  if (is_active(pt, b)) { return output[(u32(pt) * P.batch + b) * P.hidden + j]; }
  return h0[b * P.hidden + j];`,
    }),
  );
  const hPrev = ctx.output(op, 'float32', x.steps * x.batch * x.width);
  runElementwise(ctx, op, kernel, [x.output, x.h0, x.lengths ?? x.h0], hPrev, {
    steps: x.steps,
    batch: x.batch,
    hidden: x.width,
    reverse: x.reverse ? 1 : 0,
  });
  return hPrev;
}

/** m[t, b, j] = o ⊙ tanh(c) of every step (0 at inactive steps, whose gates and cells are 0). */
function unprojected(ctx: GpuContext, op: string, gates: WebGpuBuffer, cells: WebGpuBuffer, hidden: number): WebGpuBuffer {
  const kernel = elementwiseKernel(
    'lstmSequenceBackward/m',
    {
      scalars: [
        ['n', 'u32'],
        ['hidden', 'u32'],
      ],
    },
    () => ({
      inputs: [
        ['gates', 'float32'],
        ['cells', 'float32'],
      ],
      output: 'float32',
      math: ['tanh'],
      body: `  let row = i / P.hidden;
  let o = ld_gates(row * 4u * P.hidden + 3u * P.hidden + i % P.hidden);
  return bitcast<u32>(o * f_tanh(ld_cells(i)));`,
    }),
  );
  const m = ctx.output(op, 'float32', cells.size);
  runElementwise(ctx, op, kernel, [gates, cells], m, { hidden });
  return m;
}

export function lstmSequenceBackward(ctx: GpuContext, x: SequenceBackwardBuffers): LstmSequenceBackwardOutputs<WebGpuBuffer> {
  const { steps, batch, hidden, proj } = x;
  const op = 'lstmSequenceBackward';
  const weightHr = x.weightHr ?? null;
  const bh = batch * hidden;
  const bp = batch * proj;
  const dInputGates = ctx.output(op, 'float32', 4 * steps * bh);
  const dWeightHh = ctx.output(op, 'float32', 4 * hidden * proj);
  const dh0 = ctx.output(op, 'float32', bp);
  const dc0 = ctx.output(op, 'float32', bh);
  const dWeightHr = weightHr ? ctx.output(op, 'float32', proj * hidden) : null;
  const result = { dInputGates, dWeightHh, dh0, dc0, ...(dWeightHr ? { dWeightHr } : {}) };
  if (bh === 0 || steps === 0) {
    ctx.recorder.copy(x.dh.gpu, 0, dh0.gpu, 0, bp * 4);
    ctx.recorder.copy(x.dc.gpu, 0, dc0.gpu, 0, bh * 4);
    for (const zero of [dWeightHh, dWeightHr]) if (zero) ctx.recorder.clear(zero.gpu, 0, zero.bindBytes);
    return result;
  }
  const projected = weightHr !== null;
  const plan = planSequence({ batch, hidden, k: 4 * hidden, proj, phases: projected ? 2 : 1 }, ctx.options.sequenceSchedule);
  const split = plan.schedule === 'split';
  const recorder = ctx.recorder;
  // [carried dh | running dc | c0 | lengths]
  const lengthsAt = bp + 2 * bh;
  const state = ctx.output(op, 'float32', lengthsAt + batch);
  recorder.copy(x.dh.gpu, 0, state.gpu, 0, bp * 4);
  recorder.copy(x.dc.gpu, 0, state.gpu, bp * 4, bh * 4);
  recorder.copy(x.c0.gpu, 0, state.gpu, (bp + bh) * 4, bh * 4);
  copyLengths(ctx, x.lengths, batch, state, lengthsAt);
  // [W_hh | W_hr] in one binding (a kernel binds at most 8 storage buffers).
  let weight = x.weightHh;
  if (weightHr) {
    weight = ctx.output(op, 'float32', 4 * hidden * proj + proj * hidden);
    recorder.copy(x.weightHh.gpu, 0, weight.gpu, 0, 4 * hidden * proj * 4);
    recorder.copy(weightHr.gpu, 0, weight.gpu, 4 * hidden * proj * 4, proj * hidden * 4);
  }
  const partial = split ? ctx.output(op, 'float32', plan.splits * bp) : null;
  const dProj = projected ? ctx.output(op, 'float32', steps * bp) : null;
  recordRecurrent(ctx, {
    op,
    model: lstmBackwardModel({ projected, inference: false, split }),
    plan,
    withLengths: x.lengths !== null,
    loops: steps + 1,
    sizes: { steps, batch, hidden, proj, reverse: x.reverse, lengthsAt, weightExtraAt: 4 * hidden * proj },
    buffers: {
      d_gates: dInputGates,
      weight,
      state,
      d_output: x.dOutput,
      cells: x.cells,
      gates: x.gates,
      ...(partial ? { partial } : {}),
      ...(dProj ? { d_proj: dProj } : {}),
    },
  });
  recorder.copy(state.gpu, 0, dh0.gpu, 0, bp * 4);
  recorder.copy(state.gpu, bp * 4, dc0.gpu, 0, bh * 4);
  ctx.release(state);
  if (partial) ctx.release(partial);
  if (weight !== x.weightHh) ctx.release(weight);
  const hPrev = gatherPrevious(ctx, op, { steps, batch, width: proj, reverse: x.reverse, output: x.output, h0: x.h0, lengths: x.lengths });
  // dW_hh[r, p] = Σ_(t, b) dGates[t, b, r] · hPrev[t, b, p]: [4H, T·B] × [T·B, P].
  recordMatmul(ctx, op, dInputGates, [], hPrev, [], dWeightHh, [], { m: 4 * hidden, n: proj, k: steps * batch }, true, false);
  ctx.release(hPrev);
  if (dProj && dWeightHr) {
    // dW_hr[p, j] = Σ_(t, b) dProj[t, b, p] · m[t, b, j]: [P, T·B] × [T·B, H].
    const m = unprojected(ctx, op, x.gates, x.cells, hidden);
    recordMatmul(ctx, op, dProj, [], m, [], dWeightHr, [], { m: proj, n: hidden, k: steps * batch }, true, false);
    ctx.release(m);
    ctx.release(dProj);
  }
  return result;
}

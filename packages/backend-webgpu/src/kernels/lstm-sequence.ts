/**
 * `lstmSequence` on the GPU: a whole single-direction layer in one submission. The caller (the
 * engine) has already computed the input projection of every step as one GEMM (`inputGates`);
 * here W_hh (and W_hr) are transposed once, then each step is one dispatch (`fused`; two with a
 * projection), two (`split`), or the whole loop is one (`persistent`); see `lstm-plan.ts` and
 * decision record 0010. In inference mode no gates or cells are stored (they come back null).
 */
import type { LstmSequenceInputs, LstmSequenceOutputs, SequenceDims } from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import type { GpuContext } from '../runtime/context.js';
import { lstmForwardModel } from '../wgsl/lstm-sequence.js';
import { stridedCopy } from './elementwise.js';
import { planSequence } from './lstm-plan.js';
import { placeholder, recordRecurrent } from './recurrent.js';

/** A sequence call's buffers and sizes. */
export type SequenceBuffers = LstmSequenceInputs<WebGpuBuffer> & SequenceDims;

/** `[rows, cols]` row-major `matrix`, transposed into `target` at element `at`. */
export function transposeInto(ctx: GpuContext, matrix: WebGpuBuffer, rows: number, cols: number, target: WebGpuBuffer, at: number): void {
  const transposed = stridedCopy(ctx, matrix, { data: matrix, shape: [cols, rows], strides: [1, cols], offset: 0 });
  ctx.recorder.copy(transposed.gpu, 0, target.gpu, at * 4, rows * cols * 4);
  ctx.release(transposed);
}

/** Copies `lengths` (int32 [B]) into `state` at element `at`, where the kernels read them. */
export function copyLengths(ctx: GpuContext, lengths: WebGpuBuffer | null, batch: number, state: WebGpuBuffer, at: number): void {
  if (lengths) ctx.recorder.copy(lengths.gpu, 0, state.gpu, at * 4, batch * 4);
}

export function lstmSequence(ctx: GpuContext, x: SequenceBuffers): LstmSequenceOutputs<WebGpuBuffer> {
  const { steps, batch, hidden, proj } = x;
  const op = 'lstmSequence';
  const inference = x.inference === true;
  const weightHr = x.weightHr ?? null;
  const bh = batch * hidden;
  const bp = batch * proj;
  const output = ctx.output(op, 'float32', steps * bp);
  const h = ctx.output(op, 'float32', bp);
  const c = ctx.output(op, 'float32', bh);
  const gates = inference ? null : ctx.output(op, 'float32', 4 * steps * bh);
  const cells = inference ? null : ctx.output(op, 'float32', steps * bh);
  if (bh === 0 || steps === 0) {
    ctx.recorder.copy(x.h0.gpu, 0, h.gpu, 0, bp * 4);
    ctx.recorder.copy(x.c0.gpu, 0, c.gpu, 0, bh * 4);
    return { output, h, c, gates, cells };
  }
  const projected = weightHr !== null;
  const plan = planSequence({ batch, hidden, k: proj, proj, phases: projected ? 2 : 1 }, ctx.options.sequenceSchedule);
  const split = plan.schedule === 'split';
  // [W_hhᵀ [P, 4H] | W_hrᵀ [H, P]]: consecutive units read consecutive addresses.
  const weight = ctx.output(op, 'float32', 4 * hidden * proj + (projected ? hidden * proj : 0));
  transposeInto(ctx, x.weightHh, 4 * hidden, proj, weight, 0);
  if (weightHr) transposeInto(ctx, weightHr, proj, hidden, weight, 4 * hidden * proj);
  // [h half 0 | h half 1 | c | m (projected) | lengths]
  const extraAt = 2 * bp + bh;
  const lengthsAt = extraAt + (projected ? bh : 0);
  const state = ctx.output(op, 'float32', lengthsAt + batch);
  ctx.recorder.copy(x.h0.gpu, 0, state.gpu, 0, bp * 4);
  ctx.recorder.copy(x.c0.gpu, 0, state.gpu, 2 * bp * 4, bh * 4);
  copyLengths(ctx, x.lengths, batch, state, lengthsAt);
  const scratch = inference ? [placeholder(ctx, op), placeholder(ctx, op)] : [];
  const partial = split ? ctx.output(op, 'float32', plan.splits * 4 * bh) : null;
  recordRecurrent(ctx, {
    op,
    model: lstmForwardModel({ projected, inference, split }),
    plan,
    withLengths: x.lengths !== null,
    loops: steps,
    sizes: { steps, batch, hidden, proj, reverse: x.reverse, lengthsAt, extraAt, weightExtraAt: 4 * hidden * proj },
    buffers: {
      input_gates: x.inputGates,
      weight,
      state,
      output,
      gates_out: gates ?? scratch[0]!,
      cells_out: cells ?? scratch[1]!,
      ...(partial ? { partial } : {}),
    },
  });
  ctx.recorder.copy(state.gpu, (steps % 2) * bp * 4, h.gpu, 0, bp * 4);
  ctx.recorder.copy(state.gpu, 2 * bp * 4, c.gpu, 0, bh * 4);
  for (const buffer of [state, weight, ...scratch, ...(partial ? [partial] : [])]) ctx.release(buffer);
  return { output, h, c, gates, cells };
}

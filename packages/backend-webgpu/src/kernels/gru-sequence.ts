/**
 * `gruSequence` and `gruSequenceBackward` on the GPU (contract v1.1), with the LSTM's schedules
 * (`lstm-plan.ts`): one dispatch per step (`fused`), two (`split`), or one for the whole loop
 * (`persistent`), all in one submission; the input projection of every step is the engine's one
 * GEMM (`inputGates`). Backward: then dRec = (dr, dz, dn ⊙ r) is rebuilt (one dispatch), the h
 * every step read gathered (one), dW_hh = dRecᵀ·hPrev is one GEMM and db_hn one column sum.
 */
import type {
  GruSequenceBackwardInputs,
  GruSequenceBackwardOutputs,
  GruSequenceInputs,
  GruSequenceOutputs,
  SequenceDims,
} from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import type { GpuContext } from '../runtime/context.js';
import { gruBackwardModel, gruForwardModel } from '../wgsl/gru-sequence.js';
import { runElementwise } from './elementwise.js';
import { elementwiseKernel } from './layout.js';
import { planSequence } from './lstm-plan.js';
import { gatherPrevious } from './lstm-sequence-backward.js';
import { copyLengths, transposeInto } from './lstm-sequence.js';
import { recordMatmul } from './matmul.js';
import { placeholder, recordRecurrent } from './recurrent.js';

export type GruBuffers = GruSequenceInputs<WebGpuBuffer> & SequenceDims;
export type GruBackwardBuffers = GruBuffers & Omit<GruSequenceBackwardInputs<WebGpuBuffer>, 'forward'>;

export function gruSequence(ctx: GpuContext, x: GruBuffers): GruSequenceOutputs<WebGpuBuffer> {
  const { steps, batch, hidden } = x;
  const op = 'gruSequence';
  const inference = x.inference === true;
  const bh = batch * hidden;
  const output = ctx.output(op, 'float32', steps * bh);
  const h = ctx.output(op, 'float32', bh);
  const gates = inference ? null : ctx.output(op, 'float32', 3 * steps * bh);
  const hiddenN = inference ? null : ctx.output(op, 'float32', steps * bh);
  if (bh === 0 || steps === 0) {
    ctx.recorder.copy(x.h0.gpu, 0, h.gpu, 0, bh * 4);
    return { output, h, gates, hiddenN };
  }
  const plan = planSequence({ batch, hidden, k: hidden, proj: hidden, phases: 1 }, ctx.options.sequenceSchedule);
  const split = plan.schedule === 'split';
  // [W_hhᵀ [H, 3H] | b_hn [H]]
  const weight = ctx.output(op, 'float32', 3 * hidden * hidden + hidden);
  transposeInto(ctx, x.weightHh, 3 * hidden, hidden, weight, 0);
  if (x.biasHn) ctx.recorder.copy(x.biasHn.gpu, 0, weight.gpu, 3 * hidden * hidden * 4, hidden * 4);
  // [h half 0 | h half 1 | lengths]
  const state = ctx.output(op, 'float32', 2 * bh + batch);
  ctx.recorder.copy(x.h0.gpu, 0, state.gpu, 0, bh * 4);
  copyLengths(ctx, x.lengths, batch, state, 2 * bh);
  const scratch = inference ? [placeholder(ctx, op), placeholder(ctx, op)] : [];
  const partial = split ? ctx.output(op, 'float32', plan.splits * 3 * bh) : null;
  recordRecurrent(ctx, {
    op,
    model: gruForwardModel({ inference, withBias: x.biasHn !== null, split }),
    plan,
    withLengths: x.lengths !== null,
    loops: steps,
    sizes: { steps, batch, hidden, proj: hidden, reverse: x.reverse, lengthsAt: 2 * bh, weightExtraAt: 3 * hidden * hidden },
    buffers: {
      input_gates: x.inputGates,
      weight,
      state,
      output,
      gates_out: gates ?? scratch[0]!,
      hidden_n: hiddenN ?? scratch[1]!,
      ...(partial ? { partial } : {}),
    },
  });
  ctx.recorder.copy(state.gpu, (steps % 2) * bh * 4, h.gpu, 0, bh * 4);
  for (const buffer of [state, weight, ...scratch, ...(partial ? [partial] : [])]) ctx.release(buffer);
  return { output, h, gates, hiddenN };
}

/** dRec = dInputGates with its n block times r: the gradient of h·W_hhᵀ. */
function recurrentGradient(ctx: GpuContext, op: string, dInputGates: WebGpuBuffer, gates: WebGpuBuffer, hidden: number): WebGpuBuffer {
  const kernel = elementwiseKernel(
    'gruSequenceBackward/dRec',
    {
      scalars: [
        ['n', 'u32'],
        ['hidden', 'u32'],
      ],
    },
    () => ({
      inputs: [
        ['d', 'float32'],
        ['gates', 'float32'],
      ],
      output: 'float32',
      body: `  let g = (i % (3u * P.hidden)) / P.hidden;
  if (g < 2u) { return d[i]; }
  return bitcast<u32>(ld_d(i) * ld_gates(i - 2u * P.hidden));`,
    }),
  );
  const dRec = ctx.output(op, 'float32', dInputGates.size);
  runElementwise(ctx, op, kernel, [dInputGates, gates], dRec, { hidden });
  return dRec;
}

/** db_hn[j] = Σ over rows of dRec's n block. */
function biasGradient(ctx: GpuContext, op: string, dRec: WebGpuBuffer, rows: number, hidden: number): WebGpuBuffer {
  const kernel = elementwiseKernel(
    'gruSequenceBackward/dBiasHn',
    {
      scalars: [
        ['n', 'u32'],
        ['rows', 'u32'],
      ],
    },
    () => ({
      inputs: [['d', 'float32']],
      output: 'float32',
      body: `  var sum = 0.0;
  for (var r = 0u; r < P.rows; r = r + 1u) { sum = sum + ld_d(r * 3u * P.n + 2u * P.n + i); }
  return bitcast<u32>(sum);`,
    }),
  );
  const dBiasHn = ctx.output(op, 'float32', hidden);
  runElementwise(ctx, op, kernel, [dRec], dBiasHn, { rows });
  return dBiasHn;
}

export function gruSequenceBackward(ctx: GpuContext, x: GruBackwardBuffers): GruSequenceBackwardOutputs<WebGpuBuffer> {
  const { steps, batch, hidden } = x;
  const op = 'gruSequenceBackward';
  const bh = batch * hidden;
  const dInputGates = ctx.output(op, 'float32', 3 * steps * bh);
  const dh0 = ctx.output(op, 'float32', bh);
  if (bh === 0 || steps === 0) {
    const dWeightHh = ctx.output(op, 'float32', 3 * hidden * hidden);
    const dBiasHn = ctx.output(op, 'float32', hidden);
    ctx.recorder.copy(x.dh.gpu, 0, dh0.gpu, 0, bh * 4);
    for (const zero of [dWeightHh, dBiasHn]) ctx.recorder.clear(zero.gpu, 0, zero.bindBytes);
    return { dInputGates, dWeightHh, dBiasHn, dh0 };
  }
  const plan = planSequence({ batch, hidden, k: 3 * hidden, proj: hidden, phases: 1 }, ctx.options.sequenceSchedule);
  const split = plan.schedule === 'split';
  // [carried dh | h0 | lengths]
  const state = ctx.output(op, 'float32', 2 * bh + batch);
  ctx.recorder.copy(x.dh.gpu, 0, state.gpu, 0, bh * 4);
  ctx.recorder.copy(x.h0.gpu, 0, state.gpu, bh * 4, bh * 4);
  copyLengths(ctx, x.lengths, batch, state, 2 * bh);
  const partial = split ? ctx.output(op, 'float32', plan.splits * bh) : null;
  recordRecurrent(ctx, {
    op,
    model: gruBackwardModel({ inference: false, withBias: x.biasHn !== null, split }),
    plan,
    withLengths: x.lengths !== null,
    loops: steps + 1,
    sizes: { steps, batch, hidden, proj: hidden, reverse: x.reverse, lengthsAt: 2 * bh, extraAt: bh },
    buffers: {
      d_input_gates: dInputGates,
      weight: x.weightHh,
      state,
      d_output: x.dOutput,
      gates: x.gates,
      hidden_n: x.hiddenN,
      output: x.output,
      ...(partial ? { partial } : {}),
    },
  });
  ctx.recorder.copy(state.gpu, 0, dh0.gpu, 0, bh * 4);
  ctx.release(state);
  if (partial) ctx.release(partial);
  const dRec = recurrentGradient(ctx, op, dInputGates, x.gates, hidden);
  const hPrev = gatherPrevious(ctx, op, {
    steps,
    batch,
    width: hidden,
    reverse: x.reverse,
    output: x.output,
    h0: x.h0,
    lengths: x.lengths,
  });
  // dW_hh[r, j] = Σ_(t, b) dRec[t, b, r] · hPrev[t, b, j]: [3H, T·B] × [T·B, H].
  const dWeightHh = ctx.output(op, 'float32', 3 * hidden * hidden);
  recordMatmul(ctx, op, dRec, [], hPrev, [], dWeightHh, [], { m: 3 * hidden, n: hidden, k: steps * batch }, true, false);
  ctx.release(hPrev);
  const dBiasHn = biasGradient(ctx, op, dRec, steps * batch, hidden);
  ctx.release(dRec);
  return { dInputGates, dWeightHh, dBiasHn, dh0 };
}

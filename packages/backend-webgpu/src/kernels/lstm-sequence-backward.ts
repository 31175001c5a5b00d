/**
 * `lstmSequenceBackward` on the GPU, in one submission: steps u = 0…T-1 in reverse forward
 * order, each one dispatch (`fused`: dh = dGates(previous step)·W_hh fused with the cell's
 * backward) or two (`split`), or the whole loop in one (`persistent`); one more step (u = T)
 * turns the last dGates into dh0. Then the h every step read is gathered (one dispatch) and
 * dW_hh = dGatesᵀ·hPrev is one GEMM over all steps.
 */
import type { LstmSequenceBackwardInputs, LstmSequenceBackwardOutputs } from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import { STEP_SLOT, type GpuContext } from '../runtime/context.js';
import { grid } from '../runtime/recorder.js';
import { CELL_WORKGROUP, backwardSource } from '../wgsl/lstm-sequence.js';
import { runElementwise } from './elementwise.js';
import { elementwiseKernel } from './layout.js';
import { planSequence } from './lstm-plan.js';
import { sequenceUniforms, stepBinding, type SequenceBuffers } from './lstm-sequence.js';
import { recordMatmul } from './matmul.js';

/** The forward call's buffers and sizes, with the saved outputs and the incoming gradients. */
export type SequenceBackwardBuffers = SequenceBuffers & Omit<LstmSequenceBackwardInputs<WebGpuBuffer>, 'forward'>;

/** hPrev[t, b] = the h step t read (0 where the row is inactive): the right operand of dW_hh. */
function gatherPrevious(ctx: GpuContext, x: SequenceBackwardBuffers): WebGpuBuffer {
  const withLengths = x.lengths !== null;
  const kernel = elementwiseKernel(
    `lstmSequenceBackward/hPrev/${withLengths ? 'lengths' : 'full'}`,
    { scalars: [['n', 'u32'], ['steps', 'u32'], ['batch', 'u32'], ['hidden', 'u32'], ['reverse', 'u32']] },
    () => ({
      inputs: [['output', 'float32'], ['h0', 'float32'], ['lengths', 'int32']],
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
  const hPrev = ctx.output('lstmSequenceBackward', 'float32', x.steps * x.batch * x.hidden);
  runElementwise(ctx, 'lstmSequenceBackward', kernel, [x.output, x.h0, x.lengths ?? x.h0], hPrev, {
    steps: x.steps, batch: x.batch, hidden: x.hidden, reverse: x.reverse ? 1 : 0,
  });
  return hPrev;
}

export function lstmSequenceBackward(ctx: GpuContext, x: SequenceBackwardBuffers): LstmSequenceBackwardOutputs<WebGpuBuffer> {
  const { steps, batch, hidden } = x;
  const op = 'lstmSequenceBackward';
  const bh = batch * hidden;
  const dInputGates = ctx.output(op, 'float32', 4 * steps * bh);
  const dWeightHh = ctx.output(op, 'float32', 4 * hidden * hidden);
  const dh0 = ctx.output(op, 'float32', bh);
  const dc0 = ctx.output(op, 'float32', bh);
  if (bh === 0 || steps === 0) {
    ctx.recorder.copy(x.dh.gpu, 0, dh0.gpu, 0, bh * 4);
    ctx.recorder.copy(x.dc.gpu, 0, dc0.gpu, 0, bh * 4);
    ctx.recorder.clear(dWeightHh.gpu, 0, dWeightHh.bindBytes);
    return { dInputGates, dWeightHh, dh0, dc0 };
  }
  const plan = planSequence(batch, hidden, 4 * hidden, ctx.options.sequenceSchedule);
  // [carried dh | running dc | c0]
  const state = ctx.output(op, 'float32', 3 * bh);
  const recorder = ctx.recorder;
  recorder.copy(x.dh.gpu, 0, state.gpu, 0, bh * 4);
  recorder.copy(x.dc.gpu, 0, state.gpu, bh * 4, bh * 4);
  recorder.copy(x.c0.gpu, 0, state.gpu, 2 * bh * 4, bh * 4);
  const uniforms = recorder.uniform(sequenceUniforms(x, plan));
  const withLengths = x.lengths !== null;
  const lengths = ctx.bind(x.lengths ?? x.h0);
  const reads = [ctx.bind(state), ctx.bind(x.dOutput), ctx.bind(x.cells), ctx.bind(x.gates)];
  if (plan.schedule === 'persistent') {
    const pipeline = ctx.pipeline(op, backwardSource('persistent', plan, withLengths));
    const group = recorder.bindGroup(pipeline, [uniforms, ctx.bind(dInputGates), ctx.bind(x.weightHh), lengths, ...reads]);
    recorder.dispatch(pipeline, group, [1, 1, 1]);
  } else {
    const step = stepBinding(ctx, steps + 1);
    if (plan.schedule === 'fused') {
      const pipeline = ctx.pipeline(op, backwardSource('fused', plan, withLengths));
      const group = recorder.bindGroup(pipeline, [uniforms, step, ctx.bind(dInputGates), ctx.bind(x.weightHh), lengths, ...reads]);
      for (let u = 0; u <= steps; u++) recorder.dispatch(pipeline, group, [plan.tilesX, plan.tilesY, 1], [u * STEP_SLOT]);
    } else {
      const partial = ctx.output(op, 'float32', plan.splits * bh);
      const product = ctx.pipeline(op, backwardSource('partial', plan, withLengths));
      const cell = ctx.pipeline(op, backwardSource('cell', plan, withLengths));
      const productGroup = recorder.bindGroup(product, [uniforms, step, ctx.bind(dInputGates), ctx.bind(x.weightHh), ctx.bind(partial), lengths]);
      const cellGroup = recorder.bindGroup(cell, [uniforms, step, ctx.bind(dInputGates), lengths, ctx.bind(partial), ...reads]);
      const cellGroups = grid(Math.ceil(bh / CELL_WORKGROUP), ctx.limits.maxComputeWorkgroupsPerDimension);
      for (let u = 0; u <= steps; u++) {
        if (u > 0) recorder.dispatch(product, productGroup, [plan.tilesX, plan.tilesY, plan.splits], [u * STEP_SLOT]);
        recorder.dispatch(cell, cellGroup, cellGroups, [u * STEP_SLOT]);
      }
      ctx.release(partial);
    }
  }
  recorder.copy(state.gpu, 0, dh0.gpu, 0, bh * 4);
  recorder.copy(state.gpu, bh * 4, dc0.gpu, 0, bh * 4);
  ctx.release(state);
  const hPrev = gatherPrevious(ctx, x);
  // dW_hh[r, j] = Σ_(t, b) dGates[t, b, r] · hPrev[t, b, j]: [4H, T·B] × [T·B, H].
  recordMatmul(ctx, op, dInputGates, [], hPrev, [], dWeightHh, [], { m: 4 * hidden, n: hidden, k: steps * batch }, true, false);
  ctx.release(hPrev);
  return { dInputGates, dWeightHh, dh0, dc0 };
}

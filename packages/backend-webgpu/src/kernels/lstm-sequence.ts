/**
 * `lstmSequence` on the GPU: a whole single-direction layer in one submission. The caller (the
 * engine) has already computed the input projection of every step as one GEMM (`inputGates`);
 * here W_hh is transposed once, then each step is one dispatch (`fused`), two (`split`), or the
 * whole loop is one (`persistent`); see `lstm-plan.ts` and decision record 0010.
 */
import type { LstmSequenceInputs, LstmSequenceOutputs, SequenceDims } from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import { STEP_SLOT, type GpuContext } from '../runtime/context.js';
import { grid, type BindRange } from '../runtime/recorder.js';
import { CELL_WORKGROUP, SEQUENCE_BLOCK, forwardSource } from '../wgsl/lstm-sequence.js';
import { stridedCopy } from './elementwise.js';
import { planSequence, type SequencePlan } from './lstm-plan.js';

/** A sequence call's buffers and sizes. */
export type SequenceBuffers = LstmSequenceInputs<WebGpuBuffer> & SequenceDims;

/** The uniform block shared by every dispatch of one sequence call. */
export function sequenceUniforms(x: SequenceBuffers, plan: SequencePlan): Uint32Array {
  return SEQUENCE_BLOCK.pack({
    steps: x.steps, batch: x.batch, hidden: x.hidden, reverse: x.reverse ? 1 : 0,
    k_chunk: plan.kChunk, splits: plan.splits, tiles_x: plan.tilesX, tiles_y: plan.tilesY,
  });
}

/** The binding of step table slot 0 (dispatches add 256·s as their dynamic offset). */
export function stepBinding(ctx: GpuContext, count: number): BindRange {
  return { buffer: ctx.stepTable(count), offset: 0, size: 16 };
}

export function lstmSequence(ctx: GpuContext, x: SequenceBuffers): LstmSequenceOutputs<WebGpuBuffer> {
  const { steps, batch, hidden } = x;
  const op = 'lstmSequence';
  const bh = batch * hidden;
  const output = ctx.output(op, 'float32', steps * bh);
  const h = ctx.output(op, 'float32', bh);
  const c = ctx.output(op, 'float32', bh);
  const gates = ctx.output(op, 'float32', 4 * steps * bh);
  const cells = ctx.output(op, 'float32', steps * bh);
  if (bh === 0 || steps === 0) {
    ctx.recorder.copy(x.h0.gpu, 0, h.gpu, 0, bh * 4);
    ctx.recorder.copy(x.c0.gpu, 0, c.gpu, 0, bh * 4);
    return { output, h, c, gates, cells };
  }
  const plan = planSequence(batch, hidden, hidden, ctx.options.sequenceSchedule);
  // W_hhᵀ [H, 4H], so that the invocations of consecutive units read consecutive addresses.
  const weightT = stridedCopy(ctx, x.weightHh, { data: x.weightHh, shape: [hidden, 4 * hidden], strides: [1, hidden], offset: 0 });
  // [h half 0 | h half 1 | c]
  const state = ctx.output(op, 'float32', 3 * bh);
  ctx.recorder.copy(x.h0.gpu, 0, state.gpu, 0, bh * 4);
  ctx.recorder.copy(x.c0.gpu, 0, state.gpu, 2 * bh * 4, bh * 4);
  const uniforms = ctx.recorder.uniform(sequenceUniforms(x, plan));
  const withLengths = x.lengths !== null;
  const lengths = ctx.bind(x.lengths ?? x.h0);
  const outputs = [ctx.bind(state), ctx.bind(output), ctx.bind(gates), ctx.bind(cells)];
  const recorder = ctx.recorder;
  if (plan.schedule === 'persistent') {
    const pipeline = ctx.pipeline(op, forwardSource('persistent', plan, withLengths));
    const group = recorder.bindGroup(pipeline, [uniforms, ctx.bind(x.inputGates), ctx.bind(weightT), lengths, ...outputs]);
    recorder.dispatch(pipeline, group, [1, 1, 1]);
  } else {
    const step = stepBinding(ctx, steps);
    const groups: [number, number, number] = [plan.tilesX, plan.tilesY, 1];
    if (plan.schedule === 'fused') {
      const pipeline = ctx.pipeline(op, forwardSource('fused', plan, withLengths));
      const group = recorder.bindGroup(pipeline, [uniforms, step, ctx.bind(x.inputGates), ctx.bind(weightT), lengths, ...outputs]);
      for (let s = 0; s < steps; s++) recorder.dispatch(pipeline, group, groups, [s * STEP_SLOT]);
    } else {
      const partial = ctx.output(op, 'float32', plan.splits * 4 * bh);
      const product = ctx.pipeline(op, forwardSource('partial', plan, withLengths));
      const cell = ctx.pipeline(op, forwardSource('cell', plan, withLengths));
      const productGroup = recorder.bindGroup(product, [uniforms, step, ctx.bind(weightT), ctx.bind(state), ctx.bind(partial)]);
      const cellGroup = recorder.bindGroup(cell, [uniforms, step, ctx.bind(x.inputGates), lengths, ctx.bind(partial), ...outputs]);
      const cellGroups = grid(Math.ceil(bh / CELL_WORKGROUP), ctx.limits.maxComputeWorkgroupsPerDimension);
      for (let s = 0; s < steps; s++) {
        recorder.dispatch(product, productGroup, [plan.tilesX, plan.tilesY, plan.splits], [s * STEP_SLOT]);
        recorder.dispatch(cell, cellGroup, cellGroups, [s * STEP_SLOT]);
      }
      ctx.release(partial);
    }
  }
  ctx.recorder.copy(state.gpu, (steps % 2) * bh * 4, h.gpu, 0, bh * 4);
  ctx.recorder.copy(state.gpu, 2 * bh * 4, c.gpu, 0, bh * 4);
  ctx.release(state);
  ctx.release(weightT);
  return { output, h, c, gates, cells };
}

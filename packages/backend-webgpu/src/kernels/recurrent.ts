/**
 * Records a recurrent model (`wgsl/recurrent.ts`) under its plan into the current command
 * encoder: every step of every phase, no CPU round trip. Fused: one dispatch per phase and step;
 * split: a partial product and a cell per step; persistent: one dispatch for the whole loop.
 */
import type { WebGpuBuffer } from '../runtime/buffer.js';
import { STEP_SLOT, type GpuContext } from '../runtime/context.js';
import { grid, type BindRange } from '../runtime/recorder.js';
import { CELL_WORKGROUP, SEQUENCE_BLOCK, recurrentSource, type RecurrentModel } from '../wgsl/recurrent.js';
import type { SequencePlan } from './lstm-plan.js';

/** The sizes and offsets a sequence call's uniforms carry. */
export interface SequenceUniforms {
  readonly steps: number;
  readonly batch: number;
  readonly hidden: number;
  readonly proj: number;
  readonly reverse: boolean;
  /** Where `state` keeps the lengths and the model's extra region, where `weight` keeps its second part (0 when unused). */
  readonly lengthsAt: number;
  readonly extraAt?: number;
  readonly weightExtraAt?: number;
}

export interface RecurrentCall {
  readonly op: string;
  readonly model: RecurrentModel;
  readonly plan: SequencePlan;
  readonly withLengths: boolean;
  /** Loop iterations: T forward, T + 1 backward. */
  readonly loops: number;
  readonly sizes: SequenceUniforms;
  /** The buffer behind each of the model's buffer names. */
  readonly buffers: Readonly<Record<string, WebGpuBuffer>>;
}

/** Records `call`'s steps. */
export function recordRecurrent(ctx: GpuContext, call: RecurrentCall): void {
  const { op, model, plan, withLengths, loops, sizes } = call;
  const recorder = ctx.recorder;
  const uniforms = recorder.uniform(
    SEQUENCE_BLOCK.pack({
      steps: sizes.steps,
      batch: sizes.batch,
      hidden: sizes.hidden,
      proj: sizes.proj,
      reverse: sizes.reverse ? 1 : 0,
      k_chunk: plan.kChunk,
      splits: plan.splits,
      tiles_x: plan.tilesX,
      ptiles_x: plan.projTilesX,
      tiles_y: plan.tilesY,
      lengths_at: sizes.lengthsAt,
      extra_at: sizes.extraAt ?? 0,
      weight_extra_at: sizes.weightExtraAt ?? 0,
    }),
  );
  const bound = model.buffers.map(([name]) => {
    const buffer = call.buffers[name];
    if (!buffer) throw new Error(`${op}: no buffer bound to ${name}`);
    return ctx.bind(buffer);
  });
  const group = (kind: 'fused' | 'partial' | 'cell' | 'persistent', phase = 0) => {
    const pipeline = ctx.pipeline(op, recurrentSource(model, plan, withLengths, kind, phase));
    const step: BindRange[] = kind === 'persistent' ? [] : [{ buffer: ctx.stepTable(loops), offset: 0, size: 16 }];
    return { pipeline, bindGroup: recorder.bindGroup(pipeline, [uniforms, ...step, ...bound]) };
  };
  if (plan.schedule === 'persistent') {
    const { pipeline, bindGroup } = group('persistent');
    recorder.dispatch(pipeline, bindGroup, [1, 1, 1]);
    return;
  }
  if (plan.schedule === 'split') {
    const phase = model.phases[0]!;
    const partial = group('partial');
    const cell = group('cell');
    const units = phase.units === 'P.proj' ? sizes.proj : sizes.hidden;
    const cellGroups = grid(Math.ceil((sizes.batch * units) / CELL_WORKGROUP), ctx.limits.maxComputeWorkgroupsPerDimension);
    for (let s = 0; s < loops; s++) {
      if (phase.hostProductWhen?.(s) ?? true)
        recorder.dispatch(partial.pipeline, partial.bindGroup, [plan.tilesX, plan.tilesY, plan.splits], [s * STEP_SLOT]);
      recorder.dispatch(cell.pipeline, cell.bindGroup, cellGroups, [s * STEP_SLOT]);
    }
    return;
  }
  const phases = model.phases.map((phase, i) => ({
    phase,
    ...group('fused', i),
    groups: [phase.tilesX === 'P.ptiles_x' ? plan.projTilesX : plan.tilesX, plan.tilesY, 1] as [number, number, number],
  }));
  for (let s = 0; s < loops; s++) {
    for (const { phase, pipeline, bindGroup, groups } of phases) {
      if (phase.hostRunWhen?.(s, sizes.steps) ?? true) recorder.dispatch(pipeline, bindGroup, groups, [s * STEP_SLOT]);
    }
  }
}

/** A buffer of at least `elements` words for outputs a mode does not keep (bound, never written). */
export function placeholder(ctx: GpuContext, op: string): WebGpuBuffer {
  return ctx.output(op, 'float32', 1);
}

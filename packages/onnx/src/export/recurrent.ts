/**
 * One Gated `LSTM`, `GRU` or `RNN` module as ONNX `LSTM` / `GRU` / `RNN` nodes: one node per layer
 * (the ONNX ops are single-layer), the directions of a layer in one node, weights reordered to
 * ONNX's gate order with `B = [Wb; Rb]`, and the glue PyTorch's exporter writes between layers.
 * A GRU's `linearBeforeReset` becomes `linear_before_reset`, an LSTM's peepholes the `P` input, an
 * RNN's relu the `Relu` activation.
 */
import { GatedError } from '@gated/backend-api';
import { GRU, LSTM } from '@gated/lstm';
import type { Tensor } from '@gated/tensor';
import { GRU_ONNX_FROM_TORCH, LSTM_ONNX_FROM_TORCH, PEEPHOLE_ONNX_FROM_TORCH, RNN_ONNX_FROM_TORCH, reorderBlocks } from '../gate-order.js';
import { intAttr, intsAttr, stringAttr, stringsAttr } from '../proto/build.js';
import type { GraphBuilder } from './graph-builder.js';
import type { RecurrentModule } from './layers.js';

/** How a batch-first recurrent layer is written: Transposes around a time-major node (what ONNX Runtime runs), or the node's `layout = 1`. */
export type BatchFirstLayout = 'transpose' | 'attribute';

/** Graph-level names a recurrent module connects to. */
export interface RecurrentWiring {
  /** The module's input sequence ([T, B, I], or [B, T, I] when batch-first). */
  readonly input: string;
  /** An int32 [B] lengths input, or '' for none. */
  readonly lengths: string;
  /** Initial states in Gated's layout [layers·D, B, H], or '' for zeros. */
  readonly h0: string;
  readonly c0: string;
  readonly batchFirstLayout: BatchFirstLayout;
}

export interface RecurrentOutputs {
  /** The output sequence in the module's own layout, [T, B, D·H] or [B, T, D·H]. */
  readonly output: string;
  /** Final states [layers·D, B, H] (c only for an LSTM). */
  readonly h: string;
  readonly c: string | null;
}

/** A parameter's values (a copy: the caller may change it). */
export async function floats(t: Tensor): Promise<Float32Array> {
  if (t.dtype !== 'float32') throw new GatedError('exportOnnx', `expected a float32 parameter, got ${t.dtype}`);
  return Float32Array.from(await t.data());
}

/** Concatenates float arrays. */
function join(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Writes `module` into `graph`; returns the names of its output sequence and final states. */
export async function exportRecurrent(
  graph: GraphBuilder,
  module: RecurrentModule,
  prefix: string,
  wiring: RecurrentWiring,
): Promise<RecurrentOutputs> {
  const isLstm = module instanceof LSTM;
  if (isLstm && module.projSize > 0) {
    throw new GatedError(
      'exportOnnx',
      `${prefix}: an LSTM with projSize ${module.projSize} has no ONNX form: the ONNX LSTM op has no W_hr product per step, and Gated does not write it as a Loop (docs/decisions/0016). Export an LSTM without projections, or share the weights through safetensors`,
    );
  }
  const isGru = module instanceof GRU;
  const opType = isLstm ? 'LSTM' : isGru ? 'GRU' : 'RNN';
  const gates = isLstm ? 4 : isGru ? 3 : 1;
  const order = isLstm ? LSTM_ONNX_FROM_TORCH : isGru ? GRU_ONNX_FROM_TORCH : RNN_ONNX_FROM_TORCH;
  const hidden = module.hiddenSize;
  const dirs = module.numDirections;
  const attributeLayout = module.batchFirst && wiring.batchFirstLayout === 'attribute';
  let x = wiring.input;
  if (module.batchFirst && !attributeLayout) x = graph.op('Transpose', `${prefix}/to_time_major`, [x], [intsAttr('perm', [1, 0, 2])]);
  const finalH: string[] = [];
  const finalC: string[] = [];
  for (let layer = 0; layer < module.numLayers; layer++) {
    const at = `${prefix}/layer${layer}`;
    const w: Float32Array[] = [];
    const r: Float32Array[] = [];
    const b: Float32Array[] = [];
    const peepholes: Float32Array[] = [];
    let inputSize = 0;
    for (let d = 0; d < dirs; d++) {
      const p = module.layerParameters(layer, d === 1);
      inputSize = p.weightIh.shape[1]!;
      w.push(reorderBlocks(await floats(p.weightIh), gates, order));
      r.push(reorderBlocks(await floats(p.weightHh), gates, order));
      if (p.biasIh && p.biasHh)
        b.push(reorderBlocks(await floats(p.biasIh), gates, order), reorderBlocks(await floats(p.biasHh), gates, order));
      const peephole = module instanceof LSTM ? module.layerParameters(layer, d === 1).weightPeephole : null;
      if (peephole) peepholes.push(reorderBlocks(await floats(peephole), 3, PEEPHOLE_ONNX_FROM_TORCH));
    }
    const W = graph.floatInitializer(`${at}/W`, [dirs, gates * hidden, inputSize], join(w));
    const R = graph.floatInitializer(`${at}/R`, [dirs, gates * hidden, hidden], join(r));
    const B = b.length > 0 ? graph.floatInitializer(`${at}/B`, [dirs, 2 * gates * hidden], join(b)) : '';
    const P = peepholes.length > 0 ? graph.floatInitializer(`${at}/P`, [dirs, 3 * hidden], join(peepholes)) : '';
    const stateFor = (state: string): string => {
      if (state === '') return '';
      let s = state;
      if (module.numLayers > 1) {
        const starts = graph.intsInitializer(`${at}/state_start`, [layer * dirs]);
        const ends = graph.intsInitializer(`${at}/state_end`, [(layer + 1) * dirs]);
        const axes = graph.intsInitializer(`${at}/state_axes`, [0]);
        s = graph.op('Slice', `${at}/state_slice`, [s, starts, ends, axes]);
      }
      // layout = 1 takes states batch-major, [B, D, H].
      if (attributeLayout) s = graph.op('Transpose', `${at}/state_batch_major`, [s], [intsAttr('perm', [1, 0, 2])]);
      return s;
    };
    const inputs = [x, W, R, B, wiring.lengths, stateFor(wiring.h0)];
    if (isLstm) inputs.push(stateFor(wiring.c0), P);
    // Missing optional inputs in the middle stay as '' (ONNX's empty name); trailing ones are dropped.
    while (inputs.at(-1) === '') inputs.pop();
    const attrs = [intAttr('hidden_size', hidden), stringAttr('direction', dirs === 2 ? 'bidirectional' : 'forward')];
    if (isGru) attrs.push(intAttr('linear_before_reset', module.linearBeforeReset ? 1 : 0));
    if (!isLstm && !isGru && module.nonlinearity === 'relu')
      attrs.push(
        stringsAttr(
          'activations',
          Array.from({ length: dirs }, () => 'Relu'),
        ),
      );
    if (attributeLayout) attrs.push(intAttr('layout', 1));
    const outs = graph.node(opType, at, inputs, isLstm ? 3 : 2, attrs);
    const [y, yh, yc] = outs as [string, string, string | undefined];
    const toGated = (state: string): string =>
      attributeLayout ? graph.op('Transpose', `${at}/state_time_major`, [state], [intsAttr('perm', [1, 0, 2])]) : state;
    finalH.push(toGated(yh));
    if (yc !== undefined) finalC.push(toGated(yc));
    // Y is [T, D, B, H] ([B, T, D, H] with layout = 1); the next layer and the caller want [T, B, D·H].
    if (attributeLayout) {
      x = graph.op('Reshape', `${at}/merge_directions`, [y, graph.intsInitializer(`${at}/merged_shape`, [0, 0, -1])]);
    } else if (dirs === 1) {
      x = graph.op('Squeeze', `${at}/drop_direction_axis`, [y, graph.intsInitializer(`${at}/direction_axis`, [1])]);
    } else {
      const t = graph.op('Transpose', `${at}/directions_last`, [y], [intsAttr('perm', [0, 2, 1, 3])]);
      x = graph.op('Reshape', `${at}/merge_directions`, [t, graph.intsInitializer(`${at}/merged_shape`, [0, 0, -1])]);
    }
  }
  if (module.batchFirst && !attributeLayout) x = graph.op('Transpose', `${prefix}/to_batch_first`, [x], [intsAttr('perm', [1, 0, 2])]);
  const concatStates = (names: string[], what: string): string =>
    names.length === 1 ? names[0]! : graph.op('Concat', `${prefix}/${what}`, names, [intAttr('axis', 0)]);
  return { output: x, h: concatStates(finalH, 'h_n'), c: isLstm ? concatStates(finalC, 'c_n') : null };
}

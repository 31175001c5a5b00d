/**
 * The fused LSTM cell, forward and backward: one dispatch each, one invocation per (batch row,
 * hidden unit), which reads and writes that unit's four gates.
 */
import type { LstmCellBackwardInputs, LstmCellBackwardOutputs, LstmCellInputs, LstmCellOutputs, Shape } from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import type { GpuContext } from '../runtime/context.js';
import type { KernelSource } from '../runtime/pipelines.js';
import { UniformBlock } from '../runtime/uniforms.js';
import { storageDecl } from '../wgsl/access.js';
import { ELEMENTWISE_WORKGROUP } from '../wgsl/elementwise.js';
import { LSTM_CELL, LSTM_CELL_BACKWARD } from '../wgsl/lstm-cell.js';
import { mathLibrary } from '../wgsl/math.js';

const block = new UniformBlock({
  scalars: [
    ['n', 'u32'],
    ['hidden', 'u32'],
  ],
});

const HEADER = `@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = gid.x + gid.y * groups.x * ${ELEMENTWISE_WORKGROUP}u;
  if (t >= P.n) { return; }
  let b = t / P.hidden;
  let j = t % P.hidden;
  let q = b * 4u * P.hidden + j;
  let H = P.hidden;
`;

const forwardSource: KernelSource = {
  key: 'lstmCell',
  bindings: ['uniform', 'read', 'read', 'read', 'write', 'write', 'write'],
  code: () => `${block.wgsl(0)}${storageDecl('input_gates', 1, false)}${storageDecl('hidden_gates', 2, false)}${storageDecl('c', 3, false)}
${storageDecl('h_out', 4, true)}${storageDecl('c_out', 5, true)}${storageDecl('gates_out', 6, true)}
${mathLibrary(['sigmoid', 'tanh'])}${LSTM_CELL}
fn pre(k: u32) -> f32 { return bitcast<f32>(input_gates[k]) + bitcast<f32>(hidden_gates[k]); }
${HEADER}  let gates = lstm_gates(vec4<f32>(pre(q), pre(q + H), pre(q + 2u * H), pre(q + 3u * H)));
  let state = lstm_state(gates, bitcast<f32>(c[t]));
  h_out[t] = bitcast<u32>(state.x);
  c_out[t] = bitcast<u32>(state.y);
  gates_out[q] = bitcast<u32>(gates.x);
  gates_out[q + H] = bitcast<u32>(gates.y);
  gates_out[q + 2u * H] = bitcast<u32>(gates.z);
  gates_out[q + 3u * H] = bitcast<u32>(gates.w);
}
`,
};

const backwardSource: KernelSource = {
  key: 'lstmCellBackward',
  bindings: ['uniform', 'read', 'read', 'read', 'read', 'read', 'write', 'write'],
  code: () => `${block.wgsl(0)}${storageDecl('dh', 1, false)}${storageDecl('dc', 2, false)}${storageDecl('c', 3, false)}
${storageDecl('c_new', 4, false)}${storageDecl('gates', 5, false)}${storageDecl('d_gates', 6, true)}${storageDecl('dc_out', 7, true)}
${mathLibrary(['tanh'])}${LSTM_CELL_BACKWARD}
fn gate(k: u32) -> f32 { return bitcast<f32>(gates[k]); }
${HEADER}  let grad = lstm_cell_backward(bitcast<f32>(dh[t]), bitcast<f32>(dc[t]), bitcast<f32>(c[t]), bitcast<f32>(c_new[t]),
    vec4<f32>(gate(q), gate(q + H), gate(q + 2u * H), gate(q + 3u * H)));
  d_gates[q] = bitcast<u32>(grad.d_gates.x);
  d_gates[q + H] = bitcast<u32>(grad.d_gates.y);
  d_gates[q + 2u * H] = bitcast<u32>(grad.d_gates.z);
  d_gates[q + 3u * H] = bitcast<u32>(grad.d_gates.w);
  dc_out[t] = bitcast<u32>(grad.dc_prev);
}
`,
};

export function lstmCell(
  ctx: GpuContext,
  { inputGates, hiddenGates, c }: LstmCellInputs<WebGpuBuffer>,
  stateShape: Shape,
): LstmCellOutputs<WebGpuBuffer> {
  const [batch, hidden] = stateShape as [number, number];
  const n = batch * hidden;
  const h = ctx.output('lstmCell', 'float32', n);
  const cOut = ctx.output('lstmCell', 'float32', n);
  const gates = ctx.output('lstmCell', 'float32', 4 * n);
  if (n > 0) {
    const resources = [inputGates, hiddenGates, c, h, cOut, gates].map((b) => ctx.bind(b));
    ctx.run('lstmCell', forwardSource, resources, block.pack({ n, hidden }), Math.ceil(n / ELEMENTWISE_WORKGROUP));
  }
  return { h, c: cOut, gates };
}

export function lstmCellBackward(
  ctx: GpuContext,
  x: LstmCellBackwardInputs<WebGpuBuffer>,
  stateShape: Shape,
): LstmCellBackwardOutputs<WebGpuBuffer> {
  const [batch, hidden] = stateShape as [number, number];
  const n = batch * hidden;
  const dGates = ctx.output('lstmCellBackward', 'float32', 4 * n);
  const dc = ctx.output('lstmCellBackward', 'float32', n);
  if (n > 0) {
    const resources = [x.dh, x.dc, x.c, x.cNew, x.gates, dGates, dc].map((b) => ctx.bind(b));
    ctx.run('lstmCellBackward', backwardSource, resources, block.pack({ n, hidden }), Math.ceil(n / ELEMENTWISE_WORKGROUP));
  }
  return { dGates, dc };
}

/**
 * WGSL of the sequence kernels (see `kernels/lstm-plan.ts` for the schedules). Forward state
 * lives in one buffer [3, B, H]: two halves of h that alternate by step parity (step s reads half
 * s & 1 and writes the other; every workgroup of a step reads the whole previous h, so it cannot
 * be overwritten in place) and c, which each invocation updates in place for its own units.
 * Backward state is [3, B, H] too: the carried dh, the running dc, and c0.
 *
 * Per-step kernels read the step index from a uniform bound at a dynamic offset (one slot per
 * step in a table that lives as long as the backend), so every step of a sequence shares one bind
 * group and all of them are recorded into one command encoder.
 */
import type { KernelSource } from '../runtime/pipelines.js';
import { UniformBlock } from '../runtime/uniforms.js';
import type { RecurrentTile, SequencePlan } from '../kernels/lstm-plan.js';
import { storageDecl } from './access.js';
import { LSTM_CELL, LSTM_CELL_BACKWARD } from './lstm-cell.js';
import { mathLibrary } from './math.js';
import { productCode, sequenceHelpers } from './recurrent.js';

export const SEQUENCE_BLOCK = new UniformBlock({
  scalars: [['steps', 'u32'], ['batch', 'u32'], ['hidden', 'u32'], ['reverse', 'u32'], ['k_chunk', 'u32'], ['splits', 'u32'], ['tiles_x', 'u32'], ['tiles_y', 'u32']],
});

export type SequenceKernel = 'fused' | 'persistent' | 'partial' | 'cell';

const STEP_DECL = 'struct Step { s: u32, _a: u32, _b: u32, _c: u32 };\n@group(0) @binding(1) var<uniform> STEP: Step;\n';

/** Invocations of the `cell` kernels' 1-D grid. */
export const CELL_WORKGROUP = 64;

function rowsOf(tile: RecurrentTile): number {
  return tile.wgy * tile.rb;
}

/** Runs `call(b, r)` for each of an invocation's rows that exists. */
function eachRow(tile: RecurrentTile, call: string): string {
  return `    for (var r = 0u; r < ${tile.rb}u; r = r + 1u) {
      let b = row0 + local.y + r * ${tile.wgy}u;
      if (b < P.batch) { ${call} }
    }`;
}

function mainHeader(tile: RecurrentTile): string {
  return `@compute @workgroup_size(${tile.wgx}, ${tile.wgy})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>, @builtin(local_invocation_index) lid: u32) {`;
}

const CELL_HEADER = `@compute @workgroup_size(${CELL_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${CELL_WORKGROUP}u;
  if (i >= P.batch * P.hidden) { return; }
  let b = i / P.hidden;
  let j = i % P.hidden;`;

// ---- forward --------------------------------------------------------------------------------

const FORWARD_CELL = /* wgsl */ `
fn ig(q: u32) -> f32 { return bitcast<f32>(input_gates[q]); }
// Step of time t for row b, unit j, given the recurrent product; h is read from half rd.
fn forward_cell(t: u32, b: u32, j: u32, rec: vec4<f32>, rd: u32) {
  let H = P.hidden;
  let bh = P.batch * H;
  let s_idx = b * H + j;
  let wr = 1u - rd;
  let o = (t * P.batch + b) * H + j;
  let q = (t * P.batch + b) * 4u * H + j;
  if (!is_active(i32(t), b)) {
    output[o] = 0u;
    cells_out[o] = 0u;
    gates_out[q] = 0u;
    gates_out[q + H] = 0u;
    gates_out[q + 2u * H] = 0u;
    gates_out[q + 3u * H] = 0u;
    state[wr * bh + s_idx] = state[rd * bh + s_idx];
    return;
  }
  let gates = lstm_gates(rec + vec4<f32>(ig(q), ig(q + H), ig(q + 2u * H), ig(q + 3u * H)));
  let next = lstm_state(gates, bitcast<f32>(state[2u * bh + s_idx]));
  output[o] = bitcast<u32>(next.x);
  cells_out[o] = bitcast<u32>(next.y);
  gates_out[q] = bitcast<u32>(gates.x);
  gates_out[q + H] = bitcast<u32>(gates.y);
  gates_out[q + 2u * H] = bitcast<u32>(gates.z);
  gates_out[q + 3u * H] = bitcast<u32>(gates.w);
  state[wr * bh + s_idx] = bitcast<u32>(next.x);
  state[2u * bh + s_idx] = bitcast<u32>(next.y);
}
`;

const FORWARD_LOADS = /* wgsl */ `
fn load_x(b: u32, k: u32) -> f32 { return bitcast<f32>(state[x_base + b * P.hidden + k]); }
fn load_w(k: u32, j: u32) -> vec4<f32> {
  let base = k * 4u * P.hidden + j;
  return vec4<f32>(bitcast<f32>(weight[base]), bitcast<f32>(weight[base + P.hidden]),
    bitcast<f32>(weight[base + 2u * P.hidden]), bitcast<f32>(weight[base + 3u * P.hidden]));
}
`;

/** The forward kernel `kind` for `plan` (with or without per-sequence lengths). */
export function forwardSource(kind: SequenceKernel, plan: SequencePlan, withLengths: boolean): KernelSource {
  const tile = plan.tile;
  const key = `lstmSequence/${kind}/${tile.wgx}x${tile.wgy}x${tile.rb}/${withLengths ? 'lengths' : 'full'}`;
  const rows = rowsOf(tile);
  const common = [SEQUENCE_BLOCK.wgsl(0), kind === 'persistent' ? '' : STEP_DECL];
  const math = mathLibrary(['sigmoid', 'tanh']) + LSTM_CELL;
  if (kind === 'partial') {
    return {
      key,
      bindings: ['uniform', 'uniform-dynamic', 'read', 'read', 'write'],
      code: () => [...common, storageDecl('weight', 2, false), storageDecl('state', 3, false), storageDecl('partial', 4, true),
        'var<private> x_base: u32;\n', FORWARD_LOADS, productCode(tile, 4), `${mainHeader(tile)}
  x_base = (STEP.s & 1u) * P.batch * P.hidden;
  let row0 = wid.y * ${rows}u;
  let j = wid.x * ${tile.wgx}u + local.x;
  let k_begin = wid.z * P.k_chunk;
  let acc = product(row0, j, lid, local.y, k_begin, min(P.hidden, k_begin + P.k_chunk));
  if (j < P.hidden) {
${eachRow(tile, `let base = ((wid.z * P.batch + b) * P.hidden + j) * 4u;
        partial[base] = bitcast<u32>(acc[r].x);
        partial[base + 1u] = bitcast<u32>(acc[r].y);
        partial[base + 2u] = bitcast<u32>(acc[r].z);
        partial[base + 3u] = bitcast<u32>(acc[r].w);`)}
  }
}
`].join(''),
    };
  }
  const outputs = [storageDecl('state', 5, true), storageDecl('output', 6, true), storageDecl('gates_out', 7, true), storageDecl('cells_out', 8, true)];
  if (kind === 'cell') {
    const decls = [storageDecl('input_gates', 2, false), storageDecl('lengths', 3, false), storageDecl('partial', 4, false),
      ...outputs];
    return {
      key,
      bindings: ['uniform', 'uniform-dynamic', 'read', 'read', 'read', 'write', 'write', 'write', 'write'],
      code: () => [...common, ...decls, sequenceHelpers(withLengths), math, FORWARD_CELL, `${CELL_HEADER}
  var rec = vec4<f32>(0.0);
  for (var z = 0u; z < P.splits; z = z + 1u) {
    let base = ((z * P.batch + b) * P.hidden + j) * 4u;
    rec = rec + vec4<f32>(bitcast<f32>(partial[base]), bitcast<f32>(partial[base + 1u]),
      bitcast<f32>(partial[base + 2u]), bitcast<f32>(partial[base + 3u]));
  }
  forward_cell(time_of(STEP.s), b, j, rec, STEP.s & 1u);
}
`].join(''),
    };
  }
  const decls = [storageDecl('input_gates', 2, false), storageDecl('weight', 3, false), storageDecl('lengths', 4, false), ...outputs];
  const body = kind === 'persistent'
    ? `  for (var s = 0u; s < P.steps; s = s + 1u) {
    let t = time_of(s);
    let rd = s & 1u;
    x_base = rd * P.batch * P.hidden;
    for (var ty = 0u; ty < P.tiles_y; ty = ty + 1u) {
      for (var tx = 0u; tx < P.tiles_x; tx = tx + 1u) {
        let row0 = ty * ${rows}u;
        let j = tx * ${tile.wgx}u + local.x;
        let acc = product(row0, j, lid, local.y, 0u, P.hidden);
        if (j < P.hidden) {
${eachRow(tile, 'forward_cell(t, b, j, acc[r], rd);')}
        }
      }
    }
    // h of this step must be visible to every invocation before the next step reads it.
    storageBarrier();
    workgroupBarrier();
  }`
    : `  let s = STEP.s;
  let rd = s & 1u;
  x_base = rd * P.batch * P.hidden;
  let row0 = wid.y * ${rows}u;
  let j = wid.x * ${tile.wgx}u + local.x;
  let acc = product(row0, j, lid, local.y, 0u, P.hidden);
  if (j < P.hidden) {
${eachRow(tile, 'forward_cell(time_of(s), b, j, acc[r], rd);')}
  }`;
  return {
    key,
    bindings: kind === 'persistent'
      ? ['uniform', 'read', 'read', 'read', 'write', 'write', 'write', 'write']
      : ['uniform', 'uniform-dynamic', 'read', 'read', 'read', 'write', 'write', 'write', 'write'],
    code: () => {
      const shifted = kind === 'persistent' ? [...decls].map((d) => d.replace(/@binding\((\d+)\)/, (_, n: string) => `@binding(${Number(n) - 1})`)) : decls;
      return [...common, ...shifted, sequenceHelpers(withLengths), math, FORWARD_CELL, FORWARD_LOADS, productCode(tile, 4), `${mainHeader(tile)}
${body}
}
`].join('');
    },
  };
}

// ---- backward -------------------------------------------------------------------------------

const BACKWARD_CELL = /* wgsl */ `
// Backward time of step u (the forward order, reversed).
fn back_time(u: u32) -> u32 { return select(P.steps - 1u - u, u, P.reverse == 1u); }
fn fb(x: u32) -> f32 { return bitcast<f32>(x); }
// Step u for row b, unit j: dh is the carried gradient, or the recurrent product when the row was
// active at the step processed before (use_rec). Step u = T only finishes dh0.
fn backward_cell(u: u32, b: u32, j: u32, rec: f32, use_rec: bool) {
  let H = P.hidden;
  let bh = P.batch * H;
  let s_idx = b * H + j;
  var dh = fb(state[s_idx]);
  if (use_rec) { dh = rec; }
  if (u < P.steps) {
    let t = back_time(u);
    let q = (t * P.batch + b) * 4u * H + j;
    if (is_active(i32(t), b)) {
      let o = (t * P.batch + b) * H + j;
      let pt = previous_time(t);
      var c_prev = fb(state[2u * bh + s_idx]);
      if (is_active(pt, b)) { c_prev = fb(cells[(u32(pt) * P.batch + b) * H + j]); }
      let grad = lstm_cell_backward(dh + fb(d_output[o]), fb(state[bh + s_idx]), c_prev, fb(cells[o]),
        vec4<f32>(fb(gates[q]), fb(gates[q + H]), fb(gates[q + 2u * H]), fb(gates[q + 3u * H])));
      d_gates[q] = bitcast<u32>(grad.d_gates.x);
      d_gates[q + H] = bitcast<u32>(grad.d_gates.y);
      d_gates[q + 2u * H] = bitcast<u32>(grad.d_gates.z);
      d_gates[q + 3u * H] = bitcast<u32>(grad.d_gates.w);
      state[bh + s_idx] = bitcast<u32>(grad.dc_prev);
    } else {
      d_gates[q] = 0u;
      d_gates[q + H] = 0u;
      d_gates[q + 2u * H] = 0u;
      d_gates[q + 3u * H] = 0u;
    }
  }
  state[s_idx] = bitcast<u32>(dh);
}
fn uses_rec(u: u32, b: u32) -> bool { return u > 0u && is_active(i32(back_time(u - 1u)), b); }
`;

const BACKWARD_LOADS = /* wgsl */ `
fn load_x(b: u32, k: u32) -> f32 { return bitcast<f32>(d_gates[x_base + b * 4u * P.hidden + k]); }
fn load_w(k: u32, j: u32) -> f32 { return bitcast<f32>(weight[k * P.hidden + j]); }
`;

/** The backward kernel `kind` for `plan`. Its steps u run 0…T (T only finishes dh0). */
export function backwardSource(kind: SequenceKernel, plan: SequencePlan, withLengths: boolean): KernelSource {
  const tile = plan.tile;
  const key = `lstmSequenceBackward/${kind}/${tile.wgx}x${tile.wgy}x${tile.rb}/${withLengths ? 'lengths' : 'full'}`;
  const rows = rowsOf(tile);
  const common = [SEQUENCE_BLOCK.wgsl(0), kind === 'persistent' ? '' : STEP_DECL];
  const math = mathLibrary(['tanh']) + LSTM_CELL_BACKWARD;
  const xBase = 'x_base = back_time(u - 1u) * P.batch * 4u * P.hidden;';
  if (kind === 'partial') {
    return {
      key,
      bindings: ['uniform', 'uniform-dynamic', 'read', 'read', 'write', 'read'],
      code: () => [...common, storageDecl('d_gates', 2, false), storageDecl('weight', 3, false), storageDecl('partial', 4, true),
        storageDecl('lengths', 5, false), sequenceHelpers(withLengths), 'fn back_time(u: u32) -> u32 { return select(P.steps - 1u - u, u, P.reverse == 1u); }\n',
        BACKWARD_LOADS, productCode(tile, 1), `${mainHeader(tile)}
  let u = STEP.s;
  ${xBase}
  let row0 = wid.y * ${rows}u;
  let j = wid.x * ${tile.wgx}u + local.x;
  let k_begin = wid.z * P.k_chunk;
  let acc = product(row0, j, lid, local.y, k_begin, min(4u * P.hidden, k_begin + P.k_chunk));
  if (j < P.hidden) {
${eachRow(tile, 'partial[(wid.z * P.batch + b) * P.hidden + j] = bitcast<u32>(acc[r]);')}
  }
}
`].join(''),
    };
  }
  const outputs = [storageDecl('state', 5, true), storageDecl('d_output', 6, false), storageDecl('cells', 7, false), storageDecl('gates', 8, false)];
  if (kind === 'cell') {
    const decls = [storageDecl('d_gates', 2, true), storageDecl('lengths', 3, false), storageDecl('partial', 4, false), ...outputs];
    return {
      key,
      bindings: ['uniform', 'uniform-dynamic', 'write', 'read', 'read', 'write', 'read', 'read', 'read'],
      code: () => [...common, ...decls, sequenceHelpers(withLengths), math, BACKWARD_CELL, `${CELL_HEADER}
  let u = STEP.s;
  var rec = 0.0;
  if (u > 0u) {
    for (var z = 0u; z < P.splits; z = z + 1u) { rec = rec + bitcast<f32>(partial[(z * P.batch + b) * P.hidden + j]); }
  }
  backward_cell(u, b, j, rec, uses_rec(u, b));
}
`].join(''),
    };
  }
  const decls = [storageDecl('d_gates', 2, true), storageDecl('weight', 3, false), storageDecl('lengths', 4, false), ...outputs];
  const stepBody = (indent: string) => `${indent}var acc: array<f32, ${tile.rb}>;
${indent}if (u > 0u) {
${indent}  ${xBase}
${indent}  acc = product(row0, j, lid, local.y, 0u, 4u * P.hidden);
${indent}}
${indent}if (j < P.hidden) {
${eachRow(tile, 'backward_cell(u, b, j, acc[r], uses_rec(u, b));')}
${indent}}`;
  const body = kind === 'persistent'
    ? `  for (var u = 0u; u <= P.steps; u = u + 1u) {
    for (var ty = 0u; ty < P.tiles_y; ty = ty + 1u) {
      for (var tx = 0u; tx < P.tiles_x; tx = tx + 1u) {
        let row0 = ty * ${rows}u;
        let j = tx * ${tile.wgx}u + local.x;
${stepBody('        ')}
      }
    }
    storageBarrier();
    workgroupBarrier();
  }`
    : `  let u = STEP.s;
  let row0 = wid.y * ${rows}u;
  let j = wid.x * ${tile.wgx}u + local.x;
${stepBody('  ')}`;
  return {
    key,
    bindings: kind === 'persistent'
      ? ['uniform', 'write', 'read', 'read', 'write', 'read', 'read', 'read']
      : ['uniform', 'uniform-dynamic', 'write', 'read', 'read', 'write', 'read', 'read', 'read'],
    code: () => {
      const shifted = kind === 'persistent' ? decls.map((d) => d.replace(/@binding\((\d+)\)/, (_, n: string) => `@binding(${Number(n) - 1})`)) : decls;
      return [...common, ...shifted, sequenceHelpers(withLengths), math, BACKWARD_CELL, BACKWARD_LOADS, productCode(tile, 1), `${mainHeader(tile)}
${body}
}
`].join('');
    },
  };
}

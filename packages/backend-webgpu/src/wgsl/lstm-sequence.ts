/**
 * The LSTM sequence models for `recurrent.ts`: forward and backward, with PyTorch's projection
 * W_hr (contract v1.1) and the inference mode (no gates or cells stored).
 *
 * Forward state lives in one buffer [h half 0 (B·P) | h half 1 (B·P) | c (B·H) | m (B·H, with a
 * projection) | lengths (B)]: the halves
 * alternate by step parity (step s reads half s & 1 and writes the other: every workgroup of a
 * step reads the whole previous h, so it cannot be overwritten in place), and c is updated in
 * place by the invocation that owns the unit. Without a projection (P = H) a step is one phase:
 * h·W_hhᵀ (K = P, four gates per unit) and the cell, which writes h. With one it is two: the
 * first phase's cell writes m = o ⊙ tanh(c), the second multiplies it by W_hrᵀ (K = H, one value
 * for each of the P units) and writes h. `weight` holds W_hhᵀ [P, 4H], then W_hrᵀ [H, P].
 *
 * Backward state is [dh (B·P) | dc (B·H) | c0 (B·H) | lengths (B)], `weight` W_hh [4H, P] then
 * W_hr [P, H]; steps u = 0…T run in reverse forward order,
 * step T only finishing dh0. Without a projection one phase: dh = dGates(u-1)·W_hh (K = 4H) and
 * the cell's backward. With one, two: dh over the P units (saved with dOutput added: dProj, the
 * gradient of the projection's output), then dm = dProj·W_hr (K = P) and the cell's backward.
 */
import { LSTM_CELL, LSTM_CELL_BACKWARD } from './lstm-cell.js';
import { mathLibrary } from './math.js';
import type { Buffer, Phase, RecurrentModel } from './recurrent.js';

export interface LstmVariant {
  readonly projected: boolean;
  readonly inference: boolean;
  /** The split schedule binds a `partial` buffer. */
  readonly split: boolean;
}

function variantKey(op: string, v: LstmVariant): string {
  return `${op}/${v.projected ? 'proj' : 'plain'}/${v.inference ? 'infer' : 'train'}`;
}

// In inference mode the gates and cells are not stored: the writes vanish from the cell.
function store(v: LstmVariant, statement: string): string {
  return v.inference ? '' : statement;
}

function forwardCell(v: LstmVariant): string {
  const zeroGates = store(
    v,
    'gates_out[q] = 0u; gates_out[q + H] = 0u; gates_out[q + 2u * H] = 0u; gates_out[q + 3u * H] = 0u; cells_out[o] = 0u;',
  );
  const keepGates = store(
    v,
    `gates_out[q] = bitcast<u32>(gates.x);
  gates_out[q + H] = bitcast<u32>(gates.y);
  gates_out[q + 2u * H] = bitcast<u32>(gates.z);
  gates_out[q + 3u * H] = bitcast<u32>(gates.w);
  cells_out[o] = bitcast<u32>(next.y);`,
  );
  // Without a projection the cell writes h (P = H); with one, m for the second phase.
  const inactiveState = v.projected
    ? ''
    : `output[o] = 0u;
    state[wr * bp + s_idx] = state[rd * bp + s_idx];`;
  const activeState = v.projected
    ? 'state[P.extra_at + s_idx] = bitcast<u32>(next.x);'
    : `output[o] = bitcast<u32>(next.x);
  state[wr * bp + s_idx] = bitcast<u32>(next.x);`;
  return /* wgsl */ `
fn ig(q: u32) -> f32 { return bitcast<f32>(input_gates[q]); }
// Step of time t for row b, unit j, given the recurrent product; h is read from half rd.
fn forward_cell(t: u32, b: u32, j: u32, rec: vec4<f32>, rd: u32) {
  let H = P.hidden;
  let bp = P.batch * P.proj;
  let s_idx = b * H + j;
  let wr = 1u - rd;
  let o = (t * P.batch + b) * H + j;
  let q = (t * P.batch + b) * 4u * H + j;
  if (!is_active(i32(t), b)) {
    ${zeroGates}
    ${inactiveState}
    return;
  }
  let gates = lstm_gates(rec + vec4<f32>(ig(q), ig(q + H), ig(q + 2u * H), ig(q + 3u * H)));
  let next = lstm_state(gates, fb(state[2u * bp + s_idx]));
  ${keepGates}
  state[2u * bp + s_idx] = bitcast<u32>(next.y);
  ${activeState}
}
// The projection's output for row b, unit p (of P): h = m · W_hrᵀ, or carried when inactive.
fn project_cell(t: u32, b: u32, p: u32, rec: f32, rd: u32) {
  let bp = P.batch * P.proj;
  let s_idx = b * P.proj + p;
  let wr = 1u - rd;
  let o = (t * P.batch + b) * P.proj + p;
  if (!is_active(i32(t), b)) {
    output[o] = 0u;
    state[wr * bp + s_idx] = state[rd * bp + s_idx];
    return;
  }
  output[o] = bitcast<u32>(rec);
  state[wr * bp + s_idx] = bitcast<u32>(rec);
}
`;
}

/** The forward model. */
export function lstmForwardModel(v: LstmVariant): RecurrentModel {
  const buffers: Buffer[] = [
    ['input_gates', 'read'],
    ['weight', 'read'],
    ['state', 'write'],
    ['output', 'write'],
    ['gates_out', 'write'],
    ['cells_out', 'write'],
  ];
  if (v.split) buffers.push(['partial', 'write']);
  const phases: Phase[] = [
    {
      name: 'cell',
      gates: 4,
      units: 'P.hidden',
      tilesX: 'P.tiles_x',
      k: 'P.proj',
      setup: 'x_base = rd * P.batch * P.proj;',
      epilogue: 'forward_cell(t, b, j, rec, rd);',
    },
  ];
  if (v.projected) {
    phases.push({
      name: 'project',
      gates: 1,
      units: 'P.proj',
      tilesX: 'P.ptiles_x',
      k: 'P.hidden',
      setup: 'x_base = P.extra_at;',
      epilogue: 'project_cell(t, b, j, rec, rd);',
    });
  }
  return {
    key: variantKey('lstmSequence', v),
    buffers,
    step: 's',
    steps: 'P.steps',
    code:
      mathLibrary(['sigmoid', 'tanh']) +
      LSTM_CELL +
      forwardCell(v) +
      /* wgsl */ `
fn cell_x(b: u32, k: u32) -> f32 { return fb(state[x_base + b * P.proj + k]); }
fn cell_w(k: u32, j: u32) -> vec4<f32> {
  let base = k * 4u * P.hidden + j;
  return vec4<f32>(fb(weight[base]), fb(weight[base + P.hidden]), fb(weight[base + 2u * P.hidden]), fb(weight[base + 3u * P.hidden]));
}
${
  v.projected
    ? `fn project_x(b: u32, k: u32) -> f32 { return fb(state[x_base + b * P.hidden + k]); }
fn project_w(k: u32, p: u32) -> f32 { return fb(weight[P.weight_extra_at + k * P.proj + p]); }
`
    : ''
}`,
    prelude: 'let t = time_of(s); let rd = s & 1u;',
    phases,
  };
}

const BACKWARD_CELL = /* wgsl */ `
// The cell's backward at step u < T for row b, unit j, given the gradient dm of its h (before
// any projection, dOutput included): writes dGates and the running dc.
fn cell_backward(u: u32, b: u32, j: u32, dm: f32) {
  let H = P.hidden;
  let bp = P.batch * P.proj;
  let bh = P.batch * H;
  let s_idx = b * H + j;
  let t = back_time(u);
  let q = (t * P.batch + b) * 4u * H + j;
  if (!is_active(i32(t), b)) {
    d_gates[q] = 0u;
    d_gates[q + H] = 0u;
    d_gates[q + 2u * H] = 0u;
    d_gates[q + 3u * H] = 0u;
    return;
  }
  let o = (t * P.batch + b) * H + j;
  let pt = previous_time(t);
  var c_prev = fb(state[bp + bh + s_idx]);
  if (is_active(pt, b)) { c_prev = fb(cells[(u32(pt) * P.batch + b) * H + j]); }
  let grad = lstm_cell_backward(dm, fb(state[bp + s_idx]), c_prev, fb(cells[o]),
    vec4<f32>(fb(gates[q]), fb(gates[q + H]), fb(gates[q + 2u * H]), fb(gates[q + 3u * H])));
  d_gates[q] = bitcast<u32>(grad.d_gates.x);
  d_gates[q + H] = bitcast<u32>(grad.d_gates.y);
  d_gates[q + 2u * H] = bitcast<u32>(grad.d_gates.z);
  d_gates[q + 3u * H] = bitcast<u32>(grad.d_gates.w);
  state[bp + s_idx] = bitcast<u32>(grad.dc_prev);
}
// The carried dh of row b, unit p (of P) at step u: the product when the step processed before
// was active, else what was carried. Returns it with dOutput added (0 at u = T or inactive).
fn carry_dh(u: u32, b: u32, p: u32, rec: f32, use_rec: bool) -> f32 {
  let s_idx = b * P.proj + p;
  var dh = fb(state[s_idx]);
  if (use_rec) { dh = rec; }
  state[s_idx] = bitcast<u32>(dh);
  if (u >= P.steps || !is_active(i32(back_time(u)), b)) { return 0.0; }
  return dh + fb(d_output[(back_time(u) * P.batch + b) * P.proj + p]);
}
`;

/** The backward model. */
export function lstmBackwardModel(v: LstmVariant): RecurrentModel {
  const buffers: Buffer[] = [
    ['d_gates', 'write'],
    ['weight', 'read'],
    ['state', 'write'],
    ['d_output', 'read'],
    ['cells', 'read'],
    ['gates', 'read'],
  ];
  if (v.split) buffers.push(['partial', 'write']);
  if (v.projected) buffers.push(['d_proj', 'write']);
  const dh: Phase = {
    name: 'dh',
    gates: 1,
    units: 'P.proj',
    tilesX: v.projected ? 'P.ptiles_x' : 'P.tiles_x',
    k: '4u * P.hidden',
    setup: 'if (u > 0u) { x_base = back_time(u - 1u) * P.batch * 4u * P.hidden; }',
    productWhen: 'u > 0u',
    hostProductWhen: (u) => u > 0,
    // Without a projection the same invocation goes on with the cell; with one, dProj is saved.
    epilogue: v.projected
      ? 'let g = carry_dh(u, b, j, rec, uses_rec(u, b)); if (u < P.steps) { d_proj[(back_time(u) * P.batch + b) * P.proj + j] = bitcast<u32>(g); }'
      : 'let g = carry_dh(u, b, j, rec, uses_rec(u, b)); if (u < P.steps) { cell_backward(u, b, j, g); }',
  };
  const phases: Phase[] = [dh];
  if (v.projected) {
    phases.push({
      name: 'cell',
      gates: 1,
      units: 'P.hidden',
      tilesX: 'P.tiles_x',
      k: 'P.proj',
      setup: 'x_base = back_time(u) * P.batch * P.proj;',
      runWhen: 'u < P.steps',
      hostRunWhen: (u, steps) => u < steps,
      epilogue: 'cell_backward(u, b, j, rec);',
    });
  }
  return {
    key: variantKey('lstmSequenceBackward', v),
    buffers,
    step: 'u',
    steps: 'P.steps + 1u',
    code:
      mathLibrary(['tanh']) +
      LSTM_CELL_BACKWARD +
      BACKWARD_CELL +
      /* wgsl */ `
fn dh_x(b: u32, k: u32) -> f32 { return fb(d_gates[x_base + b * 4u * P.hidden + k]); }
fn dh_w(k: u32, p: u32) -> f32 { return fb(weight[k * P.proj + p]); }
${
  v.projected
    ? `fn cell_x(b: u32, k: u32) -> f32 { return fb(d_proj[x_base + b * P.proj + k]); }
fn cell_w(k: u32, j: u32) -> f32 { return fb(weight[P.weight_extra_at + k * P.hidden + j]); }
`
    : ''
}`,
    prelude: '',
    phases,
  };
}

/**
 * The GRU sequence models for `recurrent.ts` (contract v1.1, PyTorch's `nn.GRU`, gate order r, z,
 * n; the reset gate multiplies `h W_hnᵀ + b_hn`). One phase per step, like the LSTM's:
 *
 * - Forward: the product h·W_hhᵀ gives the three recurrent terms of a unit (K = H, from W_hhᵀ
 *   [H, 3H] so that consecutive units read consecutive addresses; `weight` holds it, then b_hn);
 *   the cell adds the input gates, activates, and writes h' = n + z ⊙ (h − n). State [h half 0 |
 *   h half 1 | lengths] alternates by step parity as in the LSTM. Inference mode stores neither
 *   gates nor `hiddenN`.
 * - Backward: steps u = 0…T in reverse forward order (T only finishes dh0). The product
 *   dRec(u-1)·W_hh (K = 3H; dRec = (dr, dz, dn ⊙ r), the gradient of h·W_hhᵀ) is the part of dh
 *   that flows through the recurrent weights; the rest, z ⊙ dh_total, stays with the invocation
 *   in the state [dh | h0 | lengths], so dh = state + product when the step processed before was
 *   active. dRec is not stored: the product stages dInputGates and scales its n block by r as it
 *   loads it (the kernel then binds 8 storage buffers, not 9); one pass after the loop makes dRec
 *   for dW_hh and db_hn.
 */
import { mathLibrary } from './math.js';
import type { Buffer, RecurrentModel } from './recurrent.js';

export interface GruVariant {
  readonly inference: boolean;
  readonly withBias: boolean;
  readonly split: boolean;
}

function key(op: string, v: GruVariant): string {
  return `${op}/${v.withBias ? 'bias' : 'nobias'}/${v.inference ? 'infer' : 'train'}`;
}

function forwardCell(v: GruVariant): string {
  const keep = (statement: string): string => (v.inference ? '' : statement);
  return /* wgsl */ `
fn ig(q: u32) -> f32 { return fb(input_gates[q]); }
fn gru_cell(t: u32, b: u32, j: u32, rec: vec3<f32>, rd: u32) {
  let H = P.hidden;
  let bh = P.batch * H;
  let s_idx = b * H + j;
  let wr = 1u - rd;
  let o = (t * P.batch + b) * H + j;
  let q = (t * P.batch + b) * 3u * H + j;
  if (!is_active(i32(t), b)) {
    output[o] = 0u;
    ${keep('gates_out[q] = 0u; gates_out[q + H] = 0u; gates_out[q + 2u * H] = 0u; hidden_n[o] = 0u;')}
    state[wr * bh + s_idx] = state[rd * bh + s_idx];
    return;
  }
  let r = f_sigmoid(ig(q) + rec.x);
  let z = f_sigmoid(ig(q + H) + rec.y);
  let hn = rec.z${v.withBias ? ' + fb(weight[P.weight_extra_at + j])' : ''};
  let n = f_tanh(ig(q + 2u * H) + r * hn);
  let h_new = n + z * (fb(state[rd * bh + s_idx]) - n);
  ${keep(`gates_out[q] = bitcast<u32>(r);
  gates_out[q + H] = bitcast<u32>(z);
  gates_out[q + 2u * H] = bitcast<u32>(n);
  hidden_n[o] = bitcast<u32>(hn);`)}
  output[o] = bitcast<u32>(h_new);
  state[wr * bh + s_idx] = bitcast<u32>(h_new);
}
`;
}

/** The forward model. */
export function gruForwardModel(v: GruVariant): RecurrentModel {
  const buffers: Buffer[] = [
    ['input_gates', 'read'],
    ['weight', 'read'],
    ['state', 'write'],
    ['output', 'write'],
    ['gates_out', 'write'],
    ['hidden_n', 'write'],
  ];
  if (v.split) buffers.push(['partial', 'write']);
  return {
    key: key('gruSequence', v),
    buffers,
    step: 's',
    steps: 'P.steps',
    code:
      mathLibrary(['sigmoid', 'tanh']) +
      forwardCell(v) +
      /* wgsl */ `
fn cell_x(b: u32, k: u32) -> f32 { return fb(state[x_base + b * P.hidden + k]); }
fn cell_w(k: u32, j: u32) -> vec3<f32> {
  let base = k * 3u * P.hidden + j;
  return vec3<f32>(fb(weight[base]), fb(weight[base + P.hidden]), fb(weight[base + 2u * P.hidden]));
}
`,
    prelude: 'let t = time_of(s); let rd = s & 1u;',
    phases: [
      {
        name: 'cell',
        gates: 3,
        units: 'P.hidden',
        tilesX: 'P.tiles_x',
        k: 'P.hidden',
        setup: 'x_base = rd * P.batch * P.hidden;',
        epilogue: 'gru_cell(t, b, j, rec, rd);',
      },
    ],
  };
}

const BACKWARD_CELL = /* wgsl */ `
fn gru_cell_backward(u: u32, b: u32, j: u32, rec: f32, use_rec: bool) {
  let H = P.hidden;
  let s_idx = b * H + j;
  var dh = fb(state[s_idx]);
  if (use_rec) { dh = dh + rec; }
  if (u >= P.steps) { state[s_idx] = bitcast<u32>(dh); return; }
  let t = back_time(u);
  let q = (t * P.batch + b) * 3u * H + j;
  if (!is_active(i32(t), b)) {
    d_input_gates[q] = 0u; d_input_gates[q + H] = 0u; d_input_gates[q + 2u * H] = 0u;
    state[s_idx] = bitcast<u32>(dh);
    return;
  }
  let o = (t * P.batch + b) * H + j;
  let pt = previous_time(t);
  var h_before = fb(state[P.extra_at + s_idx]);
  if (is_active(pt, b)) { h_before = fb(output[(u32(pt) * P.batch + b) * H + j]); }
  let r = fb(gates[q]);
  let z = fb(gates[q + H]);
  let n = fb(gates[q + 2u * H]);
  let d_total = dh + fb(d_output[o]);
  let dn = d_total * (1.0 - z) * (1.0 - n * n);
  let dz = d_total * (h_before - n) * z * (1.0 - z);
  let dr = dn * fb(hidden_n[o]) * r * (1.0 - r);
  d_input_gates[q] = bitcast<u32>(dr);
  d_input_gates[q + H] = bitcast<u32>(dz);
  d_input_gates[q + 2u * H] = bitcast<u32>(dn);
  // The part of dh_{t-1} that does not go through W_hh; the product adds the rest next step.
  state[s_idx] = bitcast<u32>(d_total * z);
}
`;

/** The backward model: W_hh [3H, H] as `weight`. */
export function gruBackwardModel(v: GruVariant): RecurrentModel {
  const buffers: Buffer[] = [
    ['d_input_gates', 'write'],
    ['weight', 'read'],
    ['state', 'write'],
    ['d_output', 'read'],
    ['gates', 'read'],
    ['hidden_n', 'read'],
    ['output', 'read'],
  ];
  if (v.split) buffers.push(['partial', 'write']);
  return {
    key: key('gruSequenceBackward', { ...v, inference: false }),
    buffers,
    step: 'u',
    steps: 'P.steps + 1u',
    code:
      mathLibrary([]) +
      BACKWARD_CELL +
      /* wgsl */ `
// dRec = (dr, dz, dn ⊙ r): the n block of dInputGates times r, read from the saved gates.
fn cell_x(b: u32, k: u32) -> f32 {
  let at = x_base + b * 3u * P.hidden + k;
  let d = fb(d_input_gates[at]);
  if (k < 2u * P.hidden) { return d; }
  return d * fb(gates[at - 2u * P.hidden]);
}
fn cell_w(k: u32, j: u32) -> f32 { return fb(weight[k * P.hidden + j]); }
`,
    prelude: '',
    phases: [
      {
        name: 'cell',
        gates: 1,
        units: 'P.hidden',
        tilesX: 'P.tiles_x',
        k: '3u * P.hidden',
        setup: 'if (u > 0u) { x_base = back_time(u - 1u) * P.batch * 3u * P.hidden; }',
        productWhen: 'u > 0u',
        hostProductWhen: (u) => u > 0,
        epilogue: 'gru_cell_backward(u, b, j, rec, uses_rec(u, b));',
      },
    ],
  };
}

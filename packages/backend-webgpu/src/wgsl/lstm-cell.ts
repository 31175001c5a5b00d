/**
 * The LSTM cell's pointwise math in WGSL, shared by `lstmCell` and the sequence kernels: gate
 * order i, f, g, o; `c' = σ(f)·c + σ(i)·tanh(g)`, `h = σ(o)·tanh(c')`, and the backward of both
 * (PyTorch's `_thnn_fused_lstm_cell` and its backward). Activations come from `wgsl/math.ts`.
 */

/** `lstm_cell(pre, c) -> vec2(h, c')` and `lstm_gates(pre) -> vec4(i, f, g, o)`. */
export const LSTM_CELL = /* wgsl */ `
fn lstm_gates(pre: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(f_sigmoid(pre.x), f_sigmoid(pre.y), f_tanh(pre.z), f_sigmoid(pre.w));
}
// (h, c') from the activated gates and the previous cell.
fn lstm_state(gates: vec4<f32>, c: f32) -> vec2<f32> {
  let c_new = gates.y * c + gates.x * gates.z;
  return vec2<f32>(gates.w * f_tanh(c_new), c_new);
}
`;

/**
 * `lstm_cell_backward(dh, dc, c_prev, c_new, gates) -> (d_pre_i, d_pre_f, d_pre_g, d_pre_o)` and
 * the previous cell's gradient through `lstm_dc_prev`.
 */
export const LSTM_CELL_BACKWARD = /* wgsl */ `
struct CellGrad {
  d_gates: vec4<f32>,
  dc_prev: f32,
};
fn lstm_cell_backward(dh: f32, dc: f32, c_prev: f32, c_new: f32, gates: vec4<f32>) -> CellGrad {
  let i = gates.x;
  let f = gates.y;
  let g = gates.z;
  let o = gates.w;
  let tc = f_tanh(c_new);
  let dc_total = dc + dh * o * (1.0 - tc * tc);
  var out: CellGrad;
  out.d_gates = vec4<f32>(
    dc_total * g * i * (1.0 - i),
    dc_total * c_prev * f * (1.0 - f),
    dc_total * i * (1.0 - g * g),
    dh * tc * o * (1.0 - o),
  );
  out.dc_prev = dc_total * f;
  return out;
}
`;

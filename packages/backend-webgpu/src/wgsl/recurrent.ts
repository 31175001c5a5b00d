/**
 * The tiled recurrent product shared by the sequence kernels: `product(row0, j, ...)` returns, for
 * unit `j` and the `rb` batch rows an invocation owns, Σ_k X[b, k]·W(k, j) over a K range. Rows
 * of X are staged `K_TILE` at a time in workgroup memory (every unit of the workgroup reads them);
 * each invocation loads its unit's weights once per k and uses them for all its rows.
 *
 * `gates` = 4 (forward): W(k, j) is the vec4 of W_hhᵀ[k, g·H + j] over the gates g, from the
 * transposed weights (so that consecutive units read consecutive addresses). `gates` = 1
 * (backward): W(k, j) = W_hh[k, j]. The kernel defines `load_x(b, k)` and `load_w(k, j)`.
 */
import { K_TILE, type RecurrentTile } from '../kernels/lstm-plan.js';

export function accumulatorType(gates: 1 | 4): string {
  return gates === 4 ? 'vec4<f32>' : 'f32';
}

export function productCode(tile: RecurrentTile, gates: 1 | 4): string {
  const rows = tile.wgy * tile.rb;
  const threads = tile.wgx * tile.wgy;
  const acc = accumulatorType(gates);
  const accumulate = Array.from({ length: tile.rb }, (_, r) => `        acc[${r}] = acc[${r}] + xs[(ty + ${r * tile.wgy}u) * ${K_TILE}u + kk] * w;`).join('\n');
  return `
var<workgroup> xs: array<f32, ${rows * K_TILE}>;
fn product(row0: u32, j: u32, lid: u32, ty: u32, k_begin: u32, k_end: u32) -> array<${acc}, ${tile.rb}> {
  var acc: array<${acc}, ${tile.rb}>;
  for (var k0 = k_begin; k0 < k_end; k0 = k0 + ${K_TILE}u) {
    for (var e = lid; e < ${rows * K_TILE}u; e = e + ${threads}u) {
      let b = row0 + e / ${K_TILE}u;
      let k = k0 + e % ${K_TILE}u;
      var v = 0.0;
      if (b < P.batch && k < k_end) { v = load_x(b, k); }
      xs[e] = v;
    }
    workgroupBarrier();
    if (j < P.hidden) {
      let count = min(${K_TILE}u, k_end - k0);
      for (var kk = 0u; kk < count; kk = kk + 1u) {
        let w = load_w(k0 + kk, j);
${accumulate}
      }
    }
    workgroupBarrier();
  }
  return acc;
}
`;
}

/** Common declarations of the sequence kernels: the step's time, activity under `lengths`. */
export function sequenceHelpers(withLengths: boolean): string {
  return `
var<private> x_base: u32;
// Forward processing order: step s runs time t.
fn time_of(s: u32) -> u32 { return select(s, P.steps - 1u - s, P.reverse == 1u); }
// The step processed just before time t in the forward pass (-1 or T when there is none).
fn previous_time(t: u32) -> i32 { return select(i32(t) - 1i, i32(t) + 1i, P.reverse == 1u); }
fn is_active(t: i32, b: u32) -> bool {
  if (t < 0i || t >= i32(P.steps)) { return false; }
  ${withLengths ? 'return t < bitcast<i32>(lengths[b]);' : 'return true;'}
}
`;
}

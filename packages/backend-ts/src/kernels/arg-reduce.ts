/**
 * argmax / argmin along one axis. NaN counts as the extreme in both directions, so the first NaN
 * wins; ties keep the first index. The scan runs along the axis in the outer loop and across the
 * contiguous trailing elements in the inner loop, so it reads memory in order. An empty axis with
 * a non-empty result is refused by the checked layer.
 */
import type { ArgReduceOp, Shape, TypedArray } from '@gated/backend-api';

export function argReduce(op: ArgReduceOp, x: TypedArray, shape: Shape, axis: number): Int32Array {
  const n = shape[axis]!;
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  const out = new Int32Array(outer * inner);
  if (out.length === 0) return out;
  const best = new Float64Array(inner);
  const max = op === 'argmax';
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    const outBase = o * inner;
    for (let j = 0; j < inner; j++) best[j] = x[base + j]!;
    for (let k = 1; k < n; k++) {
      const row = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const current = best[j]!;
        const v = x[row + j]!;
        // A NaN best is final; a NaN candidate beats any number.
        if (current === current && (v !== v || (max ? v > current : v < current))) {
          best[j] = v;
          out[outBase + j] = k;
        }
      }
    }
  }
  return out;
}

/** `where(cond, a, b)`: elementwise select, all three operands broadcast to the output shape. */
import { allocArray, broadcastStrides, sizeOf, type DType, type Shape, type TypedArray } from '@gated/backend-api';
import { planRows } from './row-plan.js';

function selectRow(
  out: TypedArray,
  o: number,
  n: number,
  cond: Uint8Array,
  ic: number,
  sc: number,
  a: TypedArray,
  ia: number,
  sa: number,
  b: TypedArray,
  ib: number,
  sb: number,
): void {
  for (const end = o + n; o < end; o++, ic += sc, ia += sa, ib += sb) out[o] = cond[ic] !== 0 ? a[ia]! : b[ib]!;
}

export function where(
  cond: Uint8Array,
  condShape: Shape,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  dtype: DType,
  outShape: Shape,
): TypedArray {
  const size = sizeOf(outShape);
  const out = allocArray(dtype, size);
  if (size === 0) return out;
  const plan = planRows(outShape, [
    broadcastStrides(condShape, outShape),
    broadcastStrides(aShape, outShape),
    broadcastStrides(bShape, outShape),
  ]);
  const [sc, sa, sb] = plan.innerStrides as [number, number, number];
  const [offC, offA, offB] = plan.offsets as [Int32Array, Int32Array, Int32Array];
  const n = plan.length;
  for (let r = 0; r < plan.rows; r++) selectRow(out, r * n, n, cond, offC[r]!, sc, a, offA[r]!, sa, b, offB[r]!, sb);
  return out;
}

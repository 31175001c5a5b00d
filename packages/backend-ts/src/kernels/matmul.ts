/**
 * Batched matrix product. Both operands are packed into panels of four rows (A) and four columns
 * (B), interleaved along K, so the 4×4 micro-kernel reads both with unit stride whatever the
 * transpose flags were; its sixteen accumulators are JS numbers, so every dot product accumulates
 * in double precision and is rounded once on store. Row tiles are taken in blocks so a block of
 * packed A stays in cache while every column panel of B streams past it.
 *
 * The packing helpers and {@link gemmPacked} are exported for the LSTM kernels, which pack their
 * recurrent weights once per call and reuse them at every step.
 */
import { broadcastStrides, sizeOf, type Shape } from '@gated/backend-api';
import { planRows } from './row-plan.js';

/** Row tiles (of four rows each) per cache block. */
const ROW_TILES_PER_BLOCK = 16;

/** Elements of a packed panel set holding `rows` rows (or columns) of length `depth`. */
export function packedSize(rows: number, depth: number): number {
  return ((rows + 3) >> 2) * 4 * depth;
}

/**
 * Packs an `rows × depth` matrix, element (r, d) at `src[offset + r * rowStride + d * depthStride]`,
 * into `dst` as panels of four rows interleaved along depth; missing rows of the last panel are 0.
 * A is packed with rows = M (depth K); B with rows = N (its columns), depth K.
 */
export function pack(
  src: Float32Array,
  offset: number,
  rowStride: number,
  depthStride: number,
  rows: number,
  depth: number,
  dst: Float32Array,
): void {
  if (depthStride === 1 || rowStride !== 1) {
    for (let r = 0; r < rows; r++) {
      let s = offset + r * rowStride;
      let d = (r >> 2) * depth * 4 + (r & 3);
      for (let k = 0; k < depth; k++, s += depthStride, d += 4) dst[d] = src[s]!;
    }
  } else {
    // Rows are contiguous in memory: walk each depth slice along them instead.
    for (let k = 0; k < depth; k++) {
      let s = offset + k * depthStride;
      for (let r = 0; r < rows; r++, s++) dst[(r >> 2) * depth * 4 + k * 4 + (r & 3)] = src[s]!;
    }
  }
  for (let r = rows; r < ((rows + 3) & ~3); r++) {
    const base = (r >> 2) * depth * 4 + (r & 3);
    for (let k = 0; k < depth; k++) dst[base + k * 4] = 0;
  }
}

/** `out[g, j] = Σ over rows r of a[r, g] · b[r, j]`: a [rows, m], b [rows, n] → [m, n] (a weight's gradient over every step of a sequence). */
export function rowsProduct(a: Float32Array, b: Float32Array, rows: number, m: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  if (rows === 0) return out;
  const packedA = new Float32Array(packedSize(m, rows));
  const packedB = new Float32Array(packedSize(n, rows));
  pack(a, 0, 1, m, m, rows, packedA);
  pack(b, 0, 1, n, n, rows, packedB);
  gemmPacked(packedA, packedB, m, n, rows, out, 0, n);
  return out;
}

const edgeTile = new Float64Array(16);

/**
 * `out[outOffset + i * outRowStride + j] = Σ_k A(i, k) · B(k, j)` for packed `a` (M rows) and `b`
 * (N columns), depth K. Overwrites; never allocates.
 */
export function gemmPacked(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  depth: number,
  out: Float32Array | Float64Array,
  outOffset: number,
  outRowStride: number,
): void {
  const rowTiles = (m + 3) >> 2;
  const colTiles = (n + 3) >> 2;
  const panel = depth * 4;
  for (let block = 0; block < rowTiles; block += ROW_TILES_PER_BLOCK) {
    const blockEnd = Math.min(rowTiles, block + ROW_TILES_PER_BLOCK);
    for (let jt = 0; jt < colTiles; jt++) {
      for (let it = block; it < blockEnd; it++) {
        let c00 = 0,
          c01 = 0,
          c02 = 0,
          c03 = 0,
          c10 = 0,
          c11 = 0,
          c12 = 0,
          c13 = 0;
        let c20 = 0,
          c21 = 0,
          c22 = 0,
          c23 = 0,
          c30 = 0,
          c31 = 0,
          c32 = 0,
          c33 = 0;
        let pa = it * panel;
        let pb = jt * panel;
        const paEnd = pa + panel;
        for (; pa < paEnd; pa += 4, pb += 4) {
          const a0 = a[pa]!,
            a1 = a[pa + 1]!,
            a2 = a[pa + 2]!,
            a3 = a[pa + 3]!;
          const b0 = b[pb]!,
            b1 = b[pb + 1]!,
            b2 = b[pb + 2]!,
            b3 = b[pb + 3]!;
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
        }
        const i0 = it * 4;
        const j0 = jt * 4;
        let o = outOffset + i0 * outRowStride + j0;
        if (i0 + 4 <= m && j0 + 4 <= n) {
          out[o] = c00;
          out[o + 1] = c01;
          out[o + 2] = c02;
          out[o + 3] = c03;
          o += outRowStride;
          out[o] = c10;
          out[o + 1] = c11;
          out[o + 2] = c12;
          out[o + 3] = c13;
          o += outRowStride;
          out[o] = c20;
          out[o + 1] = c21;
          out[o + 2] = c22;
          out[o + 3] = c23;
          o += outRowStride;
          out[o] = c30;
          out[o + 1] = c31;
          out[o + 2] = c32;
          out[o + 3] = c33;
        } else {
          const t = edgeTile;
          t[0] = c00;
          t[1] = c01;
          t[2] = c02;
          t[3] = c03;
          t[4] = c10;
          t[5] = c11;
          t[6] = c12;
          t[7] = c13;
          t[8] = c20;
          t[9] = c21;
          t[10] = c22;
          t[11] = c23;
          t[12] = c30;
          t[13] = c31;
          t[14] = c32;
          t[15] = c33;
          const rows = Math.min(4, m - i0);
          const cols = Math.min(4, n - j0);
          for (let r = 0; r < rows; r++, o += outRowStride) {
            for (let c = 0; c < cols; c++) out[o + c] = t[r * 4 + c]!;
          }
        }
      }
    }
  }
}

/**
 * `a · b` batched: `a` is [...batchA, M, K] ([..., K, M] when `transposeA`), `b` is
 * [...batchB, K, N] ([..., N, K] when `transposeB`), batch axes broadcast to `outShape`.
 */
export function matmul(
  a: Float32Array,
  aShape: Shape,
  b: Float32Array,
  bShape: Shape,
  transposeA: boolean,
  transposeB: boolean,
  outShape: Shape,
): Float32Array {
  const rank = outShape.length;
  const m = outShape[rank - 2]!;
  const n = outShape[rank - 1]!;
  const depth = aShape[aShape.length - (transposeA ? 2 : 1)]!;
  const out = new Float32Array(sizeOf(outShape));
  if (out.length === 0 || depth === 0) return out;
  const batchShape = outShape.slice(0, -2);
  const plan = planRows(batchShape, [
    broadcastStrides(aShape.slice(0, -2), batchShape).map((s) => s * m * depth),
    broadcastStrides(bShape.slice(0, -2), batchShape).map((s) => s * depth * n),
  ]);
  const [strideA, strideB] = plan.innerStrides as [number, number];
  const [offsetsA, offsetsB] = plan.offsets as [Int32Array, Int32Array];
  // A(i, k) and B(k, j) as (row, depth) strides of the packed operands.
  const [aRow, aDepth] = transposeA ? [1, m] : [depth, 1];
  const [bRow, bDepth] = transposeB ? [depth, 1] : [1, n];
  const packedA = new Float32Array(packedSize(m, depth));
  const packedB = new Float32Array(packedSize(n, depth));
  let lastA = -1;
  let lastB = -1;
  let outOffset = 0;
  for (let r = 0; r < plan.rows; r++) {
    for (let t = 0; t < plan.length; t++, outOffset += m * n) {
      const offsetA = offsetsA[r]! + t * strideA;
      const offsetB = offsetsB[r]! + t * strideB;
      // A broadcast operand is packed once for all the batches that share it.
      if (offsetA !== lastA) pack(a, offsetA, aRow, aDepth, m, depth, packedA);
      if (offsetB !== lastB) pack(b, offsetB, bRow, bDepth, n, depth, packedB);
      lastA = offsetA;
      lastB = offsetB;
      gemmPacked(packedA, packedB, m, n, depth, out, outOffset, n);
    }
  }
  return out;
}

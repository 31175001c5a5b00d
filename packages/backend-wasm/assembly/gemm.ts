/**
 * Single-precision matrix product C = A·B. B is packed into panels of 8 columns (zero-padded),
 * K-major, so the micro-kernel reads it with two unit-stride vector loads per k; A is packed per
 * block into groups of 4 rows, K-major, so its four broadcasts per k are loads at constant
 * offsets. A is addressed through a row step and a k step in bytes, which covers both layouts:
 * row-major A is (rs = lda·4, ks = 4) and transposed A (stored K×M) is (rs = 4, ks = lda·4).
 * A single contiguous row (a vector-matrix product) is read in place.
 *
 * The 4×8 micro-kernel keeps 8 f32x4 accumulators in registers (V8 has 15 xmm registers for
 * wasm; 12 accumulators spill), broadcasting one A value per row and k. Loops follow GotoBLAS:
 * K in blocks of KC (a B panel block stays in L1), rows in blocks of MC (that A block stays in
 * L2), then panels, then row tiles. Threads split rows (or panels when there are few rows)
 * after packing B together.
 */
import { GemmArg } from './abi';
import { madd, storeTransposed } from './common';
import { argI, argP, barrier, claimBegin, claimedEnd, claimNext, shareBegin, tileScratch } from './threads';

const KC: i32 = 256;
const MC: i32 = 64;

/**
 * a·b + c as two instructions even in the relaxed build: in the memory-bound vector-matrix
 * kernel (tile1) V8's fused form measured about 20% slower on Zen 3.
 */
@inline function maddSeparate(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function put(c: usize, offset: usize, v: v128, accumulate: bool): void {
  if (accumulate) v = f32x4.add(v128.load(c + offset), v);
  v128.store(c + offset, v);
}

/** Adds (or stores) `rows` × `cols` values of an 8-wide tile staged at `scratch` into C. */
function putPartial(scratch: usize, c: usize, ldc: usize, rows: i32, cols: i32, accumulate: bool): void {
  for (let r = 0; r < rows; r++) {
    const row = c + <usize>r * ldc;
    const src = scratch + (<usize>r << 5);
    for (let j = 0; j < cols; j++) {
      const offset = <usize>j << 2;
      let v = load<f32>(src + offset);
      if (accumulate) v += load<f32>(row + offset);
      store<f32>(row + offset, v);
    }
  }
}

/**
 * 4 packed rows × 8 columns over `kc` steps of k: `a` is a panel of packed A (kc groups of 4
 * row values), `b` a panel of packed B (kc groups of 8 column values). Only `rows` × `cols` of
 * the tile are stored; edge tiles stage their values at `scratch`.
 *
 * The loop body is four steps of k, each ending in its own exit test. The tests are what make
 * the unrolling pay under V8: TurboFan hoists every load of a basic block to its top, and in one
 * block of four (or two) steps the loaded values plus the 8 accumulators exceed the 15 vector
 * registers, so it spills. With a branch between steps each block loads only what its step
 * uses, and the loop's fixed cost (back edge, interrupt check, index moves) is paid once per
 * four steps: about 15% faster than one step per iteration with plain SIMD (no change with
 * relaxed SIMD, which is bound by its fused multiply-adds).
 */
export function tile4(
  a: usize, b: usize, c: usize, ldc: usize, kc: i32, rows: i32, cols: i32, accumulate: bool, scratch: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = b + (<usize>kc << 5);
  let b0: v128, b1: v128, av: v128;
  while (b < end) {
    b0 = v128.load(b); b1 = v128.load(b, 16);
    av = v128.load32_splat(a); c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
    av = v128.load32_splat(a, 4); c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    av = v128.load32_splat(a, 8); c20 = madd(av, b0, c20); c21 = madd(av, b1, c21);
    av = v128.load32_splat(a, 12); c30 = madd(av, b0, c30); c31 = madd(av, b1, c31);
    a += 16; b += 32;
    if (b >= end) break;
    b0 = v128.load(b); b1 = v128.load(b, 16);
    av = v128.load32_splat(a); c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
    av = v128.load32_splat(a, 4); c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    av = v128.load32_splat(a, 8); c20 = madd(av, b0, c20); c21 = madd(av, b1, c21);
    av = v128.load32_splat(a, 12); c30 = madd(av, b0, c30); c31 = madd(av, b1, c31);
    a += 16; b += 32;
    if (b >= end) break;
    b0 = v128.load(b); b1 = v128.load(b, 16);
    av = v128.load32_splat(a); c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
    av = v128.load32_splat(a, 4); c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    av = v128.load32_splat(a, 8); c20 = madd(av, b0, c20); c21 = madd(av, b1, c21);
    av = v128.load32_splat(a, 12); c30 = madd(av, b0, c30); c31 = madd(av, b1, c31);
    a += 16; b += 32;
    if (b >= end) break;
    b0 = v128.load(b); b1 = v128.load(b, 16);
    av = v128.load32_splat(a); c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
    av = v128.load32_splat(a, 4); c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    av = v128.load32_splat(a, 8); c20 = madd(av, b0, c20); c21 = madd(av, b1, c21);
    av = v128.load32_splat(a, 12); c30 = madd(av, b0, c30); c31 = madd(av, b1, c31);
    a += 16; b += 32;
  }
  if (rows == 4 && cols == 8) {
    put(c, 0, c00, accumulate); put(c, 16, c01, accumulate); c += ldc;
    put(c, 0, c10, accumulate); put(c, 16, c11, accumulate); c += ldc;
    put(c, 0, c20, accumulate); put(c, 16, c21, accumulate); c += ldc;
    put(c, 0, c30, accumulate); put(c, 16, c31, accumulate);
  } else {
    v128.store(scratch, c00); v128.store(scratch, c01, 16);
    v128.store(scratch, c10, 32); v128.store(scratch, c11, 48);
    v128.store(scratch, c20, 64); v128.store(scratch, c21, 80);
    v128.store(scratch, c30, 96); v128.store(scratch, c31, 112);
    putPartial(scratch, c, ldc, rows, cols, accumulate);
  }
}

/**
 * 1 row × 8 columns (a vector-matrix product) with the row contiguous at `a`, k unrolled by four
 * into separate accumulators (8 in flight): the memory-bound case of batch-1 recurrences.
 */
export function tile1(a: usize, b: usize, c: usize, kc: i32, cols: i32, accumulate: bool, scratch: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), d0 = f32x4.splat(0), d1 = f32x4.splat(0);
  let e0 = f32x4.splat(0), e1 = f32x4.splat(0), f0 = f32x4.splat(0), f1 = f32x4.splat(0);
  const end4 = b + (<usize>(kc & ~3) << 5);
  while (b < end4) {
    let av = v128.load32_splat(a);
    c0 = maddSeparate(av, v128.load(b), c0); c1 = maddSeparate(av, v128.load(b, 16), c1);
    av = v128.load32_splat(a, 4);
    d0 = maddSeparate(av, v128.load(b, 32), d0); d1 = maddSeparate(av, v128.load(b, 48), d1);
    av = v128.load32_splat(a, 8);
    e0 = maddSeparate(av, v128.load(b, 64), e0); e1 = maddSeparate(av, v128.load(b, 80), e1);
    av = v128.load32_splat(a, 12);
    f0 = maddSeparate(av, v128.load(b, 96), f0); f1 = maddSeparate(av, v128.load(b, 112), f1);
    a += 16;
    b += 128;
  }
  const end = end4 + (<usize>(kc & 3) << 5);
  while (b < end) {
    const av = v128.load32_splat(a);
    c0 = maddSeparate(av, v128.load(b), c0); c1 = maddSeparate(av, v128.load(b, 16), c1);
    a += 4;
    b += 32;
  }
  c0 = f32x4.add(f32x4.add(c0, d0), f32x4.add(e0, f0));
  c1 = f32x4.add(f32x4.add(c1, d1), f32x4.add(e1, f1));
  if (cols == 8) {
    put(c, 0, c0, accumulate); put(c, 16, c1, accumulate);
  } else {
    v128.store(scratch, c0); v128.store(scratch, c1, 16);
    putPartial(scratch, c, 0, 1, cols, accumulate);
  }
}

/**
 * Packs `rows` rows of A (element (i, k) at `a + i·rs + k·ks`, k in [0, kc)) into groups of 4
 * rows interleaved along k, `[ceil(rows/4)][kc][4]`, rows past `rows` zero.
 */
export function packA(a: usize, rs: usize, ks: usize, rows: i32, kc: i32, dst: usize): void {
  for (let i = 0; i < rows; i += 4) {
    const n = min(4, rows - i);
    const base = dst + <usize>i * (<usize>kc << 2);
    if (n == 4 && rs == 4) {
      // Transposed A: the four rows at one k are adjacent in memory.
      let src = a + <usize>i * rs;
      let d = base;
      for (let k = 0; k < kc; k++, src += ks, d += 16) v128.store(d, v128.load(src));
      continue;
    }
    if (n < 4) memory.fill(base, 0, <usize>kc << 4);
    for (let r = 0; r < n; r++) {
      let src = a + <usize>(i + r) * rs;
      let d = base + (<usize>r << 2);
      if (ks == 4) {
        let k = 0;
        // Four k at a time: one vector load, four scalar stores 16 bytes apart.
        for (; k + 4 <= kc; k += 4) {
          const v = v128.load(src);
          store<f32>(d, f32x4.extract_lane(v, 0));
          store<f32>(d, f32x4.extract_lane(v, 1), 16);
          store<f32>(d, f32x4.extract_lane(v, 2), 32);
          store<f32>(d, f32x4.extract_lane(v, 3), 48);
          src += 16;
          d += 64;
        }
        for (; k < kc; k++, src += 4, d += 16) store<f32>(d, load<f32>(src));
      } else {
        for (let k = 0; k < kc; k++, src += ks, d += 16) store<f32>(d, load<f32>(src));
      }
    }
  }
}

/** Bytes of the packed-A block each thread of a GEMM job needs. */
export const PACK_A_BYTES: i32 = MC * KC * 4;

export function packABytes(): i32 {
  return PACK_A_BYTES;
}

/**
 * Packs panels [panelBegin, panelEnd) of the K×N matrix B (element (k, j) at `b[k·ldb + j]`,
 * or `b[j·ldb + k]` when `transposed`) into `packed`: panel p holds columns 8p..8p+7 as K rows
 * of 8, columns past N are 0.
 */
export function packB(
  b: usize, ldb: i32, transposed: bool, k: i32, n: i32, packed: usize, panelBegin: i32, panelEnd: i32,
): void {
  const rowBytes = <usize>ldb << 2;
  for (let p = panelBegin; p < panelEnd; p++) {
    let dst = packed + ((<usize>p * <usize>k) << 5);
    const j0 = p << 3;
    const cols = min(8, n - j0);
    if (!transposed) {
      let src = b + (<usize>j0 << 2);
      if (cols == 8) {
        for (let kk = 0; kk < k; kk++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += rowBytes;
          dst += 32;
        }
      } else {
        for (let kk = 0; kk < k; kk++) {
          v128.store(dst, i32x4.splat(0));
          v128.store(dst, i32x4.splat(0), 16);
          for (let j = 0; j < cols; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
          src += rowBytes;
          dst += 32;
        }
      }
    } else {
      packRows(b + <usize>j0 * rowBytes, rowBytes, cols, k, dst);
    }
  }
}

/**
 * Packs `rows` ≤ 8 rows of length `depth` (row r at `src + r·rowBytes`) as the columns of one
 * 8-wide panel: `dst[k·8 + r] = row r[k]`, missing rows 0. Full panels go four k at a time
 * through 4×4 transposes.
 */
export function packRows(src: usize, rowBytes: usize, rows: i32, depth: i32, dst: usize): void {
  let k = 0;
  if (rows == 8) {
    for (; k + 4 <= depth; k += 4) {
      const s = src + (<usize>k << 2);
      const d = dst + (<usize>k << 5);
      storeTransposed(v128.load(s), v128.load(s + rowBytes), v128.load(s + rowBytes * 2), v128.load(s + rowBytes * 3), d, 32);
      const s4 = s + rowBytes * 4;
      storeTransposed(v128.load(s4), v128.load(s4 + rowBytes), v128.load(s4 + rowBytes * 2), v128.load(s4 + rowBytes * 3), d + 16, 32);
    }
  } else if (k < depth) {
    memory.fill(dst + (<usize>k << 5), 0, <usize>(depth - k) << 5);
  }
  for (let r = 0; r < rows; r++) {
    let s = src + <usize>r * rowBytes + (<usize>k << 2);
    let d = dst + (<usize>k << 5) + (<usize>r << 2);
    for (let kk = k; kk < depth; kk++, s += 4, d += 32) store<f32>(d, load<f32>(s));
  }
}

/** Elements of the packed form of a K×N matrix. */
export function packedSize(k: i32, n: i32): i32 {
  return ((n + 7) >> 3) * 8 * k;
}

/**
 * C rows [rowBegin, rowEnd) × panels [panelBegin, panelEnd) of A·B with B packed. `rowBegin`
 * is a multiple of 4. C(i, j) is at `c + i·ldc + j·4` (ldc in bytes); every element of the
 * region is written (zeros when K = 0). `packed A` is this thread's PACK_A_BYTES of scratch.
 */
export function gemmRegion(
  a: usize, rs: usize, ks: usize, packed: usize, c: usize, ldc: usize, n: i32, k: i32,
  rowBegin: i32, rowEnd: i32, panelBegin: i32, panelEnd: i32, packedA: usize, scratch: usize,
): void {
  if (rowBegin >= rowEnd || panelBegin >= panelEnd) return;
  if (k == 0) {
    const colBegin = panelBegin << 3;
    const width = <usize>(min(panelEnd << 3, n) - colBegin) << 2;
    for (let i = rowBegin; i < rowEnd; i++) memory.fill(c + <usize>i * ldc + (<usize>colBegin << 2), 0, width);
    return;
  }
  // One contiguous row: a vector-matrix product straight from A.
  const single = rowEnd - rowBegin == 1 && ks == 4;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const accumulate = pc > 0;
    for (let ic = rowBegin; ic < rowEnd; ic += MC) {
      const icEnd = min(ic + MC, rowEnd);
      if (!single) packA(a + <usize>ic * rs + <usize>pc * ks, rs, ks, icEnd - ic, kc, packedA);
      for (let p = panelBegin; p < panelEnd; p++) {
        const bp = packed + ((<usize>p * <usize>k + <usize>pc) << 5);
        const cols = min(8, n - (p << 3));
        const cp = c + <usize>ic * ldc + (<usize>p << 5);
        if (single) {
          tile1(a + <usize>ic * rs + (<usize>pc << 2), bp, cp, kc, cols, accumulate, scratch);
          continue;
        }
        let ap = packedA;
        for (let i = ic; i < icEnd; i += 4) {
          tile4(ap, bp, cp + <usize>(i - ic) * ldc, ldc, kc, min(4, icEnd - i), cols, accumulate, scratch);
          ap += <usize>kc << 4;
        }
      }
    }
  }
}

/** The threaded GEMM job: pack B together, meet, then each thread computes its share of C. */
export function gemmJob(cb: usize, tid: i32, threads: i32): void {
  const m = argI(cb, GemmArg.m);
  const n = argI(cb, GemmArg.n);
  const k = argI(cb, GemmArg.k);
  const packed = argP(cb, GemmArg.packed);
  const panels = (n + 7) >> 3;
  if (argI(cb, GemmArg.packedReady) == 0 && k > 0) {
    packB(argP(cb, GemmArg.b), argI(cb, GemmArg.ldb), argI(cb, GemmArg.transposeB) != 0, k, n, packed,
      shareBegin(panels, tid, threads), shareBegin(panels, tid + 1, threads));
    barrier(cb, tid, threads);
  }
  const rowTiles = (m + 3) >> 2;
  const a = argP(cb, GemmArg.a);
  const rs = <usize>argI(cb, GemmArg.rowStep);
  const ks = <usize>argI(cb, GemmArg.depthStep);
  const c = argP(cb, GemmArg.c);
  const ldc = <usize>argI(cb, GemmArg.ldc) << 2;
  const packedA = argP(cb, GemmArg.packedA) + <usize>tid * <usize>PACK_A_BYTES;
  const scratch = tileScratch(cb, tid);
  // Threads claim blocks of MC rows, or of 4 panels when there are few rows (see `claimNext`).
  const byRows = threads == 1 || rowTiles >= threads * 4 || rowTiles >= panels;
  const count = byRows ? rowTiles : panels;
  const chunk = byRows ? MC >> 2 : 4;
  claimBegin(cb, 0, tid);
  for (let first = claimNext(cb, 0, tid, threads, count, 1, chunk, false); first >= 0;
    first = claimNext(cb, 0, tid, threads, count, 1, chunk, false)) {
    const last = claimedEnd(cb, tid);
    if (byRows) gemmRegion(a, rs, ks, packed, c, ldc, n, k, first << 2, min(m, last << 2), 0, panels, packedA, scratch);
    else gemmRegion(a, rs, ks, packed, c, ldc, n, k, 0, m, first, last, packedA, scratch);
  }
}

/**
 * One backward step's recurrent product over the W panels [p0, p1) (descending when `descending`):
 * C[:, panel] = A · W_panel, where A is one row at `a` (batch 1) or the packed rows at `packedA`
 * (`rowBytes` per row) and C has rows of `hBytes`. Shared by the LSTM and GRU backward jobs.
 */
export function panelProducts(
  a: usize,
  packedA: usize,
  rowBytes: usize,
  packed: usize,
  p0: i32,
  p1: i32,
  descending: bool,
  width: i32,
  hidden: i32,
  batch: i32,
  c: usize,
  hBytes: usize,
  scratch: usize,
): void {
  for (let i = p0; i < p1; i++) {
    const panel = descending ? p1 - 1 - (i - p0) : i;
    const w = packed + <usize>panel * (<usize>width << 5);
    const cols = min(8, hidden - (panel << 3));
    const cp = c + (<usize>panel << 5);
    if (batch == 1) {
      tile1(a, w, cp, width, cols, false, scratch);
      continue;
    }
    let ap = packedA;
    for (let b = 0; b < batch; b += 4) {
      tile4(ap, w, cp + <usize>b * hBytes, hBytes, width, min(4, batch - b), cols, false, scratch);
      ap += rowBytes << 2;
    }
  }
}

/**
 * Fused LSTM kernels in PyTorch's gate order i, f, g, o: one cell step (`lstmCell`, forward and
 * backward) and whole sequences (`lstmSequenceJob`, `lstmSequenceBackwardJob`) whose time loop
 * runs entirely here, threads meeting at one barrier per step.
 *
 * Forward. W_hh [4H, H] is packed once per call into two 8-column panels per group of four hidden
 * units, (i, f) and (g, o), so one 4×8 micro-kernel pass per panel leaves all four gates of those
 * units side by side in a small `pre` buffer. The pointwise cell then reads them with vector loads.
 * h is double-buffered: every thread reads all of h_{t-1} while writing the units it claimed of h_t.
 *
 * Backward (BPTT). W_hh is packed in 8-unit column panels for dh_{t} = dGates_{t+1} · W_hh. A
 * thread that claims a chunk of units finishes their dh and runs their cell backward at once;
 * only the gate gradients of a step (read by everyone's product) need the barrier. dW_hh is one
 * GEMM at the end (on the host).
 *
 * Threads claim their work (`claimNext` in threads.ts): groups of units in the forward jobs,
 * 8-unit panels in the backward one.
 *
 * Masking: sequence b is active at step t when t < lengths[b]. Inactive steps carry the state and
 * write zeros, so in the reverse direction each sequence starts from h0, c0 at its own last step.
 */
import { one, storeTransposed, vsigmoid4, vtanh } from './common';
import { packA, packB, tile1, tile4 } from './gemm';
import { argI, argP, barrier, claimBegin, claimedEnd, claimNext, shareBegin, tileScratch } from './threads';

/** Loads `n` ≤ 4 floats as a vector (the rest 0) through 16 bytes of scratch. */
@inline function loadN(p: usize, n: i32, scratch: usize): v128 {
  if (n == 4) return v128.load(p);
  v128.store(scratch, i32x4.splat(0));
  for (let l = 0; l < n; l++) store<f32>(scratch + (<usize>l << 2), load<f32>(p + (<usize>l << 2)));
  return v128.load(scratch);
}

@inline function storeN(p: usize, v: v128, n: i32, scratch: usize): void {
  if (n == 4) {
    v128.store(p, v);
    return;
  }
  v128.store(scratch, v);
  for (let l = 0; l < n; l++) store<f32>(p + (<usize>l << 2), load<f32>(scratch + (<usize>l << 2)));
}

@inline function zeroN(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

/**
 * The forward cell runs in two passes over a row's units, because each σ and tanh is one long
 * chain of dependent operations and the core only overlaps a few of them: first `gatesForward`
 * for every group of four units (the four gates through one interleaved σ), then `stateForward`
 * for every group (c' and h), whose tanh(c') chains are then independent of each other. In one
 * pass, each tanh(c') waited for its own group's σ; two passes made the cell about 1.3× faster.
 */

/**
 * Pass one for up to four units: σ of the pre-activations xi, xf, xo and of 2·xg (tanh(x) =
 * 2σ(2x) − 1, finished by `stateForward`), stored as gates (gate g of the first unit at
 * `gates + g·gateStride`). A partial group (n < 4) stages them in the first 64 bytes of `scratch`
 * and stores n of each through the 16 after.
 */
@inline function gatesForward(xi: v128, xf: v128, xg: v128, xo: v128, gates: usize, gateStride: usize, n: i32, scratch: usize): void {
  if (n == 4) {
    vsigmoid4(xi, xf, f32x4.add(xg, xg), xo, gates, gateStride);
    return;
  }
  vsigmoid4(xi, xf, f32x4.add(xg, xg), xo, scratch, 16);
  const stage = scratch + 64;
  for (let g = 0; g < 4; g++) storeN(gates + gateStride * <usize>g, v128.load(scratch + (<usize>g << 4)), n, stage);
}

/**
 * Pass two for up to four units: turns gate g's σ(2x) into tanh(x), then c' = f·c + i·g from
 * the previous cell at `cPrev`, and h = o·tanh(c'); writes c' at `c` (which may be `cPrev`) and
 * h, and returns h.
 */
@inline function stateForward(gates: usize, gateStride: usize, cPrev: usize, c: usize, h: usize, n: i32, scratch: usize): v128 {
  if (n == 4) {
    // Straight-line for whole groups: the partial loads' branches made V8 spill.
    const s = v128.load(gates + gateStride * 2);
    const g = f32x4.sub(f32x4.add(s, s), one());
    v128.store(gates + gateStride * 2, g);
    const cNew = f32x4.add(f32x4.mul(v128.load(gates + gateStride), v128.load(cPrev)), f32x4.mul(v128.load(gates), g));
    const hNew = f32x4.mul(v128.load(gates + gateStride * 3), vtanh(cNew));
    v128.store(c, cNew);
    v128.store(h, hNew);
    return hNew;
  }
  const s = loadN(gates + gateStride * 2, n, scratch);
  const g = f32x4.sub(f32x4.add(s, s), one());
  storeN(gates + gateStride * 2, g, n, scratch);
  const cNew = f32x4.add(f32x4.mul(loadN(gates + gateStride, n, scratch), loadN(cPrev, n, scratch)), f32x4.mul(loadN(gates, n, scratch), g));
  const hNew = f32x4.mul(loadN(gates + gateStride * 3, n, scratch), vtanh(cNew));
  storeN(c, cNew, n, scratch);
  storeN(h, hNew, n, scratch);
  return hNew;
}

/**
 * The backward cell also runs in two passes over a row's units: `cellTanh` stores tanh(c') of
 * every group in the o-slot of dGates (which pass two overwrites), so that those chains run back
 * to back, then `cellBackward` does the arithmetic (about 1.25× faster than one pass).
 */
@inline function cellTanh(cNew: usize, dGates: usize, gateStride: usize, n: i32, scratch: usize): void {
  const slot = dGates + gateStride * 3;
  if (n == 4) v128.store(slot, vtanh(v128.load(cNew)));
  else storeN(slot, vtanh(loadN(cNew, n, scratch)), n, scratch);
}

/**
 * Backward of the cell for up to four units of one row, after `cellTanh`. `dh` is the total
 * gradient of h (output gradient plus the recurrent one); writes the pre-activation gradients
 * and dc_prev (which may alias `dc`).
 */
@inline function cellBackward(
  dh: v128, dc: usize, cPrev: usize, gates: usize, gateStride: usize,
  dGates: usize, dcPrev: usize, n: i32, scratch: usize,
): void {
  const unit = one();
  if (n == 4) {
    // Straight-line for whole groups: the partial loads' branches made V8 spill.
    const i = v128.load(gates), f = v128.load(gates + gateStride);
    const g = v128.load(gates + gateStride * 2), o = v128.load(gates + gateStride * 3);
    const tc = v128.load(dGates + gateStride * 3);
    const dcTotal = f32x4.add(v128.load(dc), f32x4.mul(f32x4.mul(dh, o), f32x4.sub(unit, f32x4.mul(tc, tc))));
    v128.store(dGates, f32x4.mul(f32x4.mul(dcTotal, g), f32x4.mul(i, f32x4.sub(unit, i))));
    v128.store(dGates + gateStride, f32x4.mul(f32x4.mul(dcTotal, v128.load(cPrev)), f32x4.mul(f, f32x4.sub(unit, f))));
    v128.store(dGates + gateStride * 2, f32x4.mul(f32x4.mul(dcTotal, i), f32x4.sub(unit, f32x4.mul(g, g))));
    v128.store(dGates + gateStride * 3, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(unit, o))));
    v128.store(dcPrev, f32x4.mul(dcTotal, f));
    return;
  }
  const i = loadN(gates, n, scratch);
  const f = loadN(gates + gateStride, n, scratch);
  const g = loadN(gates + gateStride * 2, n, scratch);
  const o = loadN(gates + gateStride * 3, n, scratch);
  const tc = loadN(dGates + gateStride * 3, n, scratch);
  const dcTotal = f32x4.add(loadN(dc, n, scratch), f32x4.mul(f32x4.mul(dh, o), f32x4.sub(unit, f32x4.mul(tc, tc))));
  const cp = loadN(cPrev, n, scratch);
  storeN(dGates, f32x4.mul(f32x4.mul(dcTotal, g), f32x4.mul(i, f32x4.sub(unit, i))), n, scratch);
  storeN(dGates + gateStride, f32x4.mul(f32x4.mul(dcTotal, cp), f32x4.mul(f, f32x4.sub(unit, f))), n, scratch);
  storeN(dGates + gateStride * 2, f32x4.mul(f32x4.mul(dcTotal, i), f32x4.sub(unit, f32x4.mul(g, g))), n, scratch);
  storeN(dGates + gateStride * 3, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(unit, o))), n, scratch);
  storeN(dcPrev, f32x4.mul(dcTotal, f), n, scratch);
}

/** One step: inputGates, hiddenGates [B, 4H], c [B, H] → h, c' [B, H], gates [B, 4H]. */
export function lstmCell(
  inputGates: usize, hiddenGates: usize, c: usize, batch: i32, hidden: i32,
  hOut: usize, cOut: usize, gates: usize, scratch: usize,
): void {
  const gateStride = <usize>hidden << 2;
  for (let b = 0; b < batch; b++) {
    const row4 = <usize>b * (gateStride << 2);
    const row = <usize>b * gateStride;
    for (let j = 0; j < hidden; j += 4) {
      const n = min(4, hidden - j);
      const u = <usize>j << 2;
      const x = inputGates + row4 + u;
      const y = hiddenGates + row4 + u;
      const xi = f32x4.add(loadN(x, n, scratch), loadN(y, n, scratch));
      const xf = f32x4.add(loadN(x + gateStride, n, scratch), loadN(y + gateStride, n, scratch));
      const xg = f32x4.add(loadN(x + gateStride * 2, n, scratch), loadN(y + gateStride * 2, n, scratch));
      const xo = f32x4.add(loadN(x + gateStride * 3, n, scratch), loadN(y + gateStride * 3, n, scratch));
      gatesForward(xi, xf, xg, xo, gates + row4 + u, gateStride, n, scratch);
    }
    for (let j = 0; j < hidden; j += 4) {
      const u = <usize>j << 2;
      stateForward(gates + row4 + u, gateStride, c + row + u, cOut + row + u, hOut + row + u, min(4, hidden - j), scratch);
    }
  }
}

/** Backward of one step: dh, dc, c, c', gates → dGates [B, 4H], dcPrev [B, H]. */
export function lstmCellBackward(
  dh: usize, dc: usize, c: usize, cNew: usize, gates: usize, batch: i32, hidden: i32,
  dGates: usize, dcPrev: usize, scratch: usize,
): void {
  const gateStride = <usize>hidden << 2;
  for (let b = 0; b < batch; b++) {
    const row4 = <usize>b * (gateStride << 2);
    const row = <usize>b * gateStride;
    for (let j = 0; j < hidden; j += 4) {
      const u = <usize>j << 2;
      cellTanh(cNew + row + u, dGates + row4 + u, gateStride, min(4, hidden - j), scratch);
    }
    for (let j = 0; j < hidden; j += 4) {
      const n = min(4, hidden - j);
      const u = <usize>j << 2;
      cellBackward(loadN(dh + row + u, n, scratch), dc + row + u, c + row + u,
        gates + row4 + u, gateStride, dGates + row4 + u, dcPrev + row + u, n, scratch);
    }
  }
}

@inline function isActive(t: i32, b: i32, steps: i32, lengths: usize): bool {
  return t >= 0 && t < steps && (lengths == 0 || t < load<i32>(lengths + (<usize>b << 2)));
}

// Forward job arguments.
const F_IG = 0, F_WHH = 1, F_H0 = 2, F_C0 = 3, F_LENGTHS = 4, F_REVERSE = 5, F_T = 6, F_B = 7, F_H = 8,
  F_OUTPUT = 9, F_H_OUT = 10, F_C_OUT = 11, F_GATES = 12, F_CELLS = 13, F_PACKED = 14, F_PRE = 15,
  F_HBUF = 16, F_CSTATE = 17, F_PACK_A = 18;

/** Elements of the forward job's scratch: packed weights, pre, two h buffers, c (packed h apart). */
export function lstmForwardScratch(batch: i32, hidden: i32): i32 {
  const groups = (hidden + 3) >> 2;
  return groups * 16 * hidden + batch * groups * 16 + 3 * batch * hidden;
}

/** Elements of one thread's packed copy of a [batch, depth] operand. */
export function packedRows(batch: i32, depth: i32): i32 {
  return ((batch + 3) >> 2) * 4 * depth;
}

/** Items per claim: about 8 claims per thread and step, at least `least`. */
@inline function claimChunk(items: i32, threads: i32, least: i32): i32 {
  return max(least, (items + threads * 8 - 1) / (threads * 8));
}

/**
 * One step of the batched forward for groups [q0, q1): pre = h_{t-1} · W_hhᵀ for those groups
 * (walked backwards when `descending`), then the cell for their units, row by row.
 */
function stepGroups(
  q0: i32, q1: i32, descending: bool, t: i32, steps: i32, batch: i32, hidden: i32, lengths: usize,
  ig: usize, packed: usize, packedH: usize, pre: usize, cstate: usize, hPrev: usize, hNext: usize,
  output: usize, cells: usize, gatesOut: usize, scratch: usize, stage: usize,
): void {
  const hBytes = <usize>hidden << 2;
  const panelBytes = hBytes << 3;
  const preStride = <usize>((hidden + 3) >> 2) << 6;
  for (let i = q0; i < q1; i++) {
    const q = descending ? q1 - 1 - (i - q0) : i;
    const p0 = packed + <usize>q * (panelBytes << 1);
    const c = pre + (<usize>q << 6);
    let ap = packedH;
    for (let b = 0; b < batch; b += 4) {
      const rows = min(4, batch - b);
      const cp = c + <usize>b * preStride;
      tile4(ap, p0, cp, preStride, hidden, rows, 8, false, scratch);
      tile4(ap, p0 + panelBytes, cp + 32, preStride, hidden, rows, 8, false, scratch);
      ap += hBytes << 2;
    }
  }
  const unitBegin = q0 << 2;
  const unitEnd = min(hidden, q1 << 2);
  const unitOffset = <usize>unitBegin << 2;
  const unitBytes = <usize>(unitEnd - unitBegin) << 2;
  const rowBytes4 = hBytes << 2;
  const stepRow = <usize>t * <usize>batch;
  for (let b = 0; b < batch; b++) {
    const state = (stepRow + <usize>b) * hBytes;
    const gateRow = (stepRow + <usize>b) * rowBytes4;
    if (!isActive(t, b, steps, lengths)) {
      memory.fill(output + state + unitOffset, 0, unitBytes);
      memory.fill(cells + state + unitOffset, 0, unitBytes);
      for (let g = 0; g < 4; g++) memory.fill(gatesOut + gateRow + <usize>g * hBytes + unitOffset, 0, unitBytes);
      memory.copy(hNext + <usize>b * hBytes + unitOffset, hPrev + <usize>b * hBytes + unitOffset, unitBytes);
      continue;
    }
    const preRow = pre + <usize>b * preStride;
    const igRow = ig + gateRow;
    for (let q = q0; q < q1; q++) {
      const u = q << 2;
      const n = min(4, hidden - u);
      const offset = <usize>u << 2;
      const p = preRow + (<usize>q << 6);
      const x = igRow + offset;
      const xi = f32x4.add(v128.load(p), loadN(x, n, stage));
      const xf = f32x4.add(v128.load(p, 16), loadN(x + hBytes, n, stage));
      const xg = f32x4.add(v128.load(p, 32), loadN(x + hBytes * 2, n, stage));
      const xo = f32x4.add(v128.load(p, 48), loadN(x + hBytes * 3, n, stage));
      gatesForward(xi, xf, xg, xo, gatesOut + gateRow + offset, hBytes, n, stage);
    }
    for (let q = q0; q < q1; q++) {
      const u = q << 2;
      const n = min(4, hidden - u);
      const offset = <usize>u << 2;
      const cPtr = cstate + <usize>b * hBytes + offset;
      const hNew = stateForward(gatesOut + gateRow + offset, hBytes, cPtr, cPtr, output + state + offset, n, stage);
      storeN(hNext + <usize>b * hBytes + offset, hNew, n, stage);
      storeN(cells + state + offset, loadN(cPtr, n, stage), n, stage);
    }
  }
}

export function lstmSequenceJob(cb: usize, tid: i32, threads: i32): void {
  const ig = argP(cb, F_IG);
  const whh = argP(cb, F_WHH);
  const h0 = argP(cb, F_H0);
  const c0 = argP(cb, F_C0);
  const lengths = argP(cb, F_LENGTHS);
  const reverse = argI(cb, F_REVERSE) != 0;
  const steps = argI(cb, F_T);
  const batch = argI(cb, F_B);
  const hidden = argI(cb, F_H);
  const output = argP(cb, F_OUTPUT);
  const gatesOut = argP(cb, F_GATES);
  const cells = argP(cb, F_CELLS);
  const packed = argP(cb, F_PACKED);
  const pre = argP(cb, F_PRE);
  const hbuf = argP(cb, F_HBUF);
  const cstate = argP(cb, F_CSTATE);
  const scratch = tileScratch(cb, tid);
  const stage = scratch + 128;
  const packedH = argP(cb, F_PACK_A) + <usize>tid * (<usize>packedRows(batch, hidden) << 2);

  // Static shares of pairs of groups (8 units): packing W_hh, copying the states in and out.
  // The steps themselves claim groups (see `claimNext` in threads.ts).
  const groups = (hidden + 3) >> 2;
  const pairs = (hidden + 7) >> 3;
  const groupBegin = shareBegin(pairs, tid, threads) << 1;
  const groupEnd = min(groups, shareBegin(pairs, tid + 1, threads) << 1);
  const unitBegin = groupBegin << 2;
  const unitEnd = min(hidden, groupEnd << 2);
  const hBytes = <usize>hidden << 2;
  const stateBytes = <usize>batch * hBytes;
  const panelBytes = hBytes << 3;

  if (batch == 1) {
    sequenceOne(ig, whh, h0, c0, lengths, reverse, steps, hidden, output, gatesOut, cells, packed, hbuf, cstate,
      argP(cb, F_H_OUT), argP(cb, F_C_OUT), groupBegin, groupEnd, cb, tid, threads, stage);
    return;
  }
  // Pack this thread's panels: group q → (i, f) panel then (g, o) panel, each H rows of 8.
  for (let q = groupBegin; q < groupEnd; q++) {
    const p0 = packed + <usize>q * (panelBytes << 1);
    const units = min(4, hidden - (q << 2));
    for (let half = 0; half < 2; half++) {
      const panel = p0 + <usize>half * panelBytes;
      const first = whh + <usize>((half << 1) * hidden + (q << 2)) * hBytes;
      if (units == 4) {
        // The 8 columns are rows u of gate 2·half and gate 2·half + 1: two runs of 4 rows.
        const second = first + <usize>hidden * hBytes;
        for (let k = 0; k + 4 <= hidden; k += 4) {
          const s0 = first + (<usize>k << 2);
          const s1 = second + (<usize>k << 2);
          const d = panel + (<usize>k << 5);
          storeTransposed(v128.load(s0), v128.load(s0 + hBytes), v128.load(s0 + hBytes * 2), v128.load(s0 + hBytes * 3), d, 32);
          storeTransposed(v128.load(s1), v128.load(s1 + hBytes), v128.load(s1 + hBytes * 2), v128.load(s1 + hBytes * 3), d + 16, 32);
        }
        for (let k = hidden & ~3; k < hidden; k++) {
          for (let col = 0; col < 8; col++) {
            const src = (col < 4 ? first : second) + <usize>(col & 3) * hBytes + (<usize>k << 2);
            store<f32>(panel + (<usize>k << 5) + (<usize>col << 2), load<f32>(src));
          }
        }
        continue;
      }
      memory.fill(panel, 0, panelBytes);
      for (let col = 0; col < 8; col++) {
        if ((col & 3) >= units) continue;
        let src = first + <usize>((col >> 2) * hidden + (col & 3)) * hBytes;
        let dst = panel + (<usize>col << 2);
        for (let k = 0; k < hidden; k++, src += 4, dst += 32) store<f32>(dst, load<f32>(src));
      }
    }
  }
  const unitOffset = <usize>unitBegin << 2;
  const unitBytes = <usize>(unitEnd - unitBegin) << 2;
  for (let b = 0; b < batch; b++) {
    if (unitBytes > 0) memory.copy(cstate + <usize>b * hBytes + unitOffset, c0 + <usize>b * hBytes + unitOffset, unitBytes);
  }
  // Every thread may claim any group: all panels are packed before the first step.
  barrier(cb, tid, threads);

  const chunk = claimChunk(groups, threads, 2);
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    const hPrev = s == 0 ? h0 : hbuf + <usize>((s - 1) & 1) * stateBytes;
    const hNext = hbuf + <usize>(s & 1) * stateBytes;
    claimBegin(cb, s, tid);
    packA(hPrev, hBytes, 4, batch, hidden, packedH);
    // Every other step walks the weights backwards, so that it starts with the panels the
    // previous step read last, which are still in L2.
    const zig = (s & 1) != 0;
    for (let first = claimNext(cb, s, tid, threads, groups, 2, chunk, zig); first >= 0;
      first = claimNext(cb, s, tid, threads, groups, 2, chunk, zig)) {
      stepGroups(first, claimedEnd(cb, tid), zig, t, steps, batch, hidden, lengths, ig, packed, packedH, pre, cstate, hPrev,
        hNext, output, cells, gatesOut, scratch, stage);
    }
    barrier(cb, tid, threads);
  }
  const hLast = steps == 0 ? h0 : hbuf + <usize>((steps - 1) & 1) * stateBytes;
  const hOut = argP(cb, F_H_OUT);
  const cOut = argP(cb, F_C_OUT);
  for (let b = 0; b < batch; b++) {
    if (unitBytes == 0) break;
    const row = <usize>b * hBytes + unitOffset;
    memory.copy(hOut + row, hLast + row, unitBytes);
    memory.copy(cOut + row, cstate + row, unitBytes);
  }
}

/**
 * Packs the rows of W_hh [4H, H] for groups [groupBegin, groupEnd) of four hidden units into one
 * 16-column panel per group, K-major: `panel[k·16 + g·4 + u]` = W_hh[g·H + 4q + u, k]. The
 * batch-1 step reads a group's panel once, front to back, and ends with all four gates of its
 * four units in four vectors. Units past H are 0.
 */
function packGroups16(whh: usize, hidden: i32, packed: usize, groupBegin: i32, groupEnd: i32): void {
  const hBytes = <usize>hidden << 2;
  const panelBytes = hBytes << 4;
  for (let q = groupBegin; q < groupEnd; q++) {
    const panel = packed + <usize>q * panelBytes;
    const units = min(4, hidden - (q << 2));
    if (units < 4) memory.fill(panel, 0, panelBytes);
    for (let g = 0; g < 4; g++) {
      const first = whh + <usize>(g * hidden + (q << 2)) * hBytes;
      const column = panel + (<usize>g << 4);
      let k = 0;
      if (units == 4) {
        for (; k + 4 <= hidden; k += 4) {
          const s = first + (<usize>k << 2);
          storeTransposed(v128.load(s), v128.load(s + hBytes), v128.load(s + hBytes * 2), v128.load(s + hBytes * 3),
            column + (<usize>k << 6), 64);
        }
      }
      for (let u = 0; u < units; u++) {
        let src = first + <usize>u * hBytes + (<usize>k << 2);
        let dst = column + (<usize>k << 6) + (<usize>u << 2);
        for (let kk = k; kk < hidden; kk++, src += 4, dst += 64) store<f32>(dst, load<f32>(src));
      }
    }
  }
}

/**
 * The batch-1 forward sequence: every step is a vector–matrix product with W_hh, which is
 * memory- and issue-bound. Each group of four units streams its 16-column panel once with four
 * accumulators (i, f, g, o of the four units); two k per iteration are summed before they meet
 * the accumulators, so the loop-carried chain is one add per 2 k and V8 keeps every value in a
 * register (8 separate accumulators spilled). The gates' σ follow at once on those registers;
 * c' and h follow in a second pass over the groups (see `gatesForward`). Threads pack their
 * static share of the panels, then claim groups step by step like the batched job.
 */
function sequenceOne(
  ig: usize, whh: usize, h0: usize, c0: usize, lengths: usize, reverse: bool, steps: i32, hidden: i32,
  output: usize, gatesOut: usize, cells: usize, packed: usize, hbuf: usize, cstate: usize,
  hOut: usize, cOut: usize, groupBegin: i32, groupEnd: i32, cb: usize, tid: i32, threads: i32, stage: usize,
): void {
  packGroups16(whh, hidden, packed, groupBegin, groupEnd);
  const groups = (hidden + 3) >> 2;
  const hBytes = <usize>hidden << 2;
  const unitBegin = groupBegin << 2;
  const unitEnd = min(hidden, groupEnd << 2);
  const unitOffset = <usize>unitBegin << 2;
  const unitBytes = <usize>max(0, unitEnd - unitBegin) << 2;
  if (unitBytes > 0) memory.copy(cstate + unitOffset, c0 + unitOffset, unitBytes);
  barrier(cb, tid, threads);
  const chunk = claimChunk(groups, threads, 2);
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    const hPrev = s == 0 ? h0 : hbuf + <usize>((s - 1) & 1) * hBytes;
    const hNext = hbuf + <usize>(s & 1) * hBytes;
    const state = <usize>t * hBytes;
    const gateRow = state << 2;
    claimBegin(cb, s, tid);
    if (!isActive(t, 0, steps, lengths)) {
      if (unitBytes > 0) {
        memory.fill(output + state + unitOffset, 0, unitBytes);
        memory.fill(cells + state + unitOffset, 0, unitBytes);
        for (let g = 0; g < 4; g++) memory.fill(gatesOut + gateRow + <usize>g * hBytes + unitOffset, 0, unitBytes);
        memory.copy(hNext + unitOffset, hPrev + unitOffset, unitBytes);
      }
      barrier(cb, tid, threads);
      continue;
    }
    // Every other step walks the groups backwards, starting with the panels still in L2.
    const zig = (s & 1) != 0;
    for (let first = claimNext(cb, s, tid, threads, groups, 2, chunk, zig); first >= 0;
      first = claimNext(cb, s, tid, threads, groups, 2, chunk, zig)) {
      stepGroupsOne(first, claimedEnd(cb, tid), zig, hidden, ig + gateRow, packed, hPrev, hNext, cstate, output + state,
        cells + state, gatesOut + gateRow, stage);
    }
    barrier(cb, tid, threads);
  }
  if (unitBytes == 0) return;
  const hLast = steps == 0 ? h0 : hbuf + <usize>((steps - 1) & 1) * hBytes;
  memory.copy(hOut + unitOffset, hLast + unitOffset, unitBytes);
  memory.copy(cOut + unitOffset, cstate + unitOffset, unitBytes);
}

/**
 * One batch-1 step for groups [q0, q1) (walked backwards when `descending`); `igRow`, `output`,
 * `cells` and `gates` point at step t's rows.
 */
function stepGroupsOne(
  q0: i32, q1: i32, descending: bool, hidden: i32, igRow: usize, packed: usize, hPrev: usize, hNext: usize,
  cstate: usize, output: usize, cells: usize, gates: usize, stage: usize,
): void {
  const hBytes = <usize>hidden << 2;
  const panelBytes = hBytes << 4;
  const k2 = hidden & ~1;
  for (let i = q0; i < q1; i++) {
    const q = descending ? q1 - 1 - (i - q0) : i;
    let b = packed + <usize>q * panelBytes;
    let a = hPrev;
    let xi = f32x4.splat(0), xf = f32x4.splat(0), xg = f32x4.splat(0), xo = f32x4.splat(0);
    const end2 = b + (<usize>k2 << 6);
    while (b < end2) {
      const a0 = v128.load32_splat(a);
      const a1 = v128.load32_splat(a, 4);
      xi = f32x4.add(xi, f32x4.add(f32x4.mul(a0, v128.load(b)), f32x4.mul(a1, v128.load(b, 64))));
      xf = f32x4.add(xf, f32x4.add(f32x4.mul(a0, v128.load(b, 16)), f32x4.mul(a1, v128.load(b, 80))));
      xg = f32x4.add(xg, f32x4.add(f32x4.mul(a0, v128.load(b, 32)), f32x4.mul(a1, v128.load(b, 96))));
      xo = f32x4.add(xo, f32x4.add(f32x4.mul(a0, v128.load(b, 48)), f32x4.mul(a1, v128.load(b, 112))));
      a += 8;
      b += 128;
    }
    if (hidden & 1) {
      const a0 = v128.load32_splat(a);
      xi = f32x4.add(xi, f32x4.mul(a0, v128.load(b)));
      xf = f32x4.add(xf, f32x4.mul(a0, v128.load(b, 16)));
      xg = f32x4.add(xg, f32x4.mul(a0, v128.load(b, 32)));
      xo = f32x4.add(xo, f32x4.mul(a0, v128.load(b, 48)));
    }
    const u = q << 2;
    const n = min(4, hidden - u);
    const offset = <usize>u << 2;
    const x = igRow + offset;
    xi = f32x4.add(xi, loadN(x, n, stage));
    xf = f32x4.add(xf, loadN(x + hBytes, n, stage));
    xg = f32x4.add(xg, loadN(x + hBytes * 2, n, stage));
    xo = f32x4.add(xo, loadN(x + hBytes * 3, n, stage));
    gatesForward(xi, xf, xg, xo, gates + offset, hBytes, n, stage);
  }
  for (let q = q0; q < q1; q++) {
    const u = q << 2;
    const n = min(4, hidden - u);
    const offset = <usize>u << 2;
    const cPtr = cstate + offset;
    const hNew = stateForward(gates + offset, hBytes, cPtr, cPtr, output + offset, n, stage);
    storeN(hNext + offset, hNew, n, stage);
    storeN(cells + offset, loadN(cPtr, n, stage), n, stage);
  }
}

// Backward job arguments.
const R_WHH = 0, R_H0 = 1, R_C0 = 2, R_LENGTHS = 3, R_REVERSE = 4, R_T = 5, R_B = 6, R_H = 7,
  R_OUTPUT = 8, R_GATES = 9, R_CELLS = 10, R_DOUTPUT = 11, R_DH = 12, R_DC = 13, R_DIG = 14,
  R_DH0 = 15, R_DC0 = 16, R_HPREV = 17, R_PACKED = 18, R_DH_STATE = 19, R_DC_STATE = 20, R_DH_NEW = 21,
  R_PACK_A = 22;

/** Elements of the backward job's scratch: packed weights and three [B, H] states. */
export function lstmBackwardScratch(batch: i32, hidden: i32): i32 {
  return ((hidden + 7) >> 3) * 8 * 4 * hidden + 3 * batch * hidden;
}

export function lstmSequenceBackwardJob(cb: usize, tid: i32, threads: i32): void {
  const whh = argP(cb, R_WHH);
  const lengths = argP(cb, R_LENGTHS);
  const reverse = argI(cb, R_REVERSE) != 0;
  const steps = argI(cb, R_T);
  const batch = argI(cb, R_B);
  const hidden = argI(cb, R_H);
  const dIG = argP(cb, R_DIG);
  const dhState = argP(cb, R_DH_STATE);
  const dcState = argP(cb, R_DC_STATE);
  const scratch = tileScratch(cb, tid);

  const width = hidden << 2;
  const packedGrads = argP(cb, R_PACK_A) + <usize>tid * (<usize>packedRows(batch, width) << 2);
  // Static shares of 8-unit panels: packing W_hh and copying the states in. The steps claim
  // panels (see `claimNext` in threads.ts).
  const panels = (hidden + 7) >> 3;
  const panelBegin = shareBegin(panels, tid, threads);
  const panelEnd = shareBegin(panels, tid + 1, threads);
  const hBytes = <usize>hidden << 2;
  const rowBytes4 = hBytes << 2;
  const unitOffset = <usize>panelBegin << 5;
  const unitBytes = <usize>max(0, min(hidden, panelEnd << 3) - (panelBegin << 3)) << 2;

  packB(whh, hidden, false, width, hidden, argP(cb, R_PACKED), panelBegin, panelEnd);
  const dh = argP(cb, R_DH);
  const dc = argP(cb, R_DC);
  for (let b = 0; b < batch; b++) {
    if (unitBytes == 0) break;
    const row = <usize>b * hBytes + unitOffset;
    memory.copy(dhState + row, dh + row, unitBytes);
    memory.copy(dcState + row, dc + row, unitBytes);
  }
  barrier(cb, tid, threads);

  // Phase k (k = 0 … steps) is step s = steps - 1 - k: it finishes dh of step s (the product
  // with the gate gradients of step s + 1) and runs the cell backward of step s, both for the
  // claimed panels' units. The product needs every unit's gradients of step s + 1, so phases
  // meet at a barrier; the cell only needs its own units' dh. The last phase (s = -1) finishes
  // the gradients of h0 and c0.
  const chunk = claimChunk(panels, threads, 1);
  for (let k = 0; k <= steps; k++) {
    const s = steps - 1 - k;
    claimBegin(cb, k, tid);
    const after = s + 1 < steps ? stepTime(s + 1, steps, reverse) : -1;
    const productRows = after >= 0 && anyActive(after, batch, steps, lengths);
    if (productRows && batch > 1) packA(dIG + <usize>after * <usize>batch * rowBytes4, rowBytes4, 4, batch, width, packedGrads);
    const zig = (k & 1) != 0;
    for (let first = claimNext(cb, k, tid, threads, panels, 1, chunk, zig); first >= 0;
      first = claimNext(cb, k, tid, threads, panels, 1, chunk, zig)) {
      backwardPanels(cb, first, claimedEnd(cb, tid), zig, s, after, productRows, packedGrads, scratch);
    }
    if (k < steps) barrier(cb, tid, threads);
  }
}

/** Time index of step s (steps run backwards in time when `reverse`). */
@inline function stepTime(s: i32, steps: i32, reverse: bool): i32 {
  return reverse ? steps - 1 - s : s;
}

/** Whether any sequence of the batch is active at time t. */
function anyActive(t: i32, batch: i32, steps: i32, lengths: usize): bool {
  for (let b = 0; b < batch; b++) if (isActive(t, b, steps, lengths)) return true;
  return false;
}

/**
 * Phase work of the backward job for panels [p0, p1) (8 units each, walked backwards when
 * `descending`): finish dh of step s from the gate gradients of time `after` (when
 * `productRows`), then run the cell backward of step s for those units, or, at s = -1, write
 * their gradients of h0 and c0.
 */
function backwardPanels(
  cb: usize, p0: i32, p1: i32, descending: bool, s: i32, after: i32, productRows: bool, packedGrads: usize, scratch: usize,
): void {
  const h0 = argP(cb, R_H0);
  const c0 = argP(cb, R_C0);
  const lengths = argP(cb, R_LENGTHS);
  const reverse = argI(cb, R_REVERSE) != 0;
  const steps = argI(cb, R_T);
  const batch = argI(cb, R_B);
  const hidden = argI(cb, R_H);
  const output = argP(cb, R_OUTPUT);
  const gates = argP(cb, R_GATES);
  const cells = argP(cb, R_CELLS);
  const dOutput = argP(cb, R_DOUTPUT);
  const dIG = argP(cb, R_DIG);
  const hPrevAll = argP(cb, R_HPREV);
  const packed = argP(cb, R_PACKED);
  const dhState = argP(cb, R_DH_STATE);
  const dcState = argP(cb, R_DC_STATE);
  const dhNew = argP(cb, R_DH_NEW);
  const stage = scratch + 128;
  const width = hidden << 2;
  const hBytes = <usize>hidden << 2;
  const rowBytes4 = hBytes << 2;
  const unitBegin = p0 << 3;
  const unitEnd = min(hidden, p1 << 3);
  const unitOffset = <usize>unitBegin << 2;
  const unitBytes = <usize>(unitEnd - unitBegin) << 2;

  if (productRows) {
    // dh_{s} = dGates_{after} · W_hh for these units (dGates packed unless B = 1), kept for the
    // rows that were active at `after`.
    const a = dIG + <usize>after * <usize>batch * rowBytes4;
    for (let i = p0; i < p1; i++) {
      const panel = descending ? p1 - 1 - (i - p0) : i;
      const w = packed + <usize>panel * (<usize>width << 5);
      const cols = min(8, hidden - (panel << 3));
      const c = dhNew + (<usize>panel << 5);
      if (batch == 1) {
        tile1(a, w, c, width, cols, false, scratch);
        continue;
      }
      let ap = packedGrads;
      for (let b = 0; b < batch; b += 4) {
        tile4(ap, w, c + <usize>b * hBytes, hBytes, width, min(4, batch - b), cols, false, scratch);
        ap += rowBytes4 << 2;
      }
    }
    for (let b = 0; b < batch; b++) {
      if (!isActive(after, b, steps, lengths)) continue;
      const row = <usize>b * hBytes + unitOffset;
      memory.copy(dhState + row, dhNew + row, unitBytes);
    }
  }
  if (s < 0) {
    const dh0 = argP(cb, R_DH0);
    const dc0 = argP(cb, R_DC0);
    for (let b = 0; b < batch; b++) {
      const row = <usize>b * hBytes + unitOffset;
      memory.copy(dh0 + row, dhState + row, unitBytes);
      memory.copy(dc0 + row, dcState + row, unitBytes);
    }
    return;
  }

  const t = stepTime(s, steps, reverse);
  const prev = reverse ? t + 1 : t - 1;
  const stepRow = <usize>t * <usize>batch;
  for (let b = 0; b < batch; b++) {
    const state = (stepRow + <usize>b) * hBytes;
    const gateRow = (stepRow + <usize>b) * rowBytes4;
    if (!isActive(t, b, steps, lengths)) {
      for (let g = 0; g < 4; g++) memory.fill(dIG + gateRow + <usize>g * hBytes + unitOffset, 0, unitBytes);
      memory.fill(hPrevAll + state + unitOffset, 0, unitBytes);
      continue;
    }
    const fromPrev = isActive(prev, b, steps, lengths);
    const prevState = fromPrev ? (<usize>prev * <usize>batch + <usize>b) * hBytes : 0;
    const cPrevRow = fromPrev ? cells + prevState : c0 + <usize>b * hBytes;
    const hPrevRow = fromPrev ? output + prevState : h0 + <usize>b * hBytes;
    const dhRow = dhState + <usize>b * hBytes;
    const dcRow = dcState + <usize>b * hBytes;
    for (let u = unitBegin; u < unitEnd; u += 4) {
      const offset = <usize>u << 2;
      cellTanh(cells + state + offset, dIG + gateRow + offset, hBytes, min(4, unitEnd - u), stage);
    }
    for (let u = unitBegin; u < unitEnd; u += 4) {
      const n = min(4, unitEnd - u);
      const offset = <usize>u << 2;
      const dhTotal = f32x4.add(loadN(dhRow + offset, n, stage), loadN(dOutput + state + offset, n, stage));
      cellBackward(dhTotal, dcRow + offset, cPrevRow + offset, gates + gateRow + offset, hBytes,
        dIG + gateRow + offset, dcRow + offset, n, stage);
    }
    memory.copy(hPrevAll + state + unitOffset, hPrevRow + unitOffset, unitBytes);
  }
}

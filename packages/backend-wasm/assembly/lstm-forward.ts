/**
 * The whole-sequence forward job (`Job.lstmSequence`): the time loop of one direction of an LSTM
 * layer runs here, threads meeting at one barrier per step.
 *
 * W_hh [4H, H] is packed once per call into two 8-column panels per group of four hidden units,
 * (i, f) and (g, o), so one 4×8 micro-kernel pass per panel leaves all four gates of those units
 * side by side in a small `pre` buffer. The pointwise cell then reads them with vector loads. h is
 * double-buffered: every thread reads all of h_{t-1} while writing the units it claimed of h_t.
 * Threads claim groups of units step by step (`claimNext` in threads.ts). Batch 1 has its own
 * path (`sequenceOne`): a vector–matrix product per step.
 */
import { LstmSequenceArg } from './abi';
import { storeTransposed } from './common';
import { packA, tile4 } from './gemm';
import { claimChunk, gatesForward, isActive, loadN, packedRows, stateForward, storeN } from './lstm-cell';
import { argI, argP, barrier, claimBegin, claimedEnd, claimNext, shareBegin, tileScratch } from './threads';

/**
 * Bytes of the forward job's scratch, which the job lays out itself: W_hh packed (16 floats per
 * group of four units and k), `pre` (16 floats per group and row), two h buffers and c ([B, H]
 * each), then one packed copy of h per thread.
 */
export function lstmSequenceScratch(batch: i32, hidden: i32, threads: i32): f64 {
  const groups = <f64>((hidden + 3) >> 2);
  const floats = groups * 16 * <f64>hidden + <f64>batch * groups * 16 + 3 * <f64>batch * <f64>hidden +
    <f64>threads * <f64>packedRows(batch, hidden);
  return floats * 4;
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
  const ig = argP(cb, LstmSequenceArg.inputGates);
  const whh = argP(cb, LstmSequenceArg.weightHh);
  const h0 = argP(cb, LstmSequenceArg.h0);
  const c0 = argP(cb, LstmSequenceArg.c0);
  const lengths = argP(cb, LstmSequenceArg.lengths);
  const reverse = argI(cb, LstmSequenceArg.reverse) != 0;
  const steps = argI(cb, LstmSequenceArg.steps);
  const batch = argI(cb, LstmSequenceArg.batch);
  const hidden = argI(cb, LstmSequenceArg.hidden);
  const output = argP(cb, LstmSequenceArg.output);
  const gatesOut = argP(cb, LstmSequenceArg.gates);
  const cells = argP(cb, LstmSequenceArg.cells);
  const scratch = tileScratch(cb, tid);
  const stage = scratch + 128;

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

  // The scratch, laid out as `lstmSequenceScratch` sized it.
  const packed = argP(cb, LstmSequenceArg.scratch);
  const pre = packed + ((<usize>groups * <usize>hidden) << 6);
  const hbuf = pre + ((<usize>batch * <usize>groups) << 6);
  const cstate = hbuf + (stateBytes << 1);
  const packedH = cstate + stateBytes + <usize>tid * (<usize>packedRows(batch, hidden) << 2);

  if (batch == 1) {
    sequenceOne(ig, whh, h0, c0, lengths, reverse, steps, hidden, output, gatesOut, cells, packed, hbuf, cstate,
      argP(cb, LstmSequenceArg.h), argP(cb, LstmSequenceArg.c), groupBegin, groupEnd, cb, tid, threads, stage);
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
  const hOut = argP(cb, LstmSequenceArg.h);
  const cOut = argP(cb, LstmSequenceArg.c);
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

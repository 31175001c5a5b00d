/**
 * The whole-sequence GRU forward job (`Job.gruSequence`, contract v1.1): the time loop of one
 * direction of a GRU layer, threads meeting at one barrier per step, like lstm-forward.ts.
 *
 * W_hh [3H, H] is packed once per call into three 8-column panels per group of eight hidden units
 * (r, z, n), so that three 4×8 micro-kernel passes leave the recurrent terms of those units side
 * by side in `pre` (24 floats per group and row). The cell then runs on vectors, four units at a
 * time: the σ of r and z of a group's two halves together (`vsigmoid4`), then
 * n = tanh(x_n + r ⊙ (h W_hnᵀ + b_hn)) and h' = n + z ⊙ (h − n). h is double-buffered; threads
 * claim groups step by step. In inference mode the gates and `hiddenN` are not stored at all (the
 * cell keeps them in registers), so the outputs are those of training mode bit for bit. Batch 1
 * runs a vector–matrix path of its own (gru-one.ts).
 */
import { GruSequenceArg } from './abi';
import { vsigmoid4, vtanh } from './common';
import { packA, packRows, tile4 } from './gemm';
import { gruSequenceOne } from './gru-one';
import { claimChunk, isActive, loadN, packedRows, storeN } from './lstm-cell';
import { argI, argP, barrier, claimBegin, claimedEnd, claimNext, shareBegin, tileScratch } from './threads';

/** Groups of eight units. */
@inline function groupsOf(hidden: i32): i32 {
  return (hidden + 7) >> 3;
}

/**
 * Bytes of the forward job's scratch: W_hh packed (three panels of 8 columns per group, H rows
 * each), `pre` (24 floats per group and row), two h buffers ([B, H]), then per thread a packed
 * copy of h.
 */
export function gruSequenceScratch(batch: i32, hidden: i32, threads: i32): f64 {
  const groups = <f64>groupsOf(hidden);
  const floats = groups * 24 * <f64>hidden + <f64>batch * groups * 24 + 2 * <f64>batch * <f64>hidden +
    <f64>threads * <f64>packedRows(batch, hidden);
  return floats * 4;
}

/**
 * The cell of one row for the units of one group (`n` ≤ 8 of them, from the group's first unit):
 * `pre` is the group's 24 recurrent terms of the row, the other pointers are the row's at the
 * group's first unit (`gates`, `hiddenN` 0 in inference mode, `biasHn` 0 without a bias). Gate
 * g of a row is `hBytes · g` bytes after its r block. Stages through 80 bytes at `stage`.
 */
@inline function gruGroup(
  pre: usize, ig: usize, hBytes: usize, biasHn: usize, hPrev: usize, n: i32,
  gates: usize, hiddenN: usize, output: usize, hNext: usize, stage: usize,
): void {
  const na = min(4, n);
  const nb = n - 4;
  const tmp = stage + 64;
  const xra = f32x4.add(v128.load(pre), loadN(ig, na, tmp));
  const xrb = f32x4.add(v128.load(pre, 16), loadN(ig + 16, nb, tmp));
  const xza = f32x4.add(v128.load(pre, 32), loadN(ig + hBytes, na, tmp));
  const xzb = f32x4.add(v128.load(pre, 48), loadN(ig + hBytes + 16, nb, tmp));
  vsigmoid4(xra, xza, xrb, xzb, stage, 16);
  let hna = v128.load(pre, 64);
  let hnb = v128.load(pre, 80);
  if (biasHn != 0) {
    hna = f32x4.add(hna, loadN(biasHn, na, tmp));
    hnb = f32x4.add(hnb, loadN(biasHn + 16, nb, tmp));
  }
  const ra = v128.load(stage), za = v128.load(stage, 16), rb = v128.load(stage, 32), zb = v128.load(stage, 48);
  const xn = ig + hBytes * 2;
  const na4 = vtanh(f32x4.add(loadN(xn, na, tmp), f32x4.mul(ra, hna)));
  const nb4 = vtanh(f32x4.add(loadN(xn + 16, nb, tmp), f32x4.mul(rb, hnb)));
  const ha = f32x4.add(na4, f32x4.mul(za, f32x4.sub(loadN(hPrev, na, tmp), na4)));
  const hb = f32x4.add(nb4, f32x4.mul(zb, f32x4.sub(loadN(hPrev + 16, nb, tmp), nb4)));
  storeN(output, ha, na, tmp);
  storeN(hNext, ha, na, tmp);
  if (gates != 0) {
    storeN(gates, ra, na, tmp);
    storeN(gates + hBytes, za, na, tmp);
    storeN(gates + hBytes * 2, na4, na, tmp);
    storeN(hiddenN, hna, na, tmp);
  }
  if (nb <= 0) return;
  storeN(output + 16, hb, nb, tmp);
  storeN(hNext + 16, hb, nb, tmp);
  if (gates != 0) {
    storeN(gates + 16, rb, nb, tmp);
    storeN(gates + hBytes + 16, zb, nb, tmp);
    storeN(gates + hBytes * 2 + 16, nb4, nb, tmp);
    storeN(hiddenN + 16, hnb, nb, tmp);
  }
}

/**
 * One step for groups [q0, q1) (walked backwards when `descending`): pre = h_{t-1} · W_hhᵀ for
 * those groups, then the cell for their units, row by row. `gates` and `hiddenN` are the step's
 * rows, or 0 in inference mode.
 */
function stepGroups(
  cb: usize, q0: i32, q1: i32, descending: bool, t: i32, packed: usize, packedH: usize, pre: usize,
  hPrev: usize, hNext: usize, gates: usize, hiddenN: usize, scratch: usize,
): void {
  const steps = argI(cb, GruSequenceArg.steps);
  const batch = argI(cb, GruSequenceArg.batch);
  const hidden = argI(cb, GruSequenceArg.hidden);
  const lengths = argP(cb, GruSequenceArg.lengths);
  const biasHn = argP(cb, GruSequenceArg.biasHn);
  const hBytes = <usize>hidden << 2;
  const panelBytes = hBytes << 3;
  const preStride = <usize>groupsOf(hidden) * 96;
  for (let i = q0; i < q1; i++) {
    const q = descending ? q1 - 1 - (i - q0) : i;
    const p0 = packed + <usize>q * panelBytes * 3;
    const c = pre + <usize>q * 96;
    let ap = packedH;
    for (let b = 0; b < batch; b += 4) {
      const rows = min(4, batch - b);
      const cp = c + <usize>b * preStride;
      tile4(ap, p0, cp, preStride, hidden, rows, 8, false, scratch);
      tile4(ap, p0 + panelBytes, cp + 32, preStride, hidden, rows, 8, false, scratch);
      tile4(ap, p0 + panelBytes * 2, cp + 64, preStride, hidden, rows, 8, false, scratch);
      ap += hBytes << 2;
    }
  }
  const unitBegin = q0 << 3;
  const unitEnd = min(hidden, q1 << 3);
  const unitOffset = <usize>unitBegin << 2;
  const unitBytes = <usize>(unitEnd - unitBegin) << 2;
  const stage = scratch + 128;
  const stepRow = <usize>t * <usize>batch;
  const ig = argP(cb, GruSequenceArg.inputGates);
  const output = argP(cb, GruSequenceArg.output);
  for (let b = 0; b < batch; b++) {
    const state = (stepRow + <usize>b) * hBytes;
    const gateRow = <usize>b * hBytes * 3;
    if (!isActive(t, b, steps, lengths)) {
      memory.fill(output + state + unitOffset, 0, unitBytes);
      memory.copy(hNext + <usize>b * hBytes + unitOffset, hPrev + <usize>b * hBytes + unitOffset, unitBytes);
      if (gates != 0) {
        for (let g = 0; g < 3; g++) memory.fill(gates + gateRow + <usize>g * hBytes + unitOffset, 0, unitBytes);
        memory.fill(hiddenN + <usize>b * hBytes + unitOffset, 0, unitBytes);
      }
      continue;
    }
    const preRow = pre + <usize>b * preStride;
    const igRow = ig + (stepRow + <usize>b) * hBytes * 3;
    for (let q = q0; q < q1; q++) {
      const u = q << 3;
      const offset = <usize>u << 2;
      gruGroup(preRow + <usize>q * 96, igRow + offset, hBytes, biasHn == 0 ? 0 : biasHn + offset,
        hPrev + <usize>b * hBytes + offset, min(8, hidden - u), gates == 0 ? 0 : gates + gateRow + offset,
        hiddenN == 0 ? 0 : hiddenN + <usize>b * hBytes + offset, output + state + offset, hNext + <usize>b * hBytes + offset, stage);
    }
  }
}

export function gruSequenceJob(cb: usize, tid: i32, threads: i32): void {
  const whh = argP(cb, GruSequenceArg.weightHh);
  const h0 = argP(cb, GruSequenceArg.h0);
  const reverse = argI(cb, GruSequenceArg.reverse) != 0;
  const steps = argI(cb, GruSequenceArg.steps);
  const batch = argI(cb, GruSequenceArg.batch);
  const hidden = argI(cb, GruSequenceArg.hidden);
  const inference = argI(cb, GruSequenceArg.inference) != 0;
  const gatesOut = argP(cb, GruSequenceArg.gates);
  const hiddenNOut = argP(cb, GruSequenceArg.hiddenN);
  const scratch = tileScratch(cb, tid);
  const groups = groupsOf(hidden);
  const hBytes = <usize>hidden << 2;
  const panelBytes = hBytes << 3;
  const stateBytes = <usize>batch * hBytes;

  const packed = argP(cb, GruSequenceArg.scratch);
  const pre = packed + <usize>groups * panelBytes * 3;
  const hbuf = pre + <usize>batch * <usize>groups * 96;
  const packedH = hbuf + (stateBytes << 1) + <usize>tid * (<usize>packedRows(batch, hidden) << 2);

  if (batch == 1) {
    gruSequenceOne(cb, tid, threads, packed, hbuf, scratch, scratch + 128);
    copyStateOut(cb, tid, threads, hbuf, h0);
    return;
  }
  // Pack this thread's static share of groups: gate g's panel holds rows g·H + 8q … of W_hh.
  const groupBegin = shareBegin(groups, tid, threads);
  const groupEnd = shareBegin(groups, tid + 1, threads);
  for (let q = groupBegin; q < groupEnd; q++) {
    const units = min(8, hidden - (q << 3));
    for (let g = 0; g < 3; g++) {
      packRows(whh + <usize>(g * hidden + (q << 3)) * hBytes, hBytes, units, hidden, packed + (<usize>q * 3 + <usize>g) * panelBytes);
    }
  }
  barrier(cb, tid, threads);

  const chunk = claimChunk(groups, threads, 1);
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    const hPrev = s == 0 ? h0 : hbuf + <usize>((s - 1) & 1) * stateBytes;
    const hNext = hbuf + <usize>(s & 1) * stateBytes;
    const stepRows = <usize>t * <usize>batch;
    claimBegin(cb, s, tid);
    packA(hPrev, hBytes, 4, batch, hidden, packedH);
    const zig = (s & 1) != 0;
    for (let first = claimNext(cb, s, tid, threads, groups, 1, chunk, zig); first >= 0;
      first = claimNext(cb, s, tid, threads, groups, 1, chunk, zig)) {
      stepGroups(cb, first, claimedEnd(cb, tid), zig, t, packed, packedH, pre, hPrev, hNext,
        inference ? 0 : gatesOut + stepRows * hBytes * 3, inference ? 0 : hiddenNOut + stepRows * hBytes, scratch);
    }
    barrier(cb, tid, threads);
  }
  copyStateOut(cb, tid, threads, hbuf, h0);
}

/** The final state (the last step's h buffer, or h0 without steps) into `h`, each thread its static share of units. */
function copyStateOut(cb: usize, tid: i32, threads: i32, hbuf: usize, h0: usize): void {
  const steps = argI(cb, GruSequenceArg.steps);
  const batch = argI(cb, GruSequenceArg.batch);
  const hidden = argI(cb, GruSequenceArg.hidden);
  const hBytes = <usize>hidden << 2;
  const hLast = steps == 0 ? h0 : hbuf + <usize>((steps - 1) & 1) * <usize>batch * hBytes;
  const hOut = argP(cb, GruSequenceArg.h);
  const begin = shareBegin(hidden, tid, threads);
  const end = shareBegin(hidden, tid + 1, threads);
  for (let b = 0; b < batch; b++) {
    if (end > begin) memory.copy(hOut + <usize>b * hBytes + (<usize>begin << 2), hLast + <usize>b * hBytes + (<usize>begin << 2), <usize>(end - begin) << 2);
  }
}

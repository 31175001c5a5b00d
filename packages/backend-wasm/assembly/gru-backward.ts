/**
 * The whole-sequence GRU backward job (`Job.gruSequenceBackward`): backpropagation through time
 * for one direction of a GRU layer, one barrier per step, like lstm-backward.ts.
 *
 * W_hh [3H, H] is packed in 8-unit column panels for the recurrent product
 * `dh_{t-1} += d(h W_hhᵀ)_t · W_hh`. A thread that claims a chunk of units finishes their dh (the
 * product with every unit's recurrent gradient of the step after, plus the direct term
 * `dh ⊙ z` that step's cell left) and runs their cell backward at once; only a step's recurrent
 * gradients (read by everyone's product) need the barrier. dW_hh is one GEMM on the host over the
 * `dRecurrent` and `hPrev` the job writes; db_hn is summed here, unit by unit in step order (so
 * the result does not depend on the thread count). The equations are in `@gated/tensor`'s
 * gru-sequence-composite.ts.
 */
import { GruSequenceBackwardArg } from './abi';
import { one } from './common';
import { packA, packB, panelProducts } from './gemm';
import { claimChunk, isActive, loadN, packedRows, storeN } from './lstm-cell';
import { argI, argP, barrier, claimBegin, claimedEnd, claimNext, shareBegin, tileScratch } from './threads';

/**
 * Bytes of the backward job's scratch: W_hh packed in 8-unit panels (K = 3H), dh, its product and
 * the direct term dh ⊙ z ([B, H] each), then per thread a packed copy of a step's recurrent
 * gradients.
 */
export function gruSequenceBackwardScratch(batch: i32, hidden: i32, threads: i32): f64 {
  const floats = <f64>(((hidden + 7) >> 3) * 8) * 3 * <f64>hidden + 3 * <f64>batch * <f64>hidden +
    <f64>threads * <f64>packedRows(batch, hidden * 3);
  return floats * 4;
}

/** Where part `part` of the scratch starts: 0 packed W_hh, 1 dh, 2 the product, 3 the direct term, 4 thread 0's packed gradients. */
@inline function scratchPart(cb: usize, part: i32, batch: i32, hidden: i32): usize {
  const packed = argP(cb, GruSequenceBackwardArg.scratch);
  if (part == 0) return packed;
  const dhState = packed + <usize>((hidden + 7) >> 3) * <usize>hidden * 96;
  return dhState + <usize>(part - 1) * <usize>batch * (<usize>hidden << 2);
}

@inline function stepTime(s: i32, steps: i32, reverse: bool): i32 {
  return reverse ? steps - 1 - s : s;
}

function anyActive(t: i32, batch: i32, steps: i32, lengths: usize): bool {
  for (let b = 0; b < batch; b++) if (isActive(t, b, steps, lengths)) return true;
  return false;
}

export function gruSequenceBackwardJob(cb: usize, tid: i32, threads: i32): void {
  const lengths = argP(cb, GruSequenceBackwardArg.lengths);
  const reverse = argI(cb, GruSequenceBackwardArg.reverse) != 0;
  const steps = argI(cb, GruSequenceBackwardArg.steps);
  const batch = argI(cb, GruSequenceBackwardArg.batch);
  const hidden = argI(cb, GruSequenceBackwardArg.hidden);
  const dRecurrent = argP(cb, GruSequenceBackwardArg.dRecurrent);
  const width = hidden * 3;
  const hBytes = <usize>hidden << 2;
  const rowBytes3 = hBytes * 3;
  const panels = (hidden + 7) >> 3;
  const scratch = tileScratch(cb, tid);
  const packedGrads = scratchPart(cb, 4, batch, hidden) + <usize>tid * (<usize>packedRows(batch, width) << 2);

  packB(argP(cb, GruSequenceBackwardArg.weightHh), hidden, false, width, hidden, scratchPart(cb, 0, batch, hidden),
    shareBegin(panels, tid, threads), shareBegin(panels, tid + 1, threads));
  const uBegin = shareBegin(hidden, tid, threads);
  const uEnd = shareBegin(hidden, tid + 1, threads);
  const dhState = scratchPart(cb, 1, batch, hidden);
  const dh = argP(cb, GruSequenceBackwardArg.dh);
  for (let b = 0; b < batch; b++) {
    if (uEnd > uBegin) memory.copy(dhState + <usize>b * hBytes + (<usize>uBegin << 2), dh + <usize>b * hBytes + (<usize>uBegin << 2), <usize>(uEnd - uBegin) << 2);
  }
  barrier(cb, tid, threads);

  // Phase k is step s = steps - 1 - k; the last (s = -1) finishes the gradient of h0.
  const chunk = claimChunk(panels, threads, 1);
  for (let k = 0; k <= steps; k++) {
    const s = steps - 1 - k;
    claimBegin(cb, k, tid);
    const after = s + 1 < steps ? stepTime(s + 1, steps, reverse) : -1;
    const productRows = after >= 0 && anyActive(after, batch, steps, lengths);
    if (productRows && batch > 1) packA(dRecurrent + <usize>after * <usize>batch * rowBytes3, rowBytes3, 4, batch, width, packedGrads);
    const zig = (k & 1) != 0;
    for (let first = claimNext(cb, k, tid, threads, panels, 1, chunk, zig); first >= 0;
      first = claimNext(cb, k, tid, threads, panels, 1, chunk, zig)) {
      backwardPanels(cb, first, claimedEnd(cb, tid), zig, s, after, productRows, packedGrads, scratch);
    }
    barrier(cb, tid, threads);
  }

  // db_hn: the n block of dRecurrent summed over every row, each thread its static share of units.
  const dBias = argP(cb, GruSequenceBackwardArg.dBiasHn);
  const rows = steps * batch;
  for (let j = uBegin; j < uEnd; j++) {
    let total: f64 = 0;
    let p = dRecurrent + ((<usize>(2 * hidden + j)) << 2);
    for (let r = 0; r < rows; r++, p += rowBytes3) total += <f64>load<f32>(p);
    store<f32>(dBias + (<usize>j << 2), <f32>total);
  }
}

/**
 * Phase work for panels [p0, p1) (8 units each, walked backwards when `descending`): finish dh of
 * step s (the product with the recurrent gradients of time `after`, plus the direct term), then
 * run the cell backward of step s for those units, or, at s = -1, write their gradient of h0.
 */
function backwardPanels(
  cb: usize, p0: i32, p1: i32, descending: bool, s: i32, after: i32, productRows: bool, packedGrads: usize, scratch: usize,
): void {
  const lengths = argP(cb, GruSequenceBackwardArg.lengths);
  const reverse = argI(cb, GruSequenceBackwardArg.reverse) != 0;
  const steps = argI(cb, GruSequenceBackwardArg.steps);
  const batch = argI(cb, GruSequenceBackwardArg.batch);
  const hidden = argI(cb, GruSequenceBackwardArg.hidden);
  const dRecurrent = argP(cb, GruSequenceBackwardArg.dRecurrent);
  const packed = scratchPart(cb, 0, batch, hidden);
  const dhState = scratchPart(cb, 1, batch, hidden);
  const dhNew = scratchPart(cb, 2, batch, hidden);
  const dhDirect = scratchPart(cb, 3, batch, hidden);
  const width = hidden * 3;
  const hBytes = <usize>hidden << 2;
  const rowBytes3 = hBytes * 3;
  const unitBegin = p0 << 3;
  const unitEnd = min(hidden, p1 << 3);
  const unitOffset = <usize>unitBegin << 2;
  const unitBytes = <usize>(unitEnd - unitBegin) << 2;
  const stage = scratch + 128;

  if (productRows) {
    const a = dRecurrent + <usize>after * <usize>batch * rowBytes3;
    panelProducts(a, packedGrads, rowBytes3, packed, p0, p1, descending, width, hidden, batch, dhNew, hBytes, scratch);
    for (let b = 0; b < batch; b++) {
      if (!isActive(after, b, steps, lengths)) continue;
      const row = <usize>b * hBytes + unitOffset;
      for (let u = 0; u < unitEnd - unitBegin; u += 4) {
        const n = min(4, unitEnd - unitBegin - u);
        const at = row + (<usize>u << 2);
        storeN(dhState + at, f32x4.add(loadN(dhDirect + at, n, stage), loadN(dhNew + at, n, stage)), n, stage);
      }
    }
  }
  if (s < 0) {
    const dh0 = argP(cb, GruSequenceBackwardArg.dh0);
    for (let b = 0; b < batch; b++) memory.copy(dh0 + <usize>b * hBytes + unitOffset, dhState + <usize>b * hBytes + unitOffset, unitBytes);
    return;
  }

  const t = stepTime(s, steps, reverse);
  const prev = reverse ? t + 1 : t - 1;
  const h0 = argP(cb, GruSequenceBackwardArg.h0);
  const output = argP(cb, GruSequenceBackwardArg.output);
  const gates = argP(cb, GruSequenceBackwardArg.gates);
  const hiddenN = argP(cb, GruSequenceBackwardArg.hiddenN);
  const dOutput = argP(cb, GruSequenceBackwardArg.dOutput);
  const dIG = argP(cb, GruSequenceBackwardArg.dInputGates);
  const hPrevAll = argP(cb, GruSequenceBackwardArg.hPrev);
  const unit = one();
  const stepRow = <usize>t * <usize>batch;
  for (let b = 0; b < batch; b++) {
    const state = (stepRow + <usize>b) * hBytes;
    const gateRow = (stepRow + <usize>b) * rowBytes3;
    if (!isActive(t, b, steps, lengths)) {
      for (let g = 0; g < 3; g++) {
        memory.fill(dIG + gateRow + <usize>g * hBytes + unitOffset, 0, unitBytes);
        memory.fill(dRecurrent + gateRow + <usize>g * hBytes + unitOffset, 0, unitBytes);
      }
      memory.fill(hPrevAll + state + unitOffset, 0, unitBytes);
      continue;
    }
    const before = isActive(prev, b, steps, lengths) ? output + (<usize>prev * <usize>batch + <usize>b) * hBytes : h0 + <usize>b * hBytes;
    for (let u = unitBegin; u < unitEnd; u += 4) {
      const n = min(4, unitEnd - u);
      const offset = <usize>u << 2;
      const g = gates + gateRow + offset;
      const r = loadN(g, n, stage);
      const z = loadN(g + hBytes, n, stage);
      const nv = loadN(g + hBytes * 2, n, stage);
      const hBefore = loadN(before + offset, n, stage);
      const dhTotal = f32x4.add(loadN(dhState + <usize>b * hBytes + offset, n, stage), loadN(dOutput + state + offset, n, stage));
      const dnPre = f32x4.mul(f32x4.mul(dhTotal, f32x4.sub(unit, z)), f32x4.sub(unit, f32x4.mul(nv, nv)));
      const dzPre = f32x4.mul(f32x4.mul(dhTotal, f32x4.sub(hBefore, nv)), f32x4.mul(z, f32x4.sub(unit, z)));
      const drPre = f32x4.mul(f32x4.mul(dnPre, loadN(hiddenN + state + offset, n, stage)), f32x4.mul(r, f32x4.sub(unit, r)));
      const dg = dIG + gateRow + offset;
      const dr = dRecurrent + gateRow + offset;
      storeN(dg, drPre, n, stage);
      storeN(dg + hBytes, dzPre, n, stage);
      storeN(dg + hBytes * 2, dnPre, n, stage);
      storeN(dr, drPre, n, stage);
      storeN(dr + hBytes, dzPre, n, stage);
      storeN(dr + hBytes * 2, f32x4.mul(dnPre, r), n, stage);
      storeN(dhDirect + <usize>b * hBytes + offset, f32x4.mul(dhTotal, z), n, stage);
      storeN(hPrevAll + state + offset, hBefore, n, stage);
    }
  }
}

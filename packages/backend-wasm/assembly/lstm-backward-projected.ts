/**
 * The backward job of a projected LSTM (`Job.lstmSequenceBackward` with `weightHr`): BPTT with two
 * phases per step, because the projection puts a product between the recurrence and the cell.
 *
 * Phase A (threads claim 8-column panels of the P state columns): dh_s = dGates_{s+1} · W_hh for
 * those columns ([B, 4H] × [4H, P]), plus the output's gradient: the step's total dh, kept in
 * `dProjected` [T, B, P] (for dW_hr), and the state each step started from, in `hPrev` (for dW_hh).
 * Phase B (threads claim 8-unit panels of H): dm = dh · W_hr for those units ([B, P] × [P, H]),
 * then the cell backward of those units, and m = o ⊙ tanh(c) into `unprojected` [T, B, H] (for
 * dW_hr). dW_hh and dW_hr are one GEMM each on the host.
 */
import { LstmSequenceBackwardArg } from './abi';
import { packA, packB, tile1, tile4 } from './gemm';
import { cellBackward, cellTanh, claimChunk, isActive, loadN, packedRows, storeN } from './lstm-cell';
import { packProjectionBackward } from './projection';
import { argI, argP, barrier, claimBegin, claimedEnd, claimNext, shareBegin, tileScratch } from './threads';

/**
 * Bytes of the projected backward job's scratch: W_hh packed for the P columns (K = 4H), W_hr
 * packed for the H units (K = P), dh and its product ([B, P] each), dc and dm ([B, H] each), then
 * per thread a packed copy of a step's gate gradients and of its dh.
 */
export function projectedBackwardScratch(batch: i32, hidden: i32, proj: i32, threads: i32): f64 {
  const b = <f64>batch;
  const floats = <f64>(((proj + 7) >> 3) * 8) * 4 * <f64>hidden + <f64>(((hidden + 7) >> 3) * 8) * <f64>proj +
    2 * b * <f64>proj + 2 * b * <f64>hidden + <f64>threads * <f64>(packedRows(batch, hidden << 2) + packedRows(batch, proj));
  return floats * 4;
}

enum Part { packedHh, packedHr, dhState, dhNew, dcState, dm, packedGrads, packedDh }

/** Where part `part` of the scratch starts (`packedGrads` and `packedDh` are thread `tid`'s). */
function scratchAt(cb: usize, part: Part, tid: i32): usize {
  const batch = <usize>argI(cb, LstmSequenceBackwardArg.batch);
  const hidden = argI(cb, LstmSequenceBackwardArg.hidden);
  const proj = argI(cb, LstmSequenceBackwardArg.proj);
  let at = argP(cb, LstmSequenceBackwardArg.scratch);
  if (part == Part.packedHh) return at;
  at += (<usize>((proj + 7) >> 3) * <usize>hidden) << 7;
  if (part == Part.packedHr) return at;
  at += (<usize>((hidden + 7) >> 3) * <usize>proj) << 5;
  const pState = batch * (<usize>proj << 2);
  const hState = batch * (<usize>hidden << 2);
  if (part == Part.dhState) return at;
  at += pState;
  if (part == Part.dhNew) return at;
  at += pState;
  if (part == Part.dcState) return at;
  at += hState;
  if (part == Part.dm) return at;
  at += hState;
  const grads = <usize>packedRows(<i32>batch, hidden << 2) << 2;
  at += <usize>tid * (grads + (<usize>packedRows(<i32>batch, proj) << 2));
  return part == Part.packedGrads ? at : at + grads;
}

/** Time index of step s (steps run backwards in time when `reverse`). */
@inline function stepTime(s: i32, steps: i32, reverse: bool): i32 {
  return reverse ? steps - 1 - s : s;
}

function anyActive(t: i32, batch: i32, steps: i32, lengths: usize): bool {
  for (let b = 0; b < batch; b++) if (isActive(t, b, steps, lengths)) return true;
  return false;
}

export function projectedBackwardJob(cb: usize, tid: i32, threads: i32): void {
  const lengths = argP(cb, LstmSequenceBackwardArg.lengths);
  const reverse = argI(cb, LstmSequenceBackwardArg.reverse) != 0;
  const steps = argI(cb, LstmSequenceBackwardArg.steps);
  const batch = argI(cb, LstmSequenceBackwardArg.batch);
  const hidden = argI(cb, LstmSequenceBackwardArg.hidden);
  const proj = argI(cb, LstmSequenceBackwardArg.proj);
  const dIG = argP(cb, LstmSequenceBackwardArg.dInputGates);
  const width = hidden << 2;
  const hBytes = <usize>hidden << 2;
  const pBytes = <usize>proj << 2;
  const rowBytes4 = hBytes << 2;
  const pPanels = (proj + 7) >> 3;
  const hPanels = (hidden + 7) >> 3;

  // Static shares: packing, and copying the states in and out.
  packB(argP(cb, LstmSequenceBackwardArg.weightHh), proj, false, width, proj, scratchAt(cb, Part.packedHh, tid),
    shareBegin(pPanels, tid, threads), shareBegin(pPanels, tid + 1, threads));
  packProjectionBackward(argP(cb, LstmSequenceBackwardArg.weightHr), hidden, proj, scratchAt(cb, Part.packedHr, tid), tid, threads);
  const dhState = scratchAt(cb, Part.dhState, tid);
  const dcState = scratchAt(cb, Part.dcState, tid);
  const pBegin = shareBegin(proj, tid, threads);
  const pEnd = shareBegin(proj, tid + 1, threads);
  const uBegin = shareBegin(hidden, tid, threads);
  const uEnd = shareBegin(hidden, tid + 1, threads);
  const dh = argP(cb, LstmSequenceBackwardArg.dh);
  const dc = argP(cb, LstmSequenceBackwardArg.dc);
  for (let b = 0; b < batch; b++) {
    if (pEnd > pBegin) memory.copy(dhState + <usize>b * pBytes + (<usize>pBegin << 2), dh + <usize>b * pBytes + (<usize>pBegin << 2), <usize>(pEnd - pBegin) << 2);
    if (uEnd > uBegin) memory.copy(dcState + <usize>b * hBytes + (<usize>uBegin << 2), dc + <usize>b * hBytes + (<usize>uBegin << 2), <usize>(uEnd - uBegin) << 2);
  }
  barrier(cb, tid, threads);

  const pChunk = claimChunk(pPanels, threads, 1);
  const hChunk = claimChunk(hPanels, threads, 1);
  const packedGrads = scratchAt(cb, Part.packedGrads, tid);
  const packedDh = scratchAt(cb, Part.packedDh, tid);
  const dProjected = argP(cb, LstmSequenceBackwardArg.dProjected);
  for (let k = 0; k <= steps; k++) {
    const s = steps - 1 - k;
    const after = s + 1 < steps ? stepTime(s + 1, steps, reverse) : -1;
    const productRows = after >= 0 && anyActive(after, batch, steps, lengths);
    claimBegin(cb, k << 1, tid);
    if (productRows && batch > 1) packA(dIG + <usize>after * <usize>batch * rowBytes4, rowBytes4, 4, batch, width, packedGrads);
    for (let first = claimNext(cb, k << 1, tid, threads, pPanels, 1, pChunk, false); first >= 0;
      first = claimNext(cb, k << 1, tid, threads, pPanels, 1, pChunk, false)) {
      statePanels(cb, first, claimedEnd(cb, tid), s, after, productRows, packedGrads, tileScratch(cb, tid));
    }
    if (s < 0) break;
    barrier(cb, tid, threads);
    const t = stepTime(s, steps, reverse);
    claimBegin(cb, (k << 1) + 1, tid);
    if (batch > 1) packA(dProjected + <usize>t * <usize>batch * pBytes, pBytes, 4, batch, proj, packedDh);
    for (let first = claimNext(cb, (k << 1) + 1, tid, threads, hPanels, 1, hChunk, false); first >= 0;
      first = claimNext(cb, (k << 1) + 1, tid, threads, hPanels, 1, hChunk, false)) {
      cellPanels(cb, first, claimedEnd(cb, tid), s, packedDh, tileScratch(cb, tid));
    }
    barrier(cb, tid, threads);
  }
  // dc0: the last cell phase ended with a barrier.
  const dc0 = argP(cb, LstmSequenceBackwardArg.dc0);
  for (let b = 0; b < batch; b++) {
    if (uEnd > uBegin) memory.copy(dc0 + <usize>b * hBytes + (<usize>uBegin << 2), dcState + <usize>b * hBytes + (<usize>uBegin << 2), <usize>(uEnd - uBegin) << 2);
  }
}

/**
 * Phase A for the P columns of panels [p0, p1): dh of step s from the gate gradients of time
 * `after`, then the step's total dh into `dProjected` and its starting state into `hPrev`; at
 * s = -1, the gradient of h0.
 */
function statePanels(cb: usize, p0: i32, p1: i32, s: i32, after: i32, productRows: bool, packedGrads: usize, scratch: usize): void {
  const lengths = argP(cb, LstmSequenceBackwardArg.lengths);
  const reverse = argI(cb, LstmSequenceBackwardArg.reverse) != 0;
  const steps = argI(cb, LstmSequenceBackwardArg.steps);
  const batch = argI(cb, LstmSequenceBackwardArg.batch);
  const hidden = argI(cb, LstmSequenceBackwardArg.hidden);
  const proj = argI(cb, LstmSequenceBackwardArg.proj);
  const dIG = argP(cb, LstmSequenceBackwardArg.dInputGates);
  const packed = scratchAt(cb, Part.packedHh, 0);
  const dhState = scratchAt(cb, Part.dhState, 0);
  const dhNew = scratchAt(cb, Part.dhNew, 0);
  const width = hidden << 2;
  const pBytes = <usize>proj << 2;
  const rowBytes4 = <usize>width << 2;
  const begin = p0 << 3;
  const end = min(proj, p1 << 3);
  const offset = <usize>begin << 2;
  const bytes = <usize>(end - begin) << 2;
  if (productRows) {
    const a = dIG + <usize>after * <usize>batch * rowBytes4;
    for (let panel = p0; panel < p1; panel++) {
      const w = packed + <usize>panel * (<usize>width << 5);
      const cols = min(8, proj - (panel << 3));
      const c = dhNew + (<usize>panel << 5);
      if (batch == 1) {
        tile1(a, w, c, width, cols, false, scratch);
        continue;
      }
      let ap = packedGrads;
      for (let b = 0; b < batch; b += 4) {
        tile4(ap, w, c + <usize>b * pBytes, pBytes, width, min(4, batch - b), cols, false, scratch);
        ap += rowBytes4 << 2;
      }
    }
    for (let b = 0; b < batch; b++) {
      if (isActive(after, b, steps, lengths)) memory.copy(dhState + <usize>b * pBytes + offset, dhNew + <usize>b * pBytes + offset, bytes);
    }
  }
  if (s < 0) {
    const dh0 = argP(cb, LstmSequenceBackwardArg.dh0);
    for (let b = 0; b < batch; b++) memory.copy(dh0 + <usize>b * pBytes + offset, dhState + <usize>b * pBytes + offset, bytes);
    return;
  }
  const t = stepTime(s, steps, reverse);
  const prev = reverse ? t + 1 : t - 1;
  const dOutput = argP(cb, LstmSequenceBackwardArg.dOutput);
  const dProjected = argP(cb, LstmSequenceBackwardArg.dProjected);
  const hPrevAll = argP(cb, LstmSequenceBackwardArg.hPrev);
  const output = argP(cb, LstmSequenceBackwardArg.output);
  const h0 = argP(cb, LstmSequenceBackwardArg.h0);
  const stage = scratch + 128;
  for (let b = 0; b < batch; b++) {
    const row = (<usize>t * <usize>batch + <usize>b) * pBytes + offset;
    if (!isActive(t, b, steps, lengths)) {
      memory.fill(dProjected + row, 0, bytes);
      memory.fill(hPrevAll + row, 0, bytes);
      continue;
    }
    const state = dhState + <usize>b * pBytes + offset;
    for (let j = 0; j < end - begin; j += 4) {
      const n = min(4, end - begin - j);
      const at = <usize>j << 2;
      storeN(dProjected + row + at, f32x4.add(loadN(state + at, n, stage), loadN(dOutput + row + at, n, stage)), n, stage);
    }
    const from = isActive(prev, b, steps, lengths) ? output + (<usize>prev * <usize>batch + <usize>b) * pBytes : h0 + <usize>b * pBytes;
    memory.copy(hPrevAll + row, from + offset, bytes);
  }
}

/**
 * Phase B for the H units of panels [p0, p1) at step s: dm = dh · W_hr for those units, then their
 * cell backward, and m = o ⊙ tanh(c) into `unprojected`.
 */
function cellPanels(cb: usize, p0: i32, p1: i32, s: i32, packedDh: usize, scratch: usize): void {
  const lengths = argP(cb, LstmSequenceBackwardArg.lengths);
  const reverse = argI(cb, LstmSequenceBackwardArg.reverse) != 0;
  const steps = argI(cb, LstmSequenceBackwardArg.steps);
  const batch = argI(cb, LstmSequenceBackwardArg.batch);
  const hidden = argI(cb, LstmSequenceBackwardArg.hidden);
  const proj = argI(cb, LstmSequenceBackwardArg.proj);
  const gates = argP(cb, LstmSequenceBackwardArg.gates);
  const cells = argP(cb, LstmSequenceBackwardArg.cells);
  const c0 = argP(cb, LstmSequenceBackwardArg.c0);
  const dIG = argP(cb, LstmSequenceBackwardArg.dInputGates);
  const unprojected = argP(cb, LstmSequenceBackwardArg.unprojected);
  const packed = scratchAt(cb, Part.packedHr, 0);
  const dcState = scratchAt(cb, Part.dcState, 0);
  const dm = scratchAt(cb, Part.dm, 0);
  const hBytes = <usize>hidden << 2;
  const pBytes = <usize>proj << 2;
  const rowBytes4 = hBytes << 2;
  const t = stepTime(s, steps, reverse);
  const prev = reverse ? t + 1 : t - 1;
  const dProjectedRows = argP(cb, LstmSequenceBackwardArg.dProjected) + <usize>t * <usize>batch * pBytes;
  for (let panel = p0; panel < p1; panel++) {
    const w = packed + ((<usize>panel * <usize>proj) << 5);
    const cols = min(8, hidden - (panel << 3));
    const c = dm + (<usize>panel << 5);
    if (batch == 1) {
      tile1(dProjectedRows, w, c, proj, cols, false, scratch);
      continue;
    }
    let ap = packedDh;
    for (let b = 0; b < batch; b += 4) {
      tile4(ap, w, c + <usize>b * hBytes, hBytes, proj, min(4, batch - b), cols, false, scratch);
      ap += pBytes << 2;
    }
  }
  const unitBegin = p0 << 3;
  const unitEnd = min(hidden, p1 << 3);
  const unitOffset = <usize>unitBegin << 2;
  const unitBytes = <usize>(unitEnd - unitBegin) << 2;
  const stage = scratch + 128;
  const stepRow = <usize>t * <usize>batch;
  for (let b = 0; b < batch; b++) {
    const state = (stepRow + <usize>b) * hBytes;
    const gateRow = (stepRow + <usize>b) * rowBytes4;
    if (!isActive(t, b, steps, lengths)) {
      for (let g = 0; g < 4; g++) memory.fill(dIG + gateRow + <usize>g * hBytes + unitOffset, 0, unitBytes);
      memory.fill(unprojected + state + unitOffset, 0, unitBytes);
      continue;
    }
    const cPrevRow = isActive(prev, b, steps, lengths) ? cells + (<usize>prev * <usize>batch + <usize>b) * hBytes : c0 + <usize>b * hBytes;
    const dcRow = dcState + <usize>b * hBytes;
    const dmRow = dm + <usize>b * hBytes;
    for (let u = unitBegin; u < unitEnd; u += 4) {
      const n = min(4, unitEnd - u);
      const offset = <usize>u << 2;
      cellTanh(cells + state + offset, dIG + gateRow + offset, hBytes, n, stage);
      // m = o ⊙ tanh(c') while tanh(c') sits in the o-slot of dGates.
      const o = loadN(gates + gateRow + hBytes * 3 + offset, n, stage);
      storeN(unprojected + state + offset, f32x4.mul(o, loadN(dIG + gateRow + hBytes * 3 + offset, n, stage)), n, stage);
    }
    for (let u = unitBegin; u < unitEnd; u += 4) {
      const n = min(4, unitEnd - u);
      const offset = <usize>u << 2;
      cellBackward(loadN(dmRow + offset, n, stage), dcRow + offset, cPrevRow + offset, gates + gateRow + offset, hBytes,
        dIG + gateRow + offset, dcRow + offset, n, stage);
    }
  }
}

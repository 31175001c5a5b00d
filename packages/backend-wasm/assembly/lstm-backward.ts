/**
 * The whole-sequence backward job (`Job.lstmSequenceBackward`): backpropagation through time for
 * one direction of an LSTM layer, threads meeting at one barrier per step.
 *
 * W_hh is packed in 8-unit column panels for dh_t = dGates_{t+1} · W_hh. A thread that claims a
 * chunk of units finishes their dh and runs their cell backward at once; only the gate gradients
 * of a step (read by everyone's product) need the barrier. dW_hh is one GEMM at the end, on the
 * host, from the `hPrev` this job writes.
 */
import { LstmSequenceBackwardArg } from './abi';
import { packA, packB, panelProducts } from './gemm';
import { projectedBackwardJob, projectedBackwardScratch } from './lstm-backward-projected';
import { cellBackward, cellTanh, claimChunk, isActive, loadN, packedRows } from './lstm-cell';
import { argI, argP, barrier, claimBegin, claimedEnd, claimNext, shareBegin, tileScratch } from './threads';

/**
 * Bytes of the backward job's scratch, which the job lays out itself (`scratchParts`): W_hh packed
 * in 8-unit panels, dh, dc and the new dh ([B, H] each), then one packed copy of a step's gate
 * gradients per thread. With a projection (`proj` < `hidden`) lstm-backward-projected.ts lays it out.
 */
export function lstmSequenceBackwardScratch(batch: i32, hidden: i32, proj: i32, threads: i32): f64 {
  if (proj != hidden) return projectedBackwardScratch(batch, hidden, proj, threads);
  const floats = <f64>(((hidden + 7) >> 3) * 8) * 4 * <f64>hidden + 3 * <f64>batch * <f64>hidden +
    <f64>threads * <f64>packedRows(batch, hidden << 2);
  return floats * 4;
}

/**
 * Where part `part` of the scratch starts: 0 packed W_hh, 1 dh, 2 dc, 3 the new dh, 4 the packed
 * gate gradients (thread 0's; each thread's follows the previous one's).
 */
@inline function scratchPart(cb: usize, part: i32, batch: i32, hidden: i32): usize {
  const packed = argP(cb, LstmSequenceBackwardArg.scratch);
  if (part == 0) return packed;
  const dhState = packed + ((<usize>((hidden + 7) >> 3) * <usize>hidden) << 7);
  return dhState + <usize>(part - 1) * <usize>batch * (<usize>hidden << 2);
}

export function lstmSequenceBackwardJob(cb: usize, tid: i32, threads: i32): void {
  if (argP(cb, LstmSequenceBackwardArg.weightHr) != 0) {
    projectedBackwardJob(cb, tid, threads);
    return;
  }
  const whh = argP(cb, LstmSequenceBackwardArg.weightHh);
  const lengths = argP(cb, LstmSequenceBackwardArg.lengths);
  const reverse = argI(cb, LstmSequenceBackwardArg.reverse) != 0;
  const steps = argI(cb, LstmSequenceBackwardArg.steps);
  const batch = argI(cb, LstmSequenceBackwardArg.batch);
  const hidden = argI(cb, LstmSequenceBackwardArg.hidden);
  const dIG = argP(cb, LstmSequenceBackwardArg.dInputGates);
  const dhState = scratchPart(cb, 1, batch, hidden);
  const dcState = scratchPart(cb, 2, batch, hidden);
  const scratch = tileScratch(cb, tid);

  const width = hidden << 2;
  const packedGrads = scratchPart(cb, 4, batch, hidden) + <usize>tid * (<usize>packedRows(batch, width) << 2);
  // Static shares of 8-unit panels: packing W_hh and copying the states in. The steps claim
  // panels (see `claimNext` in threads.ts).
  const panels = (hidden + 7) >> 3;
  const panelBegin = shareBegin(panels, tid, threads);
  const panelEnd = shareBegin(panels, tid + 1, threads);
  const hBytes = <usize>hidden << 2;
  const rowBytes4 = hBytes << 2;
  const unitOffset = <usize>panelBegin << 5;
  const unitBytes = <usize>max(0, min(hidden, panelEnd << 3) - (panelBegin << 3)) << 2;

  packB(whh, hidden, false, width, hidden, scratchPart(cb, 0, batch, hidden), panelBegin, panelEnd);
  const dh = argP(cb, LstmSequenceBackwardArg.dh);
  const dc = argP(cb, LstmSequenceBackwardArg.dc);
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
  const h0 = argP(cb, LstmSequenceBackwardArg.h0);
  const c0 = argP(cb, LstmSequenceBackwardArg.c0);
  const lengths = argP(cb, LstmSequenceBackwardArg.lengths);
  const reverse = argI(cb, LstmSequenceBackwardArg.reverse) != 0;
  const steps = argI(cb, LstmSequenceBackwardArg.steps);
  const batch = argI(cb, LstmSequenceBackwardArg.batch);
  const hidden = argI(cb, LstmSequenceBackwardArg.hidden);
  const output = argP(cb, LstmSequenceBackwardArg.output);
  const gates = argP(cb, LstmSequenceBackwardArg.gates);
  const cells = argP(cb, LstmSequenceBackwardArg.cells);
  const dOutput = argP(cb, LstmSequenceBackwardArg.dOutput);
  const dIG = argP(cb, LstmSequenceBackwardArg.dInputGates);
  const hPrevAll = argP(cb, LstmSequenceBackwardArg.hPrev);
  const packed = scratchPart(cb, 0, batch, hidden);
  const dhState = scratchPart(cb, 1, batch, hidden);
  const dcState = scratchPart(cb, 2, batch, hidden);
  const dhNew = scratchPart(cb, 3, batch, hidden);
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
    panelProducts(a, packedGrads, rowBytes4, packed, p0, p1, descending, width, hidden, batch, dhNew, hBytes, scratch);
    for (let b = 0; b < batch; b++) {
      if (!isActive(after, b, steps, lengths)) continue;
      const row = <usize>b * hBytes + unitOffset;
      memory.copy(dhState + row, dhNew + row, unitBytes);
    }
  }
  if (s < 0) {
    const dh0 = argP(cb, LstmSequenceBackwardArg.dh0);
    const dc0 = argP(cb, LstmSequenceBackwardArg.dc0);
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


/**
 * The whole-sequence forward job (`Job.lstmSequence`): the time loop of one direction of an LSTM
 * layer runs here, threads meeting at one barrier per step (two with a projection).
 *
 * W_hh [4H, P] is packed once per call into two 8-column panels per group of four hidden units,
 * (i, f) and (g, o), so one 4×8 micro-kernel pass per panel leaves all four gates of those units
 * side by side in a small `pre` buffer. The pointwise cell then reads them with vector loads. h is
 * double-buffered: every thread reads all of h_{t-1} while writing the units it claimed of h_t.
 * Threads claim groups of units step by step (`claimNext` in threads.ts). Batch 1 has its own
 * path (`sequenceOne`): a vector–matrix product per step.
 *
 * With a projection (PyTorch's `proj_size`, P < H) the cell writes m = o ⊙ tanh(c) into a
 * [B, H] buffer instead of h; after a barrier, threads claim 8-column panels of W_hr (packed once)
 * and compute h = m · W_hrᵀ [B, P], which is both the state and the output (projection.ts).
 *
 * Inference mode keeps one step's gates in scratch ([B, 4H]) and no cells: the arithmetic is the
 * same, so the outputs are those of training mode bit for bit.
 */
import { LstmSequenceArg } from './abi';
import { storeTransposed } from './common';
import { packA, tile4 } from './gemm';
import { claimChunk, gatesForward, isActive, loadN, packedRows, stateForward, storeN } from './lstm-cell';
import { packProjection, projectStep, projectionPanels } from './projection';
import { argI, argP, barrier, claimBegin, claimedEnd, claimNext, shareBegin, tileScratch } from './threads';

/**
 * Bytes of the forward job's scratch, which the job lays out itself: W_hh packed (16 floats per
 * group of four units and k), `pre` (16 floats per group and row), two h buffers ([B, P]), c and
 * one step's gates ([B, H] and [B, 4H]), then, with a projection, m ([B, H]) and W_hr packed;
 * then per thread a packed copy of h (and of m with a projection).
 */
export function lstmSequenceScratch(batch: i32, hidden: i32, proj: i32, threads: i32): f64 {
  const groups = <f64>((hidden + 3) >> 2);
  const b = <f64>batch;
  const h = <f64>hidden;
  let floats = groups * 16 * <f64>proj + b * groups * 16 + 2 * b * <f64>proj + 5 * b * h;
  let perThread = <f64>packedRows(batch, proj);
  if (proj != hidden) {
    floats += b * h + <f64>projectionPanels(proj) * 8 * h;
    perThread += <f64>packedRows(batch, hidden);
  }
  return (floats + <f64>threads * perThread) * 4;
}

/** The parts of the forward job's scratch, in the order `lstmSequenceScratch` sized them. */
enum Part { packed, pre, hbuf, cstate, gateStep, mbuf, packedHr, packedH, packedM }

/** Where part `part` of the scratch starts (`packedH` and `packedM` are thread `tid`'s). */
function scratchAt(cb: usize, part: Part, tid: i32): usize {
  const batch = <usize>argI(cb, LstmSequenceArg.batch);
  const hidden = argI(cb, LstmSequenceArg.hidden);
  const proj = argI(cb, LstmSequenceArg.proj);
  const groups = <usize>((hidden + 3) >> 2);
  const stateBytes = batch * (<usize>hidden << 2);
  let at = argP(cb, LstmSequenceArg.scratch);
  if (part == Part.packed) return at;
  at += (groups * <usize>proj) << 6;
  if (part == Part.pre) return at;
  at += (batch * groups) << 6;
  if (part == Part.hbuf) return at;
  at += (batch * <usize>proj) << 3;
  if (part == Part.cstate) return at;
  at += stateBytes;
  if (part == Part.gateStep) return at;
  at += stateBytes << 2;
  const projected = proj != hidden;
  if (projected) {
    if (part == Part.mbuf) return at;
    at += stateBytes;
    if (part == Part.packedHr) return at;
    at += (<usize>projectionPanels(proj) * <usize>hidden) << 5;
  }
  const packedH = <usize>packedRows(<i32>batch, proj) << 2;
  at += <usize>tid * (packedH + (projected ? <usize>packedRows(<i32>batch, hidden) << 2 : 0));
  return part == Part.packedH ? at : at + packedH;
}

/**
 * One step of the batched forward for groups [q0, q1): pre = h_{t-1} · W_hhᵀ for those groups
 * (walked backwards when `descending`), then the cell for their units, row by row. `gates` is the
 * step's gate rows (row b at `gates + b·16H` bytes), `cells` the step's cell rows or 0 (inference
 * mode), `hTarget` the rows the cell's h (or m, with a projection) goes to, `hNext` the next state
 * or 0 when the projection phase writes it.
 */
function stepGroups(
  q0: i32, q1: i32, descending: bool, t: i32, steps: i32, batch: i32, hidden: i32, proj: i32, lengths: usize,
  ig: usize, packed: usize, packedH: usize, pre: usize, cstate: usize, hPrev: usize, hNext: usize,
  hTarget: usize, cells: usize, gates: usize, scratch: usize, stage: usize,
): void {
  const hBytes = <usize>hidden << 2;
  const pBytes = <usize>proj << 2;
  const panelBytes = pBytes << 3;
  const preStride = <usize>((hidden + 3) >> 2) << 6;
  for (let i = q0; i < q1; i++) {
    const q = descending ? q1 - 1 - (i - q0) : i;
    const p0 = packed + <usize>q * (panelBytes << 1);
    const c = pre + (<usize>q << 6);
    let ap = packedH;
    for (let b = 0; b < batch; b += 4) {
      const rows = min(4, batch - b);
      const cp = c + <usize>b * preStride;
      tile4(ap, p0, cp, preStride, proj, rows, 8, false, scratch);
      tile4(ap, p0 + panelBytes, cp + 32, preStride, proj, rows, 8, false, scratch);
      ap += pBytes << 2;
    }
  }
  const unitBegin = q0 << 2;
  const unitEnd = min(hidden, q1 << 2);
  const unitOffset = <usize>unitBegin << 2;
  const unitBytes = <usize>(unitEnd - unitBegin) << 2;
  const rowBytes4 = hBytes << 2;
  const stepRow = <usize>t * <usize>batch;
  for (let b = 0; b < batch; b++) {
    const gateRow = gates + <usize>b * rowBytes4;
    const hRow = hTarget + <usize>b * hBytes;
    const cellRow = cells + <usize>b * hBytes;
    if (!isActive(t, b, steps, lengths)) {
      if (cells != 0) {
        memory.fill(cellRow + unitOffset, 0, unitBytes);
        for (let g = 0; g < 4; g++) memory.fill(gateRow + <usize>g * hBytes + unitOffset, 0, unitBytes);
      }
      if (hNext != 0) {
        memory.fill(hRow + unitOffset, 0, unitBytes);
        memory.copy(hNext + <usize>b * hBytes + unitOffset, hPrev + <usize>b * hBytes + unitOffset, unitBytes);
      }
      continue;
    }
    const preRow = pre + <usize>b * preStride;
    const igRow = ig + (stepRow + <usize>b) * rowBytes4;
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
      gatesForward(xi, xf, xg, xo, gateRow + offset, hBytes, n, stage);
    }
    for (let q = q0; q < q1; q++) {
      const u = q << 2;
      const n = min(4, hidden - u);
      const offset = <usize>u << 2;
      const cPtr = cstate + <usize>b * hBytes + offset;
      const hNew = stateForward(gateRow + offset, hBytes, cPtr, cPtr, hRow + offset, n, stage);
      if (hNext != 0) storeN(hNext + <usize>b * hBytes + offset, hNew, n, stage);
      if (cells != 0) storeN(cellRow + offset, loadN(cPtr, n, stage), n, stage);
    }
  }
}

/** Packs groups [groupBegin, groupEnd) of W_hh [4H, P]: group q → (i, f) panel then (g, o) panel, each P rows of 8. */
function packPanels8(whh: usize, hidden: i32, proj: i32, packed: usize, groupBegin: i32, groupEnd: i32): void {
  const pBytes = <usize>proj << 2;
  const panelBytes = pBytes << 3;
  for (let q = groupBegin; q < groupEnd; q++) {
    const p0 = packed + <usize>q * (panelBytes << 1);
    const units = min(4, hidden - (q << 2));
    for (let half = 0; half < 2; half++) {
      const panel = p0 + <usize>half * panelBytes;
      const first = whh + <usize>((half << 1) * hidden + (q << 2)) * pBytes;
      if (units == 4) {
        // The 8 columns are rows u of gate 2·half and gate 2·half + 1: two runs of 4 rows.
        const second = first + <usize>hidden * pBytes;
        for (let k = 0; k + 4 <= proj; k += 4) {
          const s0 = first + (<usize>k << 2);
          const s1 = second + (<usize>k << 2);
          const d = panel + (<usize>k << 5);
          storeTransposed(v128.load(s0), v128.load(s0 + pBytes), v128.load(s0 + pBytes * 2), v128.load(s0 + pBytes * 3), d, 32);
          storeTransposed(v128.load(s1), v128.load(s1 + pBytes), v128.load(s1 + pBytes * 2), v128.load(s1 + pBytes * 3), d + 16, 32);
        }
        for (let k = proj & ~3; k < proj; k++) {
          for (let col = 0; col < 8; col++) {
            const src = (col < 4 ? first : second) + <usize>(col & 3) * pBytes + (<usize>k << 2);
            store<f32>(panel + (<usize>k << 5) + (<usize>col << 2), load<f32>(src));
          }
        }
        continue;
      }
      memory.fill(panel, 0, panelBytes);
      for (let col = 0; col < 8; col++) {
        if ((col & 3) >= units) continue;
        let src = first + <usize>((col >> 2) * hidden + (col & 3)) * pBytes;
        let dst = panel + (<usize>col << 2);
        for (let k = 0; k < proj; k++, src += 4, dst += 32) store<f32>(dst, load<f32>(src));
      }
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
  const proj = argI(cb, LstmSequenceArg.proj);
  const whr = argP(cb, LstmSequenceArg.weightHr);
  const inference = argI(cb, LstmSequenceArg.inference) != 0;
  const output = argP(cb, LstmSequenceArg.output);
  const gatesOut = argP(cb, LstmSequenceArg.gates);
  const cellsOut = argP(cb, LstmSequenceArg.cells);
  const scratch = tileScratch(cb, tid);
  const stage = scratch + 128;
  const packed = scratchAt(cb, Part.packed, tid);
  const hbuf = scratchAt(cb, Part.hbuf, tid);
  const cstate = scratchAt(cb, Part.cstate, tid);
  const mbuf = scratchAt(cb, Part.mbuf, tid);
  const packedHr = scratchAt(cb, Part.packedHr, tid);
  const packedM = scratchAt(cb, Part.packedM, tid);

  // Static shares of pairs of groups (8 units): packing W_hh, copying the states in and out.
  // The steps themselves claim groups (see `claimNext` in threads.ts).
  const groups = (hidden + 3) >> 2;
  const pairs = (hidden + 7) >> 3;
  const groupBegin = shareBegin(pairs, tid, threads) << 1;
  const groupEnd = min(groups, shareBegin(pairs, tid + 1, threads) << 1);
  const unitBegin = groupBegin << 2;
  const unitEnd = min(hidden, groupEnd << 2);
  const hBytes = <usize>hidden << 2;
  const pBytes = <usize>proj << 2;
  const stateBytes = <usize>batch * pBytes;
  const rowBytes4 = hBytes << 2;
  const projected = whr != 0;
  // Static shares of the state's P columns (copied in and out).
  const stateBegin = shareBegin(proj, tid, threads);
  const stateEnd = shareBegin(proj, tid + 1, threads);
  if (projected) packProjection(whr, hidden, proj, packedHr, tid, threads);

  if (batch == 1) {
    sequenceOne(cb, reverse, steps, hidden, proj, groupBegin, groupEnd, tid, threads, stage);
  } else {
    const pre = scratchAt(cb, Part.pre, tid);
    const gateStep = scratchAt(cb, Part.gateStep, tid);
    const packedH = scratchAt(cb, Part.packedH, tid);
    packPanels8(whh, hidden, proj, packed, groupBegin, groupEnd);
    const unitOffset = <usize>unitBegin << 2;
    const unitBytes = <usize>max(0, unitEnd - unitBegin) << 2;
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
      const stepRows = <usize>t * <usize>batch;
      const gates = inference ? gateStep : gatesOut + stepRows * rowBytes4;
      const cells = inference ? 0 : cellsOut + stepRows * hBytes;
      const phase = projected ? s << 1 : s;
      claimBegin(cb, phase, tid);
      packA(hPrev, pBytes, 4, batch, proj, packedH);
      // Every other step walks the weights backwards, so that it starts with the panels the
      // previous step read last, which are still in L2.
      const zig = (s & 1) != 0;
      for (let first = claimNext(cb, phase, tid, threads, groups, 2, chunk, zig); first >= 0;
        first = claimNext(cb, phase, tid, threads, groups, 2, chunk, zig)) {
        stepGroups(first, claimedEnd(cb, tid), zig, t, steps, batch, hidden, proj, lengths, ig, packed, packedH, pre,
          cstate, hPrev, projected ? 0 : hNext, projected ? mbuf : output + stepRows * hBytes, cells, gates, scratch, stage);
      }
      barrier(cb, tid, threads);
      if (projected) {
        projectStep(cb, phase + 1, tid, threads, t, steps, batch, hidden, proj, lengths, mbuf, packedHr, packedM,
          hPrev, hNext, output + stepRows * pBytes, scratch);
        barrier(cb, tid, threads);
      }
    }
  }
  const hLast = steps == 0 ? h0 : hbuf + <usize>((steps - 1) & 1) * stateBytes;
  const hOut = argP(cb, LstmSequenceArg.h);
  const cOut = argP(cb, LstmSequenceArg.c);
  for (let b = 0; b < batch; b++) {
    if (stateEnd > stateBegin) {
      const row = <usize>b * pBytes + (<usize>stateBegin << 2);
      memory.copy(hOut + row, hLast + row, <usize>(stateEnd - stateBegin) << 2);
    }
    if (unitEnd > unitBegin) {
      const row = <usize>b * hBytes + (<usize>unitBegin << 2);
      memory.copy(cOut + row, cstate + row, <usize>(unitEnd - unitBegin) << 2);
    }
  }
}

/**
 * Packs the rows of W_hh [4H, P] for groups [groupBegin, groupEnd) of four hidden units into one
 * 16-column panel per group, K-major: `panel[k·16 + g·4 + u]` = W_hh[g·H + 4q + u, k]. The
 * batch-1 step reads a group's panel once, front to back, and ends with all four gates of its
 * four units in four vectors. Units past H are 0.
 */
function packGroups16(whh: usize, hidden: i32, proj: i32, packed: usize, groupBegin: i32, groupEnd: i32): void {
  const pBytes = <usize>proj << 2;
  const panelBytes = pBytes << 4;
  for (let q = groupBegin; q < groupEnd; q++) {
    const panel = packed + <usize>q * panelBytes;
    const units = min(4, hidden - (q << 2));
    if (units < 4) memory.fill(panel, 0, panelBytes);
    for (let g = 0; g < 4; g++) {
      const first = whh + <usize>(g * hidden + (q << 2)) * pBytes;
      const column = panel + (<usize>g << 4);
      let k = 0;
      if (units == 4) {
        for (; k + 4 <= proj; k += 4) {
          const s = first + (<usize>k << 2);
          storeTransposed(v128.load(s), v128.load(s + pBytes), v128.load(s + pBytes * 2), v128.load(s + pBytes * 3),
            column + (<usize>k << 6), 64);
        }
      }
      for (let u = 0; u < units; u++) {
        let src = first + <usize>u * pBytes + (<usize>k << 2);
        let dst = column + (<usize>k << 6) + (<usize>u << 2);
        for (let kk = k; kk < proj; kk++, src += 4, dst += 64) store<f32>(dst, load<f32>(src));
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
 * static share of the panels, then claim groups step by step like the batched job; with a
 * projection, a second phase per step computes h = m · W_hrᵀ (projection.ts).
 */
function sequenceOne(
  cb: usize, reverse: bool, steps: i32, hidden: i32, proj: i32, groupBegin: i32, groupEnd: i32,
  tid: i32, threads: i32, stage: usize,
): void {
  const ig = argP(cb, LstmSequenceArg.inputGates);
  const h0 = argP(cb, LstmSequenceArg.h0);
  const lengths = argP(cb, LstmSequenceArg.lengths);
  const output = argP(cb, LstmSequenceArg.output);
  const inference = argI(cb, LstmSequenceArg.inference) != 0;
  const gatesOut = argP(cb, LstmSequenceArg.gates);
  const cellsOut = argP(cb, LstmSequenceArg.cells);
  const projected = argP(cb, LstmSequenceArg.weightHr) != 0;
  const packed = scratchAt(cb, Part.packed, tid);
  const hbuf = scratchAt(cb, Part.hbuf, tid);
  const cstate = scratchAt(cb, Part.cstate, tid);
  const gateStep = scratchAt(cb, Part.gateStep, tid);
  const mbuf = scratchAt(cb, Part.mbuf, tid);
  packGroups16(argP(cb, LstmSequenceArg.weightHh), hidden, proj, packed, groupBegin, groupEnd);
  const groups = (hidden + 3) >> 2;
  const hBytes = <usize>hidden << 2;
  const pBytes = <usize>proj << 2;
  const unitBegin = groupBegin << 2;
  const unitEnd = min(hidden, groupEnd << 2);
  const unitOffset = <usize>unitBegin << 2;
  const unitBytes = <usize>max(0, unitEnd - unitBegin) << 2;
  if (unitBytes > 0) memory.copy(cstate + unitOffset, argP(cb, LstmSequenceArg.c0) + unitOffset, unitBytes);
  barrier(cb, tid, threads);
  const chunk = claimChunk(groups, threads, 2);
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    const hPrev = s == 0 ? h0 : hbuf + <usize>((s - 1) & 1) * pBytes;
    const hNext = hbuf + <usize>(s & 1) * pBytes;
    const gates = inference ? gateStep : gatesOut + <usize>t * (hBytes << 2);
    const cells = inference ? 0 : cellsOut + <usize>t * hBytes;
    const phase = projected ? s << 1 : s;
    claimBegin(cb, phase, tid);
    if (!isActive(t, 0, steps, lengths)) {
      // The step is padding: the state carries and the outputs are 0 (the state's P columns split like the units).
      const pBegin = shareBegin(proj, tid, threads);
      const pEnd = shareBegin(proj, tid + 1, threads);
      if (pEnd > pBegin) {
        const offset = <usize>pBegin << 2;
        const bytes = <usize>(pEnd - pBegin) << 2;
        memory.fill(output + <usize>t * pBytes + offset, 0, bytes);
        memory.copy(hNext + offset, hPrev + offset, bytes);
      }
      if (cells != 0 && unitBytes > 0) {
        memory.fill(cells + unitOffset, 0, unitBytes);
        for (let g = 0; g < 4; g++) memory.fill(gates + <usize>g * hBytes + unitOffset, 0, unitBytes);
      }
      barrier(cb, tid, threads);
      continue;
    }
    // Every other step walks the groups backwards, starting with the panels still in L2.
    const zig = (s & 1) != 0;
    for (let first = claimNext(cb, phase, tid, threads, groups, 2, chunk, zig); first >= 0;
      first = claimNext(cb, phase, tid, threads, groups, 2, chunk, zig)) {
      stepGroupsOne(first, claimedEnd(cb, tid), zig, hidden, proj, ig + <usize>t * (hBytes << 2), packed, hPrev,
        projected ? 0 : hNext, cstate, projected ? mbuf : output + <usize>t * pBytes, cells, gates, stage);
    }
    barrier(cb, tid, threads);
    if (projected) {
      projectStep(cb, phase + 1, tid, threads, t, steps, 1, hidden, proj, lengths, mbuf, scratchAt(cb, Part.packedHr, tid),
        scratchAt(cb, Part.packedM, tid), hPrev, hNext, output + <usize>t * pBytes, tileScratch(cb, tid));
      barrier(cb, tid, threads);
    }
  }
}

/**
 * One batch-1 step for groups [q0, q1) (walked backwards when `descending`); `igRow`, `hTarget`,
 * `cells` and `gates` point at step t's rows (`cells` 0 in inference mode, `hNext` 0 when a
 * projection phase writes the state).
 */
function stepGroupsOne(
  q0: i32, q1: i32, descending: bool, hidden: i32, proj: i32, igRow: usize, packed: usize, hPrev: usize, hNext: usize,
  cstate: usize, hTarget: usize, cells: usize, gates: usize, stage: usize,
): void {
  const hBytes = <usize>hidden << 2;
  const panelBytes = (<usize>proj << 2) << 4;
  const k2 = proj & ~1;
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
    if (proj & 1) {
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
    const hNew = stateForward(gates + offset, hBytes, cPtr, cPtr, hTarget + offset, n, stage);
    if (hNext != 0) storeN(hNext + offset, hNew, n, stage);
    if (cells != 0) storeN(cells + offset, loadN(cPtr, n, stage), n, stage);
  }
}

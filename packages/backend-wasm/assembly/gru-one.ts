/**
 * The batch-1 GRU forward (`Job.gruSequence` with B = 1), like the LSTM's `sequenceOne`: every step
 * is a vector–matrix product with W_hh, which is memory- and issue-bound. W_hh [3H, H] is packed
 * once per call into one 12-column panel per group of four units (r, z, n side by side,
 * K-major), which a step streams once with three accumulators, two k per iteration summed before
 * they meet the accumulators (so V8 keeps every value in a register). The cell then runs on those
 * registers, two groups at a time so that one `vsigmoid4` computes the r and z of both. Threads
 * pack their static share of the panels, then claim pairs of groups step by step.
 */
import { GruSequenceArg } from './abi';
import { storeTransposed, vsigmoid4, vtanh } from './common';
import { claimChunk, isActive, loadN, storeN } from './lstm-cell';
import { argI, argP, barrier, claimBegin, claimedEnd, claimNext, shareBegin } from './threads';

/** Packs groups [begin, end) of four units: `panel[k·12 + g·4 + u]` = W_hh[g·H + 4q + u, k] (units past H are 0). */
function packGroups12(whh: usize, hidden: i32, packed: usize, begin: i32, end: i32): void {
  const hBytes = <usize>hidden << 2;
  const panelBytes = hBytes * 12;
  for (let q = begin; q < end; q++) {
    const panel = packed + <usize>q * panelBytes;
    const units = min(4, hidden - (q << 2));
    if (units < 4) memory.fill(panel, 0, panelBytes);
    for (let g = 0; g < 3; g++) {
      const first = whh + <usize>(g * hidden + (q << 2)) * hBytes;
      const column = panel + (<usize>g << 4);
      let k = 0;
      if (units == 4) {
        for (; k + 4 <= hidden; k += 4) {
          const s = first + (<usize>k << 2);
          storeTransposed(v128.load(s), v128.load(s + hBytes), v128.load(s + hBytes * 2), v128.load(s + hBytes * 3), column + <usize>k * 48, 48);
        }
      }
      for (let u = 0; u < units; u++) {
        let src = first + <usize>u * hBytes + (<usize>k << 2);
        let dst = column + <usize>k * 48 + (<usize>u << 2);
        for (let kk = k; kk < hidden; kk++, src += 4, dst += 48) store<f32>(dst, load<f32>(src));
      }
    }
  }
}

/** The recurrent terms of group q: `h · W_hhᵀ` for its r, z and n columns, into `out` (48 bytes). */
@inline function groupProduct(panel: usize, h: usize, hidden: i32, out: usize): void {
  let b = panel;
  let a = h;
  let xr = f32x4.splat(0), xz = f32x4.splat(0), xn = f32x4.splat(0);
  const end2 = b + <usize>(hidden & ~1) * 48;
  while (b < end2) {
    const a0 = v128.load32_splat(a);
    const a1 = v128.load32_splat(a, 4);
    xr = f32x4.add(xr, f32x4.add(f32x4.mul(a0, v128.load(b)), f32x4.mul(a1, v128.load(b, 48))));
    xz = f32x4.add(xz, f32x4.add(f32x4.mul(a0, v128.load(b, 16)), f32x4.mul(a1, v128.load(b, 64))));
    xn = f32x4.add(xn, f32x4.add(f32x4.mul(a0, v128.load(b, 32)), f32x4.mul(a1, v128.load(b, 80))));
    a += 8;
    b += 96;
  }
  if (hidden & 1) {
    const a0 = v128.load32_splat(a);
    xr = f32x4.add(xr, f32x4.mul(a0, v128.load(b)));
    xz = f32x4.add(xz, f32x4.mul(a0, v128.load(b, 16)));
    xn = f32x4.add(xn, f32x4.mul(a0, v128.load(b, 32)));
  }
  v128.store(out, xr);
  v128.store(out, xz, 16);
  v128.store(out, xn, 32);
}

/**
 * Groups [q0, q1) of one step: their products, then their cell two groups at a time. `pre` is
 * 96 bytes of this thread's scratch; `gates`/`hiddenN` are the step's rows or 0 (inference mode).
 */
function stepGroupsOne(
  cb: usize, q0: i32, q1: i32, hidden: i32, packed: usize, igRow: usize, hPrev: usize, hNext: usize,
  output: usize, gates: usize, hiddenN: usize, pre: usize, stage: usize,
): void {
  const hBytes = <usize>hidden << 2;
  const panelBytes = hBytes * 12;
  const biasHn = argP(cb, GruSequenceArg.biasHn);
  const tmp = stage + 64;
  for (let q = q0; q < q1; q += 2) {
    const pair = q + 1 < q1;
    groupProduct(packed + <usize>q * panelBytes, hPrev, hidden, pre);
    if (pair) groupProduct(packed + <usize>(q + 1) * panelBytes, hPrev, hidden, pre + 48);
    const ua = q << 2;
    const na = min(4, hidden - ua);
    const nb = pair ? min(4, hidden - ua - 4) : 0;
    const oa = <usize>ua << 2;
    const ob = oa + 16;
    const xra = f32x4.add(v128.load(pre), loadN(igRow + oa, na, tmp));
    const xza = f32x4.add(v128.load(pre, 16), loadN(igRow + hBytes + oa, na, tmp));
    const xrb = pair ? f32x4.add(v128.load(pre, 48), loadN(igRow + ob, nb, tmp)) : f32x4.splat(0);
    const xzb = pair ? f32x4.add(v128.load(pre, 64), loadN(igRow + hBytes + ob, nb, tmp)) : f32x4.splat(0);
    vsigmoid4(xra, xza, xrb, xzb, stage, 16);
    let hna = v128.load(pre, 32);
    let hnb = pair ? v128.load(pre, 80) : f32x4.splat(0);
    if (biasHn != 0) {
      hna = f32x4.add(hna, loadN(biasHn + oa, na, tmp));
      if (pair) hnb = f32x4.add(hnb, loadN(biasHn + ob, nb, tmp));
    }
    const ra = v128.load(stage), za = v128.load(stage, 16);
    const nva = vtanh(f32x4.add(loadN(igRow + hBytes * 2 + oa, na, tmp), f32x4.mul(ra, hna)));
    const ha = f32x4.add(nva, f32x4.mul(za, f32x4.sub(loadN(hPrev + oa, na, tmp), nva)));
    storeN(output + oa, ha, na, tmp);
    storeN(hNext + oa, ha, na, tmp);
    if (gates != 0) {
      storeN(gates + oa, ra, na, tmp);
      storeN(gates + hBytes + oa, za, na, tmp);
      storeN(gates + hBytes * 2 + oa, nva, na, tmp);
      storeN(hiddenN + oa, hna, na, tmp);
    }
    if (!pair) continue;
    const rb = v128.load(stage, 32), zb = v128.load(stage, 48);
    const nvb = vtanh(f32x4.add(loadN(igRow + hBytes * 2 + ob, nb, tmp), f32x4.mul(rb, hnb)));
    const hb = f32x4.add(nvb, f32x4.mul(zb, f32x4.sub(loadN(hPrev + ob, nb, tmp), nvb)));
    storeN(output + ob, hb, nb, tmp);
    storeN(hNext + ob, hb, nb, tmp);
    if (gates != 0) {
      storeN(gates + ob, rb, nb, tmp);
      storeN(gates + hBytes + ob, zb, nb, tmp);
      storeN(gates + hBytes * 2 + ob, nvb, nb, tmp);
      storeN(hiddenN + ob, hnb, nb, tmp);
    }
  }
}

/**
 * The whole batch-1 sequence. `packed` and `hbuf` are the job's scratch parts (gru-forward.ts
 * sizes them for the batched layout, which is at least as large); `pre` and `stage` are this
 * thread's tile scratch.
 */
export function gruSequenceOne(cb: usize, tid: i32, threads: i32, packed: usize, hbuf: usize, pre: usize, stage: usize): void {
  const h0 = argP(cb, GruSequenceArg.h0);
  const lengths = argP(cb, GruSequenceArg.lengths);
  const reverse = argI(cb, GruSequenceArg.reverse) != 0;
  const steps = argI(cb, GruSequenceArg.steps);
  const hidden = argI(cb, GruSequenceArg.hidden);
  const inference = argI(cb, GruSequenceArg.inference) != 0;
  const ig = argP(cb, GruSequenceArg.inputGates);
  const output = argP(cb, GruSequenceArg.output);
  const gatesOut = argP(cb, GruSequenceArg.gates);
  const hiddenNOut = argP(cb, GruSequenceArg.hiddenN);
  const hBytes = <usize>hidden << 2;
  const groups = (hidden + 3) >> 2;
  const pairs = (groups + 1) >> 1;
  // Static shares of pairs of groups, so that every claim below starts on a pair.
  packGroups12(argP(cb, GruSequenceArg.weightHh), hidden, packed, shareBegin(pairs, tid, threads) << 1,
    min(groups, shareBegin(pairs, tid + 1, threads) << 1));
  barrier(cb, tid, threads);
  const chunk = claimChunk(groups, threads, 2);
  const shareBeginUnits = shareBegin(hidden, tid, threads);
  const shareEndUnits = shareBegin(hidden, tid + 1, threads);
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    const hPrev = s == 0 ? h0 : hbuf + <usize>((s - 1) & 1) * hBytes;
    const hNext = hbuf + <usize>(s & 1) * hBytes;
    const row = <usize>t * hBytes;
    const gates = inference ? 0 : gatesOut + row * 3;
    const hiddenN = inference ? 0 : hiddenNOut + row;
    claimBegin(cb, s, tid);
    if (!isActive(t, 0, steps, lengths)) {
      // Padding: the state carries and the outputs are 0, each thread its static share of units.
      if (shareEndUnits > shareBeginUnits) {
        const offset = <usize>shareBeginUnits << 2;
        const bytes = <usize>(shareEndUnits - shareBeginUnits) << 2;
        memory.fill(output + row + offset, 0, bytes);
        memory.copy(hNext + offset, hPrev + offset, bytes);
        if (gates != 0) {
          for (let g = 0; g < 3; g++) memory.fill(gates + <usize>g * hBytes + offset, 0, bytes);
          memory.fill(hiddenN + offset, 0, bytes);
        }
      }
      barrier(cb, tid, threads);
      continue;
    }
    for (let first = claimNext(cb, s, tid, threads, groups, 2, chunk, false); first >= 0;
      first = claimNext(cb, s, tid, threads, groups, 2, chunk, false)) {
      stepGroupsOne(cb, first, claimedEnd(cb, tid), hidden, packed, ig + row * 3, hPrev, hNext, output + row, gates, hiddenN, pre, stage);
    }
    barrier(cb, tid, threads);
  }
}

/**
 * The fused LSTM cell in PyTorch's gate order i, f, g, o: one step forward and backward
 * (`lstmCell`, `lstmCellBackward`), and the pointwise pieces the sequence jobs share
 * (lstm-forward.ts, lstm-backward.ts), which run the same math on the units they claimed.
 *
 * Masking (the sequence jobs): sequence b is active at step t when t < lengths[b]. Inactive steps
 * carry the state and write zeros, so in the reverse direction each sequence starts from h0, c0 at
 * its own last step.
 */
import { one, vsigmoid4, vtanh } from './common';

/** Loads `n` ≤ 4 floats as a vector (the rest 0) through 16 bytes of scratch. */
@inline export function loadN(p: usize, n: i32, scratch: usize): v128 {
  if (n == 4) return v128.load(p);
  v128.store(scratch, i32x4.splat(0));
  for (let l = 0; l < n; l++) store<f32>(scratch + (<usize>l << 2), load<f32>(p + (<usize>l << 2)));
  return v128.load(scratch);
}

@inline export function storeN(p: usize, v: v128, n: i32, scratch: usize): void {
  if (n == 4) {
    v128.store(p, v);
    return;
  }
  v128.store(scratch, v);
  for (let l = 0; l < n; l++) store<f32>(p + (<usize>l << 2), load<f32>(scratch + (<usize>l << 2)));
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
@inline export function gatesForward(xi: v128, xf: v128, xg: v128, xo: v128, gates: usize, gateStride: usize, n: i32, scratch: usize): void {
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
@inline export function stateForward(gates: usize, gateStride: usize, cPrev: usize, c: usize, h: usize, n: i32, scratch: usize): v128 {
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
@inline export function cellTanh(cNew: usize, dGates: usize, gateStride: usize, n: i32, scratch: usize): void {
  const slot = dGates + gateStride * 3;
  if (n == 4) v128.store(slot, vtanh(v128.load(cNew)));
  else storeN(slot, vtanh(loadN(cNew, n, scratch)), n, scratch);
}

/**
 * Backward of the cell for up to four units of one row, after `cellTanh`. `dh` is the total
 * gradient of h (output gradient plus the recurrent one); writes the pre-activation gradients
 * and dc_prev (which may alias `dc`).
 */
@inline export function cellBackward(
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


// ---- shared by the sequence jobs ---------------------------------------------------------------

@inline export function isActive(t: i32, b: i32, steps: i32, lengths: usize): bool {
  return t >= 0 && t < steps && (lengths == 0 || t < load<i32>(lengths + (<usize>b << 2)));
}

/** Elements of one thread's packed copy of a [batch, depth] operand. */
export function packedRows(batch: i32, depth: i32): i32 {
  return ((batch + 3) >> 2) * 4 * depth;
}

/** Items per claim: about 8 claims per thread and step, at least `least`. */
@inline export function claimChunk(items: i32, threads: i32, least: i32): i32 {
  return max(least, (items + threads * 8 - 1) / (threads * 8));
}

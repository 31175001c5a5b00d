/**
 * The projection of a projected LSTM (PyTorch's `proj_size`): h = m · W_hrᵀ, [B, H] × [H, P], once
 * per step of the forward job, and dm = dh · W_hr, [B, P] × [P, H], once per step of the backward
 * job. W_hr [P, H] is packed once per call into GEMM panels (8 columns, K-major; gemm.ts's
 * `packB`), by the threads' static shares; a step's product is a phase of its own in which
 * threads claim panels (threads.ts), between two barriers.
 */
import { packA, packB, tile1, tile4 } from './gemm';
import { claimChunk, isActive } from './lstm-cell';
import { claimBegin, claimedEnd, claimNext, shareBegin } from './threads';

/** 8-column panels of the forward product's B (its N = P columns). */
export function projectionPanels(proj: i32): i32 {
  return (proj + 7) >> 3;
}

/** Packs this thread's share of W_hr [P, H] as the forward product's B (K = H, N = P; `packedSize(H, P)` floats). */
export function packProjection(whr: usize, hidden: i32, proj: i32, packed: usize, tid: i32, threads: i32): void {
  const panels = projectionPanels(proj);
  packB(whr, hidden, true, hidden, proj, packed, shareBegin(panels, tid, threads), shareBegin(panels, tid + 1, threads));
}

/** Packs this thread's share of W_hr [P, H] as the backward product's B (K = P, N = H; `packedSize(P, H)` floats). */
export function packProjectionBackward(whr: usize, hidden: i32, proj: i32, packed: usize, tid: i32, threads: i32): void {
  const panels = (hidden + 7) >> 3;
  packB(whr, hidden, false, proj, hidden, packed, shareBegin(panels, tid, threads), shareBegin(panels, tid + 1, threads));
}

/**
 * The projection phase of forward step t: h_t = m · W_hrᵀ into `hNext` [B, P] and `output` (step
 * t's rows); a sequence past its length keeps its state (`hPrev`) and outputs 0. `packedM` is this
 * thread's scratch for packed m (batch > 1).
 */
export function projectStep(
  cb: usize, phase: i32, tid: i32, threads: i32, t: i32, steps: i32, batch: i32, hidden: i32, proj: i32, lengths: usize,
  mbuf: usize, packedHr: usize, packedM: usize, hPrev: usize, hNext: usize, output: usize, scratch: usize,
): void {
  claimBegin(cb, phase, tid);
  const hBytes = <usize>hidden << 2;
  const pBytes = <usize>proj << 2;
  if (batch > 1) packA(mbuf, hBytes, 4, batch, hidden, packedM);
  const panels = projectionPanels(proj);
  const chunk = claimChunk(panels, threads, 1);
  for (let first = claimNext(cb, phase, tid, threads, panels, 1, chunk, false); first >= 0;
    first = claimNext(cb, phase, tid, threads, panels, 1, chunk, false)) {
    const last = claimedEnd(cb, tid);
    for (let p = first; p < last; p++) {
      const bp = packedHr + ((<usize>p * <usize>hidden) << 5);
      const cols = min(8, proj - (p << 3));
      const column = <usize>p << 5;
      if (batch == 1) {
        tile1(mbuf, bp, hNext + column, hidden, cols, false, scratch);
      } else {
        let ap = packedM;
        for (let b = 0; b < batch; b += 4) {
          tile4(ap, bp, hNext + <usize>b * pBytes + column, pBytes, hidden, min(4, batch - b), cols, false, scratch);
          ap += hBytes << 2;
        }
      }
      const bytes = <usize>cols << 2;
      for (let b = 0; b < batch; b++) {
        const row = <usize>b * pBytes + column;
        if (isActive(t, b, steps, lengths)) {
          memory.copy(output + row, hNext + row, bytes);
        } else {
          memory.copy(hNext + row, hPrev + row, bytes);
          memory.fill(output + row, 0, bytes);
        }
      }
    }
  }
}

/**
 * FLOP counts. The recurrent formulas are those of docs/architecture.md ("Benchmarks"): an LSTM's
 * forward = T · 2 · B · (I + H) · 4H (with a projection P: T · 2 · B · ((I + P) · 4H + H · P)), a
 * GRU's T · 2 · B · (I + H) · 3H, and a train step (forward + loss + backward + Adam) counts 3×
 * forward. The micro-benchmarks use
 * the same convention: a product of [m,k]·[k,n] is 2mkn; one LSTM cell step is the forward formula
 * with T = 1. Memory-bound ops get a nominal count, stated here, so their GFLOP/s compare like
 * with like across backends: the pointwise cell counts 13 per hidden unit (4 sums of the input
 * and recurrent gate halves, 3 sigmoids, 2 tanh, 3 products, 1 sum), an Adam step 13 per parameter (PyTorch's
 * single-tensor update), a transcendental function counting as one.
 */
import type { LstmSpec, MicroSpec, Spec } from './types.js';

export function lstmForwardFlops(seq: number, batch: number, input: number, hidden: number): number {
  return seq * 2 * batch * (input + hidden) * 4 * hidden;
}

export function lstmFlops(spec: Pick<LstmSpec, 'mode' | 'seq' | 'batch' | 'input' | 'hidden' | 'cell' | 'proj'>): number {
  const { seq: T, batch: B, input: I, hidden: H } = spec;
  const P = spec.proj ?? 0;
  const forward =
    spec.cell === 'gru' ? T * 2 * B * (I + H) * 3 * H : P > 0 ? T * 2 * B * ((I + P) * 4 * H + H * P) : lstmForwardFlops(T, B, I, H);
  return spec.mode === 'train' ? 3 * forward : forward;
}

export const CELL_POINTWISE_FLOPS_PER_UNIT = 13;
export const ADAM_FLOPS_PER_PARAM = 13;

export function microFlops(spec: MicroSpec): number {
  switch (spec.op) {
    case 'matmul':
      return 2 * spec.m! * spec.k! * spec.n!;
    case 'cell':
      return lstmForwardFlops(1, spec.batch!, spec.input!, spec.hidden!);
    case 'cell-pointwise':
      return CELL_POINTWISE_FLOPS_PER_UNIT * spec.batch! * spec.hidden!;
    case 'adam':
      return ADAM_FLOPS_PER_PARAM * spec.size!;
  }
}

export function specFlops(spec: Spec): number {
  return spec.kind === 'micro' ? microFlops(spec) : lstmFlops(spec);
}

/** GFLOP/s of `flops` done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}

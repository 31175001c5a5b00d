/** Step order and masking shared by the whole-sequence kernels (lstm-sequence.ts, gru-sequence.ts). */

/** Step order of the forward pass: `t = stepAt(s)` for s = 0..T-1. */
export function stepAt(s: number, steps: number, reverse: boolean): number {
  return reverse ? steps - 1 - s : s;
}

/** The step processed just before `t` in the forward pass (may be outside [0, T)). */
export function previousStep(t: number, reverse: boolean): number {
  return reverse ? t + 1 : t - 1;
}

/** Whether sequence b is active at step t (`t < lengths[b]`; an index outside [0, T) never is). */
export function isActive(t: number, b: number, steps: number, lengths: Int32Array | null): boolean {
  return t >= 0 && t < steps && (lengths === null || t < lengths[b]!);
}

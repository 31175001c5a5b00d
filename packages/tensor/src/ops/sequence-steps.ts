/**
 * What the whole-sequence ops' composites share (lstm-sequence-composite.ts,
 * gru-sequence-composite.ts): the step order, each step's view of a [T, ...] tensor taken with
 * one `unbind` (so a loop differentiated op by op stays linear in T), and the per-step masks of
 * variable lengths.
 *
 * Masking selects, it never multiplies: a padded step's inputs are replaced with `where` before
 * any arithmetic reads them, and its outputs and gradients are selected away. `0 · NaN` is NaN,
 * so a multiplied mask would let NaN or Inf in padding (a `padSequence` value, say) through to
 * every gradient; a selected one never reads it (PyTorch's packed sequences never do either).
 */
import type { Backend } from '@gated/backend-api';
import { fillOn, upload } from '../creation.js';
import type { Tensor } from '../tensor.js';
import { less } from './binary.js';
import { reshape } from './reshape.js';
import { unbind } from './split.js';

/** The time index of the s-th step processed (steps run from T-1 down when `reverse`). */
export function stepTime(s: number, steps: number, reverse: boolean): number {
  return reverse ? steps - 1 - s : s;
}

/** The time index processed just before `t` (may be outside [0, T)). */
export function previousTime(t: number, reverse: boolean): number {
  return reverse ? t + 1 : t - 1;
}

/** Per time step, bool [B, 1]: whether sequence b is active at step t (`t < lengths[b]`). Null without lengths. */
export function stepMasks(lengths: Tensor | null, steps: number, batch: number): Tensor[] | null {
  if (!lengths) return null;
  const positions = upload(
    lengths.backend,
    Int32Array.from({ length: steps }, (_, t) => t),
    [steps, 1],
    'int32',
  );
  return unbind(reshape(less(positions, reshape(lengths, [1, batch])), [steps, batch, 1]));
}

/** `[0, batch, width]` zeros: the per-step outputs of a sequence with no steps. */
export function noSteps(backend: Backend, batch: number, width: number): Tensor {
  return fillOn(backend, [0, batch, width], 0, 'float32');
}

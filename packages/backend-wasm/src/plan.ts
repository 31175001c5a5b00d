/**
 * Iteration plans for the strided kernels (binary, where, reduce, stridedCopy). Axes of size 1
 * are dropped and neighbouring axes that every operand steps through contiguously are merged, so
 * a same-shape add is one long row and `[N, M] + [M]` is N rows of M. The plan is written into
 * linear memory as i32s in the layout `assembly/common.ts` reads:
 * `[rank, dims[rank], strides[ops][rank], counters[rank], offsets[ops]]`.
 */
import type { Shape } from '@gated/backend-api';

export interface Plan {
  readonly dims: number[];
  /** Per operand, one stride per merged axis (elements). */
  readonly strides: number[][];
}

/** Merges the axes of `shape` as read through one stride list per operand. */
export function mergeAxes(shape: Shape, strides: readonly (readonly number[])[]): Plan {
  const dims: number[] = [];
  const steps: number[][] = strides.map(() => []);
  for (let axis = 0; axis < shape.length; axis++) {
    const dim = shape[axis]!;
    if (dim === 1) continue;
    const last = dims.length - 1;
    let mergeable = last >= 0;
    for (let k = 0; k < strides.length && mergeable; k++) mergeable = steps[k]![last] === strides[k]![axis]! * dim;
    if (mergeable) {
      dims[last] = dims[last]! * dim;
      for (let k = 0; k < strides.length; k++) steps[k]![last] = strides[k]![axis]!;
    } else {
      dims.push(dim);
      for (let k = 0; k < strides.length; k++) steps[k]!.push(strides[k]![axis]!);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    for (const s of steps) s.push(0);
  }
  return { dims, strides: steps };
}

/** i32 slots a plan of this rank and operand count takes. */
export function planSlots(rank: number, operands: number): number {
  return 1 + rank * (2 + operands) + operands;
}

/** Writes `plan` at i32 index `at` of `view`, with each operand starting at `bases[k]` (elements). */
export function writePlan(view: Int32Array, at: number, plan: Plan, bases?: readonly number[]): void {
  const rank = plan.dims.length;
  const operands = plan.strides.length;
  let i = at;
  view[i++] = rank;
  for (const dim of plan.dims) view[i++] = dim;
  for (const strides of plan.strides) for (const stride of strides) view[i++] = stride;
  for (let axis = 0; axis < rank; axis++) view[i++] = 0;
  for (let k = 0; k < operands; k++) view[i++] = bases?.[k] ?? 0;
}

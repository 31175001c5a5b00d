/**
 * Iteration plans for the strided kernels (binary, where, reduce, stridedCopy): the merged axes of
 * `mergeAxes` (@gated/backend-api), so a same-shape add is one long row and `[N, M] + [M]` is N
 * rows of M. The plan is written into linear memory as i32s in the layout `assembly/common.ts` reads:
 * `[rank, dims[rank], strides[ops][rank], counters[rank], offsets[ops]]`.
 */
import type { MergedAxes } from '@gated/backend-api';

/** A merged iteration space (`mergeAxes` of @gated/backend-api), as the plan kernels read it. */
export type Plan = MergedAxes;

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

/**
 * How every elementwise kernel walks an n-d iteration space: as rows of the merged axes
 * (`mergeAxes` of @gated/backend-api: a same-shape add is one long row and `[N, M] + [M]` is N
 * rows of length M). An odometer over the outer axes
 * then yields where each operand's row starts; the kernels run one tight loop per row, with the
 * operand's stride along the row (0 for a broadcast operand, 1 for a contiguous one).
 */
import { mergeAxes, type Shape } from '@gated/backend-api';

export interface RowPlan {
  /** Number of rows; the output (always contiguous) holds row `r` at `r * length`. */
  readonly rows: number;
  /** Elements per row. */
  readonly length: number;
  /** Per operand: the stride along a row, in elements. */
  readonly innerStrides: readonly number[];
  /** Per operand: where each row starts, in elements. */
  readonly offsets: readonly Int32Array[];
}

/**
 * Plans the rows of `shape` read through one stride list per operand (`strides[k].length ===
 * shape.length`), starting at `bases[k]` (0 by default).
 */
export function planRows(shape: Shape, strides: readonly (readonly number[])[], bases?: readonly number[]): RowPlan {
  const operands = strides.length;
  const { dims, strides: steps } = mergeAxes(shape, strides);
  const rank = dims.length;
  const length = dims[rank - 1]!;
  let rows = 1;
  for (let axis = 0; axis < rank - 1; axis++) rows *= dims[axis]!;
  if (length === 0) rows = 0;
  const offsets = steps.map(() => new Int32Array(rows));
  const current = steps.map((_, k) => bases?.[k] ?? 0);
  const index = new Array<number>(rank).fill(0);
  for (let row = 0; row < rows; row++) {
    for (let k = 0; k < operands; k++) offsets[k]![row] = current[k]!;
    // Advance the odometer over the outer axes, rewinding each axis that wraps.
    for (let axis = rank - 2; axis >= 0; axis--) {
      const dim = dims[axis]!;
      if (++index[axis]! < dim) {
        for (let k = 0; k < operands; k++) current[k] = current[k]! + steps[k]![axis]!;
        break;
      }
      index[axis] = 0;
      for (let k = 0; k < operands; k++) current[k] = current[k]! - steps[k]![axis]! * (dim - 1);
    }
  }
  return { rows, length, innerStrides: steps.map((s) => s[rank - 1]!), offsets };
}

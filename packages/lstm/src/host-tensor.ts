import type { DType, TypedArray } from '@gated/backend-api';

/**
 * A tensor's values on the host: dtype, shape and row-major data. What the file formats read and
 * write, independent of any backend; `tensor(t.data, { shape: t.shape, dtype: t.dtype })` makes
 * it a Tensor.
 */
export interface HostTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

/**
 * The buffer type of the TypeScript backend: a host typed array behind the opaque
 * {@link DataHandle} the engine holds. Which handles are live, and whose, is the checked layer's
 * business (`checkedBackend` in `@gated/backend-api`), not the buffer's.
 */
import type { DType, DataHandle, TypedArray } from '@gated/backend-api';

/**
 * One buffer of the `ts` backend. Users never build one: {@link TsBackend} returns them as
 * {@link DataHandle}s.
 *
 * @example
 * ```ts
 * const backend = createTsBackend();
 * const handle = backend.fill('float32', 3, 1.5);
 * console.log(handle instanceof TsBuffer, handle.size); // true 3
 * backend.free(handle);
 * ```
 */
export class TsBuffer implements DataHandle {
  /** Number of elements. */
  readonly size: number;

  constructor(
    readonly dtype: DType,
    /** The storage: Float32Array, Int32Array, or Uint8Array of 0/1 for bool. */
    readonly values: TypedArray,
  ) {
    this.size = values.length;
  }

  /** Bytes held by this buffer (bool is one byte per element, the others four). */
  get bytes(): number {
    return this.values.byteLength;
  }
}

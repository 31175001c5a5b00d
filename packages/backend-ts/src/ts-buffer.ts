/**
 * The buffer type of the TypeScript backend: a host typed array behind the opaque
 * {@link DataHandle} the engine holds. A buffer remembers which backend made it (so a handle from
 * another backend instance is refused rather than silently read) and whether it was freed (so a
 * use after free or a double free is reported instead of corrupting the memory count).
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
  /** Set by `free` (and `dispose`); a freed buffer must not be used again. */
  freed = false;

  constructor(
    /** The backend instance that allocated this buffer (identity only). */
    readonly owner: object,
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

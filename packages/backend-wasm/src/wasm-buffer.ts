/**
 * The buffer type of the wasm backend: a block of the module's linear memory behind the opaque
 * {@link DataHandle} the engine holds. A buffer remembers which backend made it (a handle from
 * another backend instance is refused) and whether it was freed (a use after free or a double free
 * is reported instead of corrupting the allocator).
 */
import { bytesPerElement, type DType, type DataHandle } from '@gated/backend-api';

/**
 * One buffer of the `wasm` backend. Users never build one: {@link WasmBackend} returns them as
 * {@link DataHandle}s.
 *
 * @example
 * ```ts
 * const backend = await createWasmBackend();
 * const handle = backend.fill('float32', 3, 1.5);
 * console.log(handle instanceof WasmBuffer, handle.size); // true 3
 * backend.free(handle);
 * ```
 */
export class WasmBuffer implements DataHandle {
  /** Set by `free` (and `dispose`); a freed buffer must not be used again. */
  freed = false;

  constructor(
    /** The backend instance that allocated this buffer (identity only). */
    readonly owner: object,
    readonly dtype: DType,
    /** Number of elements. */
    readonly size: number,
    /** Byte address of the first element in linear memory (16-byte aligned). */
    readonly address: number,
  ) {}

  /** Bytes the values take (bool is one byte per element, the others four). */
  get bytes(): number {
    return this.size * bytesPerElement(this.dtype);
  }
}

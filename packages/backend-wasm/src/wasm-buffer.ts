/**
 * The buffer type of the wasm backend: a block of the module's linear memory behind the opaque
 * {@link DataHandle} the engine holds. Which handles are live, and whose, is the checked layer's
 * business (`checkedBackend` in `@gated/backend-api`), not the buffer's.
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
  constructor(
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

/**
 * The WasmBuffer behind a handle. The checked layer lets only live buffers this backend returned
 * through, so the cast is safe; it is the one place that makes it.
 */
export function bufferOf(handle: DataHandle): WasmBuffer {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- see above
  return handle as WasmBuffer;
}

/**
 * The buffer type of the WebGPU backend: a GPUBuffer (taken from the size-class pool, so usually
 * larger than asked) behind the opaque {@link DataHandle} the engine holds. It remembers which
 * backend made it and whether it was freed, so a stale or foreign handle is refused instead of
 * silently read.
 */
import type { DType, DataHandle } from '@gated/backend-api';

/**
 * One buffer of the `webgpu` backend. Users never build one: {@link WebGpuBackend} returns them
 * as {@link DataHandle}s.
 *
 * @example
 * ```ts
 * const backend = await createWebGpuBackend();
 * const handle = backend.fill('float32', 3, 1.5);
 * console.log(handle instanceof WebGpuBuffer, handle.size); // true 3
 * backend.free(handle);
 * ```
 */
export class WebGpuBuffer implements DataHandle {
  /** Set by `free` (and `dispose`); a freed buffer must not be used again. */
  freed = false;

  constructor(
    /** The backend instance that allocated this buffer (identity only). */
    readonly owner: object,
    readonly dtype: DType,
    /** Number of elements. */
    readonly size: number,
    /** The storage; bool is packed four elements to a 32-bit word, one byte each. */
    readonly gpu: GPUBuffer,
  ) {}

  /** Logical bytes (bool one byte per element, the others four). */
  get bytes(): number {
    return this.dtype === 'bool' ? this.size : this.size * 4;
  }

  /** Bytes a kernel binds: the logical bytes rounded up to a whole word, at least one word. */
  get bindBytes(): number {
    return Math.max(4, Math.ceil(this.bytes / 4) * 4);
  }
}

/**
 * The buffer type of the WebGPU backend: a GPUBuffer (taken from the size-class pool, so usually
 * larger than asked) behind the opaque {@link DataHandle} the engine holds. Stale and foreign
 * handles never reach the backend: the checked layer refuses them.
 */
import type { DType, DataHandle } from '@gated/backend-api';
import type { WebGpuBufferObject } from '../webgpu-types.js';

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
  constructor(
    readonly dtype: DType,
    /** Number of elements. */
    readonly size: number,
    /** The storage; bool is packed four elements to a 32-bit word, one byte each. */
    readonly gpu: WebGpuBufferObject,
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

/**
 * The WebGpuBuffer behind a handle. The checked layer lets only live buffers this backend returned
 * through, so the cast is safe; it is the one place that makes it.
 */
export function bufferOf(handle: DataHandle): WebGpuBuffer {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- see above
  return handle as WebGpuBuffer;
}

/**
 * `@gated/backend-webgpu`: the WebGPU backend of Gated. WGSL kernels for the whole core, a tiled
 * matmul, fused LSTM sequence kernels that run a whole layer in one submission, and a fused Adam
 * step. This is the browser entry (WebGPU from `navigator.gpu`); in Node the package resolves to
 * `node.ts`, which falls back to Dawn (the `webgpu` package).
 *
 * @example
 * ```ts
 * import { registerBackend, setBackend } from '@gated/tensor';
 * import { createWebGpuBackend } from '@gated/backend-webgpu';
 *
 * registerBackend('webgpu', createWebGpuBackend);
 * await setBackend('webgpu');
 * ```
 */
import { createOn } from './create.js';
import type { WebGpuBackendOptions } from './device.js';
import type { WebGpuBackend } from './webgpu-backend.js';

/**
 * Creates a `webgpu` backend: the factory to register with `@gated/tensor`. Rejects with a
 * GatedError when WebGPU or an adapter is missing (the conformance suite then skips).
 *
 * @example
 * ```ts
 * import { createWebGpuBackend } from '@gated/backend-webgpu';
 *
 * const backend = await createWebGpuBackend({ powerPreference: 'high-performance' });
 * console.log(backend.info.adapter, backend.info.maxStorageBufferBindingSize);
 * ```
 */
export function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const gpu = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { gpu?: GPU }).gpu;
  return createOn(gpu, options);
}

export { WebGpuBackend } from './webgpu-backend.js';
export type { WebGpuBackendInfo } from './webgpu-backend.js';
export type { WebGpuBackendOptions } from './device.js';
export { WebGpuBuffer } from './runtime/buffer.js';
export type { WebGpuAdapter, WebGpuAdapterInfo, WebGpuBufferObject, WebGpuDevice, WebGpuEntry } from './webgpu-types.js';

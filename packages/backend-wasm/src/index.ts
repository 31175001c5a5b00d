/**
 * `@gated/backend-wasm`: the WebAssembly backend of Gated. AssemblyScript kernels with 128-bit
 * SIMD (relaxed SIMD where the engine has it), a packed register-blocked GEMM, fused LSTM and
 * Adam kernels, buffers in linear memory under a size-class allocator, and optional worker
 * threads on shared memory. Runs in Node ≥ 20 and in browsers.
 *
 * @example
 * ```ts
 * import { registerBackend, setBackend } from '@gated/tensor';
 * import { createWasmBackend } from '@gated/backend-wasm';
 *
 * registerBackend('wasm', () => createWasmBackend({ numThreads: 2 }));
 * await setBackend('wasm');
 * ```
 */
export { WasmBackend, createWasmBackend } from './wasm-backend.js';
export type { WasmBackendInfo, WasmBackendOptions } from './wasm-backend.js';
export { WasmBuffer } from './wasm-buffer.js';
export type { SimdLevel } from './loader.js';

/**
 * `@gated/backend-ts`: the reference backend of Gated in plain TypeScript. It implements the whole
 * Backend contract of `@gated/backend-api` (storage, the required compute core, and the fused LSTM
 * and Adam kernels) on host typed arrays, synchronously, in Node and in browsers.
 *
 * @example
 * ```ts
 * import { registerBackend, setBackend } from '@gated/tensor';
 * import { createTsBackend } from '@gated/backend-ts';
 *
 * registerBackend('ts', createTsBackend);
 * await setBackend('ts');
 * ```
 */
export { TsBackend, createTsBackend } from './ts-backend.js';
export { TsBuffer } from './ts-buffer.js';

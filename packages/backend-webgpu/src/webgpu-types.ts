/**
 * WebGPU's types as this package's public declarations name them. `GPUDevice`, `GPUAdapter` and
 * `GPU` are globals of `@webgpu/types` (TypeScript's DOM lib does not have them yet): declarations
 * that named them directly would not compile in a project without those types (a Node project,
 * `lib` without DOM, `skipLibCheck: false`). Each alias is WebGPU's own type where the program
 * has it (`/// <reference types="@webgpu/types" />` or `types: ["@webgpu/types"]`), else `object`.
 * Inside this package, which compiles with `@webgpu/types`, they are exactly WebGPU's types.
 */

/** The instance type of the global constructor `Name`, when the program declares one. */
type WebGpuGlobal<Name extends string> = typeof globalThis extends { readonly [K in Name]: { readonly prototype: infer T } } ? T : object;

/** `GPUDevice` where the program has WebGPU's types, else `object`. */
export type WebGpuDevice = WebGpuGlobal<'GPUDevice'>;
/** `GPUAdapter` where the program has WebGPU's types, else `object`. */
export type WebGpuAdapter = WebGpuGlobal<'GPUAdapter'>;
/** `GPU` (the type of `navigator.gpu`) where the program has WebGPU's types, else `object`. */
export type WebGpuEntry = WebGpuGlobal<'GPU'>;
/** `GPUBuffer` where the program has WebGPU's types, else `object`. */
export type WebGpuBufferObject = WebGpuGlobal<'GPUBuffer'>;
/** `GPUAdapterInfo` where the program has WebGPU's types, else `object`. */
export type WebGpuAdapterInfo = WebGpuGlobal<'GPUAdapterInfo'>;

/**
 * The Node entry of `@gated/backend-webgpu` (export condition `node`). The same backend; when the
 * process has no `navigator.gpu` (Node ≤ 22 has none) and no GPU object, adapter or device is
 * passed, it loads Dawn from the `webgpu` package (an optional peer dependency: `npm install
 * webgpu`). Browser bundles never see this file.
 *
 * Dawn finds GPUs through the Vulkan loader. When no Vulkan driver is installed at all (no
 * `VK_ICD_FILENAMES`/`VK_DRIVER_FILES`, nothing in the standard ICD folders) but Chromium's
 * SwiftShader is (Debian's `chromium` ships one), that software driver is used, so tests and
 * examples run on machines without a GPU; `backend.info.adapter` says which adapter it got.
 */
import { existsSync, readdirSync } from 'node:fs';
import { GatedError } from '@gated/backend-api';
import { createOn } from './create.js';
import type { WebGpuBackendOptions } from './device.js';
import type { WebGpuBackend } from './webgpu-backend.js';
import type { WebGpuEntry } from './webgpu-types.js';

const ICD_FOLDERS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/** Where Chromium keeps its SwiftShader Vulkan driver on Linux distributions. */
export const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

function hasSystemIcd(): boolean {
  return ICD_FOLDERS.some((folder) => {
    try {
      return readdirSync(folder).some((name) => name.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

/**
 * The Vulkan driver this process will use: `'environment'` when `VK_ICD_FILENAMES` or
 * `VK_DRIVER_FILES` names one, `'system'` when one is installed, else the SwiftShader manifest it
 * points the loader at (set in `process.env` before Dawn loads), or `'none'`.
 */
export function selectVulkanDriver(): string {
  if (process.env['VK_ICD_FILENAMES'] || process.env['VK_DRIVER_FILES']) return 'environment';
  if (process.platform !== 'linux' || hasSystemIcd()) return 'system';
  const swiftshader = SWIFTSHADER_ICDS.find((path) => existsSync(path));
  if (!swiftshader) return 'none';
  process.env['VK_ICD_FILENAMES'] = swiftshader;
  return swiftshader;
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** Dawn's GPU object, created once: it must stay referenced for the life of the process (Dawn crashes when it is collected). */
let dawn: Promise<GPU> | null = null;
const keepAlive: GPU[] = [];

function loadDawn(): Promise<GPU> {
  dawn ??= (async () => {
    selectVulkanDriver();
    let module: DawnModule;
    try {
      // A variable specifier: bundlers leave it alone, Node resolves it from this package.
      const name = 'webgpu';
      module = (await import(/* @vite-ignore */ name)) as DawnModule;
    } catch (error) {
      throw new GatedError(
        'createWebGpuBackend',
        'Node has no navigator.gpu and the optional `webgpu` package (Dawn) could not be loaded: npm install webgpu, or pass { gpu }, { adapter } or { device }',
        { cause: error },
      );
    }
    const gpu = module.create([]);
    keepAlive.push(gpu);
    return gpu;
  })();
  dawn.catch(() => {
    dawn = null;
  });
  return dawn;
}

/** Dawn's `GPU` object (loading the `webgpu` package on first use), for sharing with other WebGPU code such as TF.js. */
export function nodeGpu(): Promise<WebGpuEntry> {
  const existing = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { gpu?: GPU }).gpu;
  return existing ? Promise.resolve(existing) : loadDawn();
}

/**
 * Creates a `webgpu` backend in Node: on `options.device`/`adapter`/`gpu` when given, else on
 * `navigator.gpu` when the runtime has one, else on Dawn.
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
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const gpu = options.device || options.adapter || options.gpu ? undefined : await nodeGpu();
  return createOn(gpu, options);
}

export { WebGpuBackend } from './webgpu-backend.js';
export type { WebGpuBackendInfo } from './webgpu-backend.js';
export type { WebGpuBackendOptions } from './device.js';
export { WebGpuBuffer } from './runtime/buffer.js';
export type { WebGpuAdapter, WebGpuAdapterInfo, WebGpuBufferObject, WebGpuDevice, WebGpuEntry } from './webgpu-types.js';

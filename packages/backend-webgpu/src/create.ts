/**
 * The factory shared by both entry points: get a device (see `device.ts`), wrap it, and put it
 * behind the checked layer of `@gated/backend-api` (the backend itself only computes).
 */
import { checkedBackend } from '@gated/backend-api';
import { acquireDevice, type WebGpuBackendOptions } from './device.js';
import { WebGpuBackend } from './webgpu-backend.js';

/** Creates a checked backend on `gpu` (used when the options name no device, adapter or GPU object). */
export async function createOn(gpu: GPU | undefined, options: WebGpuBackendOptions): Promise<WebGpuBackend> {
  const acquired = await acquireDevice(options, gpu);
  return checkedBackend(new WebGpuBackend(acquired, options));
}

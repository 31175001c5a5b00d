/**
 * Getting a device. The caller may hand over a device (used as is, never destroyed by the
 * backend), an adapter, or a `GPU` object (`navigator.gpu`, or Dawn's in Node); otherwise the
 * entry point finds one. The device is requested with the adapter's real limits for everything the
 * kernels care about: the defaults (128 MiB bindings, 256 MiB buffers, 16 KiB workgroup memory)
 * are far below what GPUs have, and are the usual cause of "buffer too large" failures.
 */
import { GatedError } from '@gated/backend-api';
import type { WebGpuAdapter, WebGpuAdapterInfo, WebGpuDevice, WebGpuEntry } from './webgpu-types.js';

/** Options of {@link createWebGpuBackend}. */
export interface WebGpuBackendOptions {
  /** Run on this device. The backend does not destroy it on `dispose()`. */
  readonly device?: WebGpuDevice;
  /** Request the device from this adapter (with its limits). */
  readonly adapter?: WebGpuAdapter;
  /** The WebGPU entry object to request an adapter from (default `navigator.gpu`, or Dawn in Node). */
  readonly gpu?: WebGpuEntry;
  /** Passed to `requestAdapter`. */
  readonly powerPreference?: 'low-power' | 'high-performance';
  /** Accept a software (fallback) adapter when no hardware one exists. Default true. */
  readonly allowFallbackAdapter?: boolean;
  /** Dispatches recorded between kernels before they are submitted without being asked. Default 64. */
  readonly maxPendingDispatches?: number;
  /** Bytes of freed buffers kept for reuse. Default 256 MiB. */
  readonly poolLimitBytes?: number;
  /**
   * How `lstmSequence` and its backward schedule the time loop: `'auto'` (one persistent dispatch
   * for the whole loop when the layer is small enough, else one dispatch per step), or force one.
   */
  readonly sequenceSchedule?: 'auto' | 'persistent' | 'per-step';
}

/** Limits requested at the adapter's maximum. */
const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
] as const;

export interface AcquiredDevice {
  readonly device: WebGpuDevice;
  readonly adapterInfo: WebGpuAdapterInfo | null;
  /** True when the backend created the device (and so destroys it on dispose). */
  readonly owned: boolean;
}

/** A device for the backend, from `options` or `gpu`; rejects with a GatedError naming what is missing. */
export async function acquireDevice(options: WebGpuBackendOptions, gpu: GPU | undefined): Promise<AcquiredDevice> {
  if (options.device) return { device: options.device, adapterInfo: null, owned: false };
  let adapter = options.adapter ?? null;
  if (!adapter) {
    const source = options.gpu ?? gpu;
    if (!source) {
      throw new GatedError(
        'createWebGpuBackend',
        'WebGPU is not available here (no navigator.gpu); pass { gpu }, { adapter } or { device }',
      );
    }
    const preference = options.powerPreference ? { powerPreference: options.powerPreference } : {};
    adapter = await source.requestAdapter(preference);
    if (!adapter && options.allowFallbackAdapter !== false)
      adapter = await source.requestAdapter({ ...preference, forceFallbackAdapter: true });
    if (!adapter) throw new GatedError('createWebGpuBackend', 'no WebGPU adapter was found (requestAdapter returned null)');
  }
  if (adapter.info.isFallbackAdapter && options.allowFallbackAdapter === false) {
    throw new GatedError('createWebGpuBackend', 'the only WebGPU adapter is a software fallback, and allowFallbackAdapter is false');
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  try {
    const device = await adapter.requestDevice({ requiredLimits, label: 'gated' });
    return { device, adapterInfo: adapter.info, owned: true };
  } catch (error) {
    throw new GatedError('createWebGpuBackend', `requestDevice failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

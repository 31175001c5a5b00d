/**
 * How the tests get a backend: the Node entry (Dawn, on SwiftShader where the machine has no GPU
 * driver) in Node, the browser entry in Chromium. Also the conformance options this backend runs
 * with, each leniency with its reason.
 */
import type { ConformanceOptions } from '@gated/backend-conformance';
import type { WebGpuBackend, WebGpuBackendOptions } from '../src/index.js';
import type { GpuContext } from '../src/runtime/context.js';

const isNode = typeof process !== 'undefined' && typeof process.versions === 'object' && typeof process.versions.node === 'string';

export async function createTestBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  if (isNode) {
    const { createWebGpuBackend } = await import('../src/node.js');
    return createWebGpuBackend(options);
  }
  const { createWebGpuBackend } = await import('../src/index.js');
  return createWebGpuBackend(options);
}

/** The runtime behind a backend (a private member: the published types do not name WebGPU's runtime types). */
export function contextOf(backend: WebGpuBackend): GpuContext {
  return (backend as unknown as { ctx: GpuContext }).ctx;
}

export const CONFORMANCE_OPTIONS: ConformanceOptions = {
  // A GPU cannot check indices without a round trip to the CPU: out-of-range gathers read 0
  // (documented in the README and the contract).
  outOfRangeGather: 'zeros',
};

/**
 * WebGPU helpers shared by the Node and browser runners: counting compute dispatches of any
 * library (TF.js's webgpu backend counts none itself) by wrapping the pass encoder's dispatch
 * methods, and describing an adapter for the report.
 */

let total = 0;
const wrapped = new WeakSet<object>();

/**
 * Wraps `dispatchWorkgroups` (and the indirect form) of `encoderClass.prototype` — the realm's
 * `GPUComputePassEncoder` — once, and returns a reader of the running count of dispatches
 * recorded through it; null when the class is not a WebGPU pass encoder.
 */
export function countWebGpuDispatches(encoderClass: unknown): (() => number) | null {
  const proto = (encoderClass as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  if (!proto || typeof proto['dispatchWorkgroups'] !== 'function') return null;
  if (!wrapped.has(proto)) {
    wrapped.add(proto);
    for (const method of ['dispatchWorkgroups', 'dispatchWorkgroupsIndirect']) {
      const original = proto[method];
      if (typeof original !== 'function') continue;
      proto[method] = function (this: unknown, ...args: unknown[]): unknown {
        total++;
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      };
    }
  }
  return () => total;
}

export interface AdapterDescription {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
}

function adapterText(info: AdapterDescription): string {
  return [info.vendor, info.architecture, info.device, info.description].filter((s) => s !== undefined && s !== '').join(' ');
}

/** Whether the adapter is a software rasterizer (SwiftShader, llvmpipe, lavapipe) or a fallback adapter. */
export function isSoftwareAdapter(info: AdapterDescription & { fallback?: boolean }): boolean {
  return info.fallback === true || /swiftshader|llvmpipe|lavapipe/i.test(adapterText(info));
}

/** `vendor architecture device description`, flagged when it is a software rasterizer. */
export function describeAdapterInfo(info: AdapterDescription): string {
  const text = adapterText(info);
  const software = isSoftwareAdapter(info);
  return `${text || 'unknown adapter'}${software ? ' (software rasterizer: SwiftShader on the CPU, not a GPU; its speeds prove correctness, not GPU performance)' : ''}`;
}

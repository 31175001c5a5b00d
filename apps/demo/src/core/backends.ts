/**
 * The backends the demo offers: one line per Gated backend package. Each package is loaded on
 * demand and its `create…Backend` factory found by name, so a new backend is one more line here
 * plus its dependency in package.json. A backend that can compute with threads is offered twice
 * when the page can run them (cross-origin isolated): `<name>` on one thread and `<name>-<N>t` on
 * N. A backend that cannot start here (webgpu in a browser without WebGPU) is listed with the
 * reason its factory gave.
 */
import { initBackend, registerBackend, type Backend } from '@gated/tensor';

export interface BackendPackage {
  readonly name: string;
  readonly package: string;
  readonly load: () => Promise<Record<string, unknown>>;
  /** Its factory takes `{ numThreads }`. */
  readonly threads: boolean;
}

export const BACKEND_PACKAGES: readonly BackendPackage[] = [
  { name: 'ts', package: '@gated/backend-ts', load: () => import('@gated/backend-ts'), threads: false },
  { name: 'wasm', package: '@gated/backend-wasm', load: () => import('@gated/backend-wasm'), threads: true },
  { name: 'webgpu', package: '@gated/backend-webgpu', load: () => import('@gated/backend-webgpu'), threads: false },
];

/** What the backends page shows about one backend variant. */
export interface BackendInfo {
  readonly name: string;
  readonly package: string;
  readonly available: boolean;
  readonly threads: number;
  /** What the backend says about itself (`backend.info`: SIMD flavour, thread fallback, the GPU adapter and its limits...). */
  readonly details: Readonly<Record<string, string>>;
  readonly reason?: string;
}

type Factory = (options?: { numThreads?: number }) => Backend | Promise<Backend>;

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function describe(backend: Backend): Record<string, string> {
  const details: Record<string, string> = {};
  const info = (backend as { info?: Record<string, unknown> }).info ?? {};
  for (const [key, value] of Object.entries(info)) {
    if (value === null || value === undefined) continue;
    details[key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  }
  details['fused'] =
    Object.entries(backend.caps.fused)
      .filter(([, on]) => on === true)
      .map(([k]) => k)
      .join(', ') || 'none';
  return details;
}

/**
 * Registers and starts every backend variant this page can run; the ones that cannot start are
 * listed with the reason. `cores`: the N of the threaded variants.
 */
export async function discoverBackends(cores: number, isolated: boolean): Promise<BackendInfo[]> {
  const out: BackendInfo[] = [];
  for (const entry of BACKEND_PACKAGES) {
    let factory: Factory;
    try {
      const mod = await entry.load();
      const key = Object.keys(mod).find((k) => /^create\w*Backend$/.test(k) && typeof mod[k] === 'function');
      if (!key) throw new Error(`${entry.package} exports no create…Backend factory`);
      factory = mod[key] as Factory;
    } catch (error) {
      out.push({ name: entry.name, package: entry.package, available: false, threads: 0, details: {}, reason: message(error) });
      continue;
    }
    const variants: [string, number][] = [[entry.name, 1]];
    if (entry.threads && cores > 1) variants.push([`${entry.name}-${cores}t`, cores]);
    for (const [name, threads] of variants) {
      if (threads > 1 && !isolated) {
        out.push({
          name,
          package: entry.package,
          available: false,
          threads: 0,
          details: {},
          reason:
            'threads need a cross-origin-isolated page (COOP/COEP headers): this host does not send them, so the backend runs on one thread',
        });
        continue;
      }
      registerBackend(name, () => factory(entry.threads ? { numThreads: threads } : undefined));
      try {
        const backend = await initBackend(name);
        out.push({ name, package: entry.package, available: true, threads: backend.caps.threads ?? 1, details: describe(backend) });
      } catch (error) {
        out.push({ name, package: entry.package, available: false, threads: 0, details: {}, reason: `failed to start: ${message(error)}` });
      }
    }
  }
  return out;
}

/** The backend a page starts on: the threaded wasm when it runs, else wasm, else the first that runs. */
export function preferredBackend(list: readonly BackendInfo[]): string {
  const running = list.filter((b) => b.available);
  const pick = running.find((b) => b.name.startsWith('wasm-')) ?? running.find((b) => b.name === 'wasm') ?? running[0];
  if (!pick) throw new Error('no backend could start in this browser');
  return pick.name;
}

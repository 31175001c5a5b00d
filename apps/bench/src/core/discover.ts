/**
 * Finding Gated's backends: every backend package the harness can import is registered with
 * `@gated/tensor`'s registry (a package `@gated/backend-<name>` exporting a `create…Backend`
 * factory becomes backend `<name>`, plus `<name>-<N>t` when it computes with N threads), and the
 * targets are then built from `listBackends()`. A package that is missing or cannot start is
 * reported, not hidden.
 */
import { listBackends, removeBackend } from '@gated/tensor';
import { GatedTarget, registerGatedBackend } from './gated.js';

/** Every backend package Gated has or plans (docs/architecture.md): the ones that exist get measured. */
export const BACKEND_PACKAGES = ['@gated/backend-ts', '@gated/backend-wasm', '@gated/backend-webgpu'] as const;

export type PackageLoader = () => Promise<Record<string, unknown>>;

export interface Discovery {
  readonly targets: GatedTarget[];
  /** Backend (or package) → why it is not measured here. */
  readonly unavailable: { readonly backend: string; readonly reason: string }[];
}

type Factory = (options?: { numThreads?: number }) => unknown;

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/**
 * Registers the backends of the packages `loaders` can load and starts each one.
 * `threads`: the N of the `-<N>t` variant (the machine's cores).
 */
export async function discoverGatedBackends(loaders: Readonly<Record<string, PackageLoader | null>>, threads: number): Promise<Discovery> {
  const unavailable: { backend: string; reason: string }[] = [];
  const requested = new Map<string, number>();
  for (const pkg of BACKEND_PACKAGES) {
    const base = pkg.replace('@gated/backend-', '');
    const load = loaders[pkg];
    if (!load) {
      unavailable.push({ backend: base, reason: `${pkg} is not in this build (package not present yet)` });
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = await load();
    } catch (error) {
      const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (package|module)/.test(message(error));
      unavailable.push({
        backend: base,
        reason: missing ? `${pkg} does not exist yet (no such package in the workspace)` : `${pkg} cannot be imported: ${message(error)}`,
      });
      continue;
    }
    const factoryName = Object.keys(mod).find((key) => /^create\w*Backend$/.test(key) && typeof mod[key] === 'function');
    if (!factoryName) {
      unavailable.push({ backend: base, reason: `${pkg} exports no create…Backend factory` });
      continue;
    }
    const factory = mod[factoryName] as Factory;
    registerGatedBackend(base, () => factory({ numThreads: 1 }) as never);
    requested.set(base, 1);
    if (threads > 1) {
      registerGatedBackend(`${base}-${threads}t`, () => factory({ numThreads: threads }) as never);
      requested.set(`${base}-${threads}t`, threads);
    }
  }
  const targets: GatedTarget[] = [];
  for (const name of listBackends()) {
    const want = requested.get(name);
    if (want === undefined) continue;
    const target = new GatedTarget(name);
    try {
      const backend = await target.init();
      const caps = backend.caps.threads ?? 1;
      if (want > 1 && caps < want) {
        // A backend that could not start its threads says why; one without threads has no threaded variant.
        const fallback = (backend as { info?: { threadsFallback?: string | null } }).info?.threadsFallback;
        if (typeof fallback === 'string') unavailable.push({ backend: name, reason: `runs ${caps} thread(s) here: ${fallback}` });
        removeBackend(name);
        continue;
      }
      targets.push(target);
    } catch (error) {
      unavailable.push({ backend: name, reason: `failed to start: ${message(error)}` });
      try {
        removeBackend(name);
      } catch {
        // already gone
      }
    }
  }
  return { targets, unavailable };
}

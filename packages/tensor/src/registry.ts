/**
 * The public face of the engine: registering and choosing backends, memory reports, and the
 * hooks `@gated/autograd` installs.
 */
import type { Backend, BackendFactory } from '@gated/backend-api';
import { ENGINE, type MemoryInfo, type OpRecorder } from './engine.js';

/**
 * Makes a backend available under `name`. `factory` may be async; it runs once, on first use.
 * When no backend was chosen with `setBackend`, the highest `priority` one whose factory is
 * synchronous is used.
 *
 * @example
 * ```ts
 * registerBackend('ts', createTsBackend);
 * ```
 */
export function registerBackend(name: string, factory: BackendFactory, priority = 1): void {
  ENGINE.registerBackend(name, factory, priority);
}

/** Creates (once) and activates the named backend; new tensors go to it. */
export async function setBackend(name: string): Promise<Backend> {
  return ENGINE.setBackend(name);
}

/** Creates (once) the named backend without activating it (e.g. to warm up a GPU). */
export async function initBackend(name: string): Promise<Backend> {
  return ENGINE.initBackend(name);
}

/** Disposes and unregisters a backend. */
export function removeBackend(name: string): void {
  ENGINE.removeBackend(name);
}

/** The active backend (see `registerBackend` for how a default is chosen). */
export function getBackend(): Backend {
  return ENGINE.backend();
}

/** Name of the active backend. */
export function getBackendName(): string {
  return ENGINE.backendName();
}

/** Names of every registered backend. */
export function listBackends(): string[] {
  return ENGINE.registeredBackends();
}

/** Live tensors, buffers and bytes, plus the active backend's own report. */
export function memory(): MemoryInfo {
  return ENGINE.memory();
}

/**
 * Reports tensors that were garbage-collected without being disposed (a leak of their buffer).
 * Meant for development; pass null to turn it off.
 *
 * @example
 * ```ts
 * setLeakReporter((what) => console.warn(`leaked ${what}`));
 * ```
 */
export function setLeakReporter(report: ((description: string) => void) | null): void {
  ENGINE.setLeakReporter(report);
}

/** Installs the autodiff recorder (called by `@gated/autograd`). Returns the previous one. */
export function installRecorder(recorder: OpRecorder | null): OpRecorder | null {
  const previous = ENGINE.recorder;
  ENGINE.recorder = recorder;
  return previous;
}

/** Whether ops are being recorded for autodiff (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return ENGINE.gradEnabled;
}

/** Turns recording on or off; returns the previous setting (used by `noGrad`). */
export function setGradEnabled(enabled: boolean): boolean {
  const previous = ENGINE.gradEnabled;
  ENGINE.gradEnabled = enabled;
  return previous;
}

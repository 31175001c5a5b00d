/**
 * The page's shared state (the model, the backends, the errors) in one small observable store,
 * and `report`, which puts every error in the page (the error bar), not only in the console.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BackendInfo } from './core/backends.js';
import type { ModelSummary } from './worker/api.js';

export interface AppState {
  readonly ready: boolean;
  readonly status: string;
  readonly model: ModelSummary | null;
  readonly backends: readonly BackendInfo[];
  readonly backend: string;
  readonly isolated: boolean;
  readonly training: boolean;
  readonly errors: readonly { readonly id: number; readonly text: string }[];
  /** Last measured training step time per backend (ms). */
  readonly stepMs: Readonly<Record<string, number>>;
}

let state: AppState = {
  ready: false,
  status: 'starting the worker…',
  model: null,
  backends: [],
  backend: '',
  isolated: false,
  training: false,
  errors: [],
  stepMs: {},
};
const listeners = new Set<() => void>();

export function getState(): AppState {
  return state;
}

export function setState(patch: Partial<AppState>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

export function useAppState(): AppState {
  const [, force] = useState(0);
  useEffect(() => {
    const listener = () => {
      force((n) => n + 1);
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return state;
}

let nextError = 1;

/** Shows an error in the page's error bar. */
export function report(error: unknown): void {
  const text = error instanceof Error ? error.message : String(error);
  setState({ errors: [...state.errors, { id: nextError++, text }] });
}

export function dismiss(id: number): void {
  setState({ errors: state.errors.filter((e) => e.id !== id) });
}

/** Runs `fn`, reporting its error in the page; resolves to undefined on error. */
export async function guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    report(error);
    return undefined;
  }
}

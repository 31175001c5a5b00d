/**
 * What every fused op shares: validating its tensors against the kernel's signature in
 * `@gated/backend-api` (the same rules and messages the checked backend layer applies), deciding
 * between the backend's kernel and the composite, and wrapping the kernel's handles into tensors
 * whose shapes come from the same signature.
 */
import {
  FUSED_SIGNATURES,
  checkFusedOperands,
  fusedShape,
  type Backend,
  type BoundDims,
  type DataHandle,
  type FusedKernel,
} from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';

/** Options of the fused ops. */
export interface FusedOptions {
  /**
   * Use the backend's fused kernel when it offers one (the default). `false` always runs the
   * composite of public ops: for debugging, and for checking a kernel against the composite.
   */
  readonly fused?: boolean;
}

/** Options of the whole-sequence ops (`lstmSequence`, `gruSequence`). */
export interface SequenceOptions extends FusedOptions {
  /**
   * Return every step's gates and states even when no gradient will be recorded. Default false:
   * such a call runs in inference mode (the kernel keeps one step's worth) and returns them as
   * null.
   */
  readonly returnGates?: boolean;
}

/** Checks that every tensor is live, then the tensors against `op`'s signature; returns the bound dimensions. */
export function checkFused(op: FusedKernel, tensors: { readonly [name: string]: Tensor | null | undefined }): BoundDims {
  for (const t of Object.values(tensors)) t?.assertLive(op);
  return checkFusedOperands(op, FUSED_SIGNATURES[op].inputs, tensors);
}

/** A fused kernel's handles as tensors: an output the kernel may leave out (null or absent) is a tensor or null. */
export type Wrapped<H> = { [K in keyof H]: null extends H[K] ? Tensor | null : Tensor };

/**
 * The tensors a fused kernel returned, each with the shape its signature gives it. An output the
 * kernel left out (the sequence kernels' per-step states in inference mode) is null; one it
 * returned although `drop` lists it (a 1.0 kernel ignores inference mode) is freed.
 */
export function wrapFused<H extends { readonly [key: string]: DataHandle | null | undefined }>(
  op: FusedKernel,
  backend: Backend,
  handles: H,
  bound: BoundDims,
  drop: readonly string[] = [],
): Wrapped<H> {
  const outputs: { readonly [name: string]: { readonly shape: readonly string[] } } = FUSED_SIGNATURES[op].outputs;
  const result: Record<string, Tensor | null> = {};
  for (const [key, handle] of Object.entries(handles)) {
    if (!handle) {
      result[key] = null;
    } else if (drop.includes(key)) {
      backend.free(handle);
      result[key] = null;
    } else {
      result[key] = ENGINE.wrap(backend, handle, fusedShape(outputs[key]!, bound), 'float32');
    }
  }
  return result as Wrapped<H>;
}

/** A kernel the engine may run fused, with the capability it needs (a kernel and its backward always come as a pair). */
export type FusedUse = 'lstmCell' | 'lstmSequence' | 'lstmProjection' | 'gruSequence';

/** Whether the backend's kernel runs for `use` (and its backward, which must come with it). */
export function useFusedKernel(backend: Backend, options: FusedOptions, use: FusedUse): boolean {
  const { fused } = backend.caps;
  if (options.fused === false || fused[use] !== true) return false;
  switch (use) {
    case 'lstmCell':
      return backend.lstmCell !== undefined && backend.lstmCellBackward !== undefined;
    case 'lstmProjection':
      return fused.lstmSequence === true && backend.lstmSequence !== undefined && backend.lstmSequenceBackward !== undefined;
    case 'lstmSequence':
      return backend.lstmSequence !== undefined && backend.lstmSequenceBackward !== undefined;
    case 'gruSequence':
      return backend.gruSequence !== undefined && backend.gruSequenceBackward !== undefined;
  }
}

/**
 * Replaces a recorded output by a detached view of the same values (freeing the recorded tensor,
 * so autograd's node no longer counts it), so that no gradient can be routed through it.
 */
export function detachOutput(t: Tensor): Tensor {
  if (!t.requiresGrad) return t;
  const view = t.detach();
  t.dispose();
  return view;
}

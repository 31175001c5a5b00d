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

/** Checks that every tensor is live, then the tensors against `op`'s signature; returns the bound dimensions. */
export function checkFused(op: FusedKernel, tensors: { readonly [name: string]: Tensor | null | undefined }): BoundDims {
  for (const t of Object.values(tensors)) t?.assertLive(op);
  return checkFusedOperands(op, FUSED_SIGNATURES[op].inputs, tensors);
}

/** The tensors a fused kernel returned, each with the shape its signature gives it. */
export function wrapFused<K extends string>(
  op: FusedKernel,
  backend: Backend,
  handles: { readonly [key in K]: DataHandle },
  bound: BoundDims,
): { [key in K]: Tensor } {
  const outputs: { readonly [name: string]: { readonly shape: readonly string[] } } = FUSED_SIGNATURES[op].outputs;
  const result = {} as { [key in K]: Tensor };
  for (const key of Object.keys(handles) as K[]) {
    result[key] = ENGINE.wrap(backend, handles[key], fusedShape(outputs[key]!, bound), 'float32');
  }
  return result;
}

/** Whether the backend's kernel runs for `kernel` (and its backward, which must come with it). */
export function useFusedKernel(backend: Backend, options: FusedOptions, kernel: 'lstmCell' | 'lstmSequence'): boolean {
  if (options.fused === false || backend.caps.fused[kernel] !== true) return false;
  return kernel === 'lstmCell'
    ? backend.lstmCell !== undefined && backend.lstmCellBackward !== undefined
    : backend.lstmSequence !== undefined && backend.lstmSequenceBackward !== undefined;
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

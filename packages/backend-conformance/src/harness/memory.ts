/** Snapshots of live tensors and buffers, for leak checks around a call or a test. */
import { memory } from '@gated/tensor';
import { assert } from 'vitest';
import { activeRecorder } from './kernel-calls.js';

/** The live counts a leak would change. */
export interface MemorySnapshot {
  readonly tensors: number;
  readonly buffers: number;
  readonly backendBuffers: number | undefined;
  /** The kernel recorder's mark when the snapshot was taken: buffers made later can be named. */
  readonly mark: number;
}

export function snapshot(): MemorySnapshot {
  const info = memory();
  return { tensors: info.numTensors, buffers: info.numBuffers, backendBuffers: info.backend?.buffers, mark: activeRecorder()?.mark() ?? 0 };
}

/**
 * What changed since `before`, naming the kernels whose buffers are still live (empty when the
 * counts agree): `live tensors 4 → 5, backend buffers 4 → 5; still live, by the kernel that made
 * them: binary > sub ×1`.
 */
export function leakSince(before: MemorySnapshot): string {
  const now = snapshot();
  const changes: string[] = [];
  const compare = (what: string, was: number | undefined, is: number | undefined) => {
    if (was !== is) changes.push(`${what} ${String(was)} → ${String(is)}`);
  };
  compare('live tensors', before.tensors, now.tensors);
  compare('engine buffers', before.buffers, now.buffers);
  compare('backend buffers (backend.memory().buffers)', before.backendBuffers, now.backendBuffers);
  if (changes.length === 0) return '';
  const live = activeRecorder()?.liveSince(before.mark) ?? '';
  return `${changes.join(', ')}${live === '' ? '' : `; ${live}`}`;
}

/** Asserts that tensors, engine buffers and backend buffers are back to `before`, naming what leaked. */
export function expectMemory(before: MemorySnapshot, label: string): void {
  const leak = leakSince(before);
  if (leak !== '') assert.fail(`${label}: memory is not back where it was: ${leak}`);
}

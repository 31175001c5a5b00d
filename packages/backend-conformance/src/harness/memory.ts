/** Snapshots of live tensors and buffers, for leak checks around a call or a test. */
import { memory } from '@gated/tensor';
import { expect } from 'vitest';

/** The live counts a leak would change. */
export interface MemorySnapshot {
  readonly tensors: number;
  readonly buffers: number;
  readonly backendBuffers: number | undefined;
}

export function snapshot(): MemorySnapshot {
  const info = memory();
  return { tensors: info.numTensors, buffers: info.numBuffers, backendBuffers: info.backend?.buffers };
}

/** Asserts that tensors, engine buffers and backend buffers are back to `before`. */
export function expectMemory(before: MemorySnapshot, label: string): void {
  expect(snapshot(), `${label}: live tensors and buffers`).toEqual(before);
}

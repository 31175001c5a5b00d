/**
 * Test helpers: a harness that uploads arrays, tracks every handle and checks that the backend's
 * memory is back to zero at the end; a seeded generator; naive n-d index arithmetic for the
 * float64 references (deliberately written differently from the kernels' row plans).
 */
import { keyFromSeed, randomValue, type DType, type DataHandle, type Shape, type TensorSpec, type TypedArray } from '@gated/backend-api';
import { expect } from 'vitest';
import { createTsBackend } from '../src/index.js';

/** A seeded generator of values in [0, 1) on the shared random stream, so failures reproduce. */
export function seeded(seed: number): () => number {
  const key = keyFromSeed(seed);
  let i = 0;
  return () => randomValue({ kind: 'uniform', low: 0, high: 1 }, key, i++);
}

/** `size` float32-representable values in [-scale, scale). */
export function randomValues(next: () => number, size: number, scale = 1): number[] {
  return Array.from({ length: size }, () => Math.fround((next() * 2 - 1) * scale));
}

export function sizeOfShape(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The multi-index of flat position `flat` in a row-major array of `shape`. */
export function unravel(flat: number, shape: Shape): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis]!;
    flat = Math.floor(flat / shape[axis]!);
  }
  return index;
}

/** Flat position in an array of `shape` of the element a broadcast read at `outIndex` sees. */
export function broadcastFlat(outIndex: readonly number[], shape: Shape): number {
  const shift = outIndex.length - shape.length;
  let flat = 0;
  for (let axis = 0; axis < shape.length; axis++) {
    const i = shape[axis] === 1 ? 0 : outIndex[axis + shift]!;
    flat = flat * shape[axis]! + i;
  }
  return flat;
}

function arrayFor(dtype: DType, values: ArrayLike<number>): TypedArray {
  if (dtype === 'float32') return Float32Array.from(values);
  if (dtype === 'int32') return Int32Array.from(values);
  return Uint8Array.from(values);
}

/** A backend plus bookkeeping: everything uploaded or returned through it is freed by `finish`. */
export class Harness {
  readonly backend = createTsBackend();
  private readonly handles = new Set<DataHandle>();

  /** Uploads `values` as a contiguous tensor of `shape`. */
  tensor(values: ArrayLike<number>, shape: Shape, dtype: DType = 'float32'): TensorSpec {
    const data = this.backend.alloc(dtype, sizeOfShape(shape));
    this.backend.write(data, arrayFor(dtype, values));
    this.handles.add(data);
    return { data, shape };
  }

  /** Tracks `handle` and returns its values as plain numbers. */
  read(handle: DataHandle): number[] {
    this.handles.add(handle);
    return Array.from(this.backend.readSync(handle));
  }

  /** Tracks an output handle without reading it. */
  keep(handle: DataHandle): DataHandle {
    this.handles.add(handle);
    return handle;
  }

  /** Frees everything tracked and checks that nothing else is alive. */
  finish(): void {
    for (const handle of this.handles) this.backend.free(handle);
    this.handles.clear();
    expect(this.backend.memory()).toEqual({ buffers: 0, bytes: 0 });
  }
}

/** Elementwise |a - e| <= abs + rel·|e|, NaNs matching NaNs; reports the first mismatch. */
export function expectClose(actual: readonly number[], expected: readonly number[], abs = 1e-6, rel = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) expect.fail(`element ${i}: expected NaN, got ${a}`);
      continue;
    }
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e)) && a !== e) {
      expect.fail(`element ${i}: expected ${e}, got ${a} (difference ${Math.abs(a - e)})`);
    }
  }
}

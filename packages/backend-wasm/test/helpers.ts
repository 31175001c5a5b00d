/**
 * Test helpers: the wasm backend next to the reference `ts` backend, fed the same inputs, with
 * every handle tracked so a test can check that both backends end where they started.
 */
import {
  keyFromSeed,
  randomValue,
  type Backend,
  type DType,
  type DataHandle,
  type Shape,
  type TensorSpec,
  type TypedArray,
} from '@gated/backend-api';
import { createTsBackend } from '@gated/backend-ts';
import { expect } from 'vitest';
import { createWasmBackend, type WasmBackendOptions } from '../src/index.js';

/** A seeded generator of values in [0, 1) on the shared random stream, so failures reproduce. */
export function seeded(seed: number): () => number {
  const key = keyFromSeed(seed);
  let i = 0;
  return () => randomValue({ kind: 'uniform', low: 0, high: 1 }, key, i++);
}

/** `size` float32 values in [-scale, scale). */
export function randomArray(next: () => number, size: number, scale = 1): Float32Array {
  return Float32Array.from({ length: size }, () => (next() * 2 - 1) * scale);
}

function sizeOfShape(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** One tensor uploaded to both backends. */
export interface Pair {
  readonly wasm: TensorSpec;
  readonly ts: TensorSpec;
}

/** A wasm backend and the reference backend side by side. */
export class Twin {
  private readonly handles = new Map<Backend, DataHandle[]>();

  private constructor(
    readonly wasm: Backend,
    readonly ts: Backend,
  ) {
    this.handles.set(wasm, []);
    this.handles.set(ts, []);
  }

  static async create(options: WasmBackendOptions): Promise<Twin> {
    return new Twin(await createWasmBackend(options), createTsBackend());
  }

  /** Uploads the same values to both backends. */
  tensor(values: TypedArray, shape: Shape, dtype: DType = 'float32'): Pair {
    expect(values.length).toBe(sizeOfShape(shape));
    const upload = (backend: Backend): TensorSpec => {
      const data = this.track(backend, backend.alloc(dtype, values.length));
      backend.write(data, values);
      return { data, shape };
    };
    return { wasm: upload(this.wasm), ts: upload(this.ts) };
  }

  /** Remembers `handle` so that {@link finish} frees it. */
  track<H extends DataHandle>(backend: Backend, handle: H): H {
    this.handles.get(backend)!.push(handle);
    return handle;
  }

  read(backend: Backend, handle: DataHandle): TypedArray {
    this.track(backend, handle);
    return backend.readSync!(handle);
  }

  /** Frees every tracked handle and checks that both backends hold no buffer. */
  finish(): void {
    for (const [backend, handles] of this.handles) {
      for (const handle of handles) backend.free(handle);
      handles.length = 0;
      expect(backend.memory().buffers, `${backend.name} buffers after the test`).toBe(0);
    }
  }

  dispose(): void {
    this.wasm.dispose();
    this.ts.dispose();
  }
}

/**
 * Checks `actual` against `expected` element by element: |a - e| <= atol + rtol·|e|, where the
 * absolute part scales with the largest expected magnitude (float32 accumulation).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, rtol = 1e-4, atol = 1e-5): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  const bad: string[] = [];
  for (let i = 0; i < expected.length && bad.length < 5; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= atol * Math.max(1, scale) + rtol * Math.abs(e))) bad.push(`[${i}] got ${a}, want ${e}`);
  }
  expect(bad.join('; '), label).toBe('');
}

/** Shared by the tests: the TypeScript backend, ONNX Runtime sessions, seeded data, comparisons. */
import { createTsBackend } from '@gated/backend-ts';
import { GRU, LSTM, RNN } from '@gated/lstm';
import { registerBackend, setBackend, tensor, type Tensor } from '@gated/tensor';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';

export async function useTsBackend(): Promise<void> {
  registerBackend('ts', createTsBackend);
  await setBackend('ts');
}

/** mulberry32: seeded floats in [-1, 1). */
export function seeded(seed: number, count: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function randomTensor(seed: number, shape: readonly number[]): Tensor {
  return tensor(
    seeded(
      seed,
      shape.reduce((a, b) => a * b, 1),
    ),
    { shape: [...shape] },
  );
}

export type Feed = Float32Array | Int32Array | BigInt64Array;

/** Runs `bytes` in onnxruntime-node (CPU) on float32 / int32 / int64 feeds. */
export async function runOrt(
  bytes: Uint8Array,
  feeds: Record<string, { data: Feed; shape: readonly number[] }>,
): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, { data, shape }] of Object.entries(feeds)) {
      const type = data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'int64';
      inputs[name] = new ort.Tensor(type, data, [...shape]);
    }
    const result = await session.run(inputs);
    const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const [name, value] of Object.entries(result)) out[name] = { data: value.data as Float32Array, dims: value.dims };
    return out;
  } finally {
    await session.release();
  }
}

/** max |a − b| / max |b|: the ∞-norm relative error of `actual` against `expected`. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Asserts agreement to `tolerance` relative (1e-5 by default, the bar). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  const error = relativeError(actual, expected);
  expect(error, `relative error ${error}`).toBeLessThanOrEqual(tolerance);
}

/** A recurrent layer's initial states for a batch, seeded. */
export function initialStates(module: LSTM | GRU | RNN, batch: number, seed: number): { h0: Tensor; c0: Tensor | null } {
  const shape = [module.numLayers * module.numDirections, batch, module.hiddenSize];
  return { h0: randomTensor(seed, shape), c0: module instanceof LSTM ? randomTensor(seed + 1, shape) : null };
}

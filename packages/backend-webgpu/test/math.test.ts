/**
 * The WGSL math library against float64 references, in ulps of the float32 result: the
 * conformance suite checks these functions at its tolerances; this file pins down how exact they
 * are (and so catches a driver or compiler that rewrites them: one that simplifies (1 + x) - 1 to
 * x, flushes subnormals or contracts differently). Inputs are dense over each function's range.
 */
import type { UnaryOp } from '@gated/backend-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { createTestBackend } from './gpu.js';

let backend: WebGpuBackend;
beforeAll(async () => {
  backend = await createTestBackend();
});
afterAll(() => {
  backend.dispose();
});

/** Distance in float32 ulps between `got` and the float64 `want` (rounded to float32 first). */
function ulps(got: number, want: number): number {
  const w = Math.fround(want);
  if (Object.is(got, w) || got === w) return 0;
  if (!Number.isFinite(w) || !Number.isFinite(got)) return Infinity;
  const spacing = Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(Math.max(Math.abs(w), 2 ** -126))) - 23));
  return Math.abs(got - want) / spacing;
}

function sweep(low: number, high: number, count: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.fround(low + ((high - low) * (i + 0.5)) / count));
}

async function worst(op: UnaryOp, inputs: Float32Array, reference: (x: number) => number): Promise<{ ulps: number; at: number }> {
  const x = backend.alloc('float32', inputs.length);
  backend.write(x, inputs);
  const y = backend.unary(op, { data: x, shape: [inputs.length] });
  const got = (await backend.read(y)) as Float32Array;
  backend.free(x);
  backend.free(y);
  let result = { ulps: 0, at: NaN };
  inputs.forEach((v, i) => {
    const e = ulps(got[i]!, reference(v));
    if (e > result.ulps) result = { ulps: e, at: v };
  });
  return result;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

const CASES: [UnaryOp, number, number, (x: number) => number, number][] = [
  ['exp', -87, 88, Math.exp, 2],
  ['exp', -1, 1, Math.exp, 2],
  ['log', 1e-30, 1e30, Math.log, 2],
  ['log', 0.5, 2, Math.log, 3],
  ['log1p', -0.999, 10, Math.log1p, 3],
  ['log1p', -1e-3, 1e-3, Math.log1p, 2],
  ['expm1', -20, 20, Math.expm1, 3],
  ['expm1', -1e-3, 1e-3, Math.expm1, 2],
  ['tanh', -12, 12, Math.tanh, 3],
  ['tanh', -0.7, 0.7, Math.tanh, 3],
  ['sigmoid', -30, 30, sigmoid, 4],
  ['sin', -20, 20, Math.sin, 3],
  ['cos', -20, 20, Math.cos, 3],
  ['sqrt', 0, 1e6, Math.sqrt, 3],
  ['rsqrt', 1e-6, 1e6, (x) => 1 / Math.sqrt(x), 3],
];

describe('WGSL math accuracy (float32 ulps against float64)', () => {
  for (const [op, low, high, reference, bound] of CASES) {
    it(`${op} on [${low}, ${high}] within ${bound} ulp`, async () => {
      const { ulps: error, at } = await worst(op, sweep(low, high, 20000), reference);
      expect(error, `worst ${error.toFixed(2)} ulp at x = ${at}`).toBeLessThanOrEqual(bound);
    });
  }

  it('pow within 8 ulp on a grid of bases and exponents', async () => {
    const bases = sweep(0.01, 50, 200);
    const exponents = sweep(-8, 8, 100);
    const a = new Float32Array(bases.length * exponents.length);
    const b = new Float32Array(a.length);
    bases.forEach((x, i) => {
      exponents.forEach((y, j) => {
        a[i * exponents.length + j] = x;
        b[i * exponents.length + j] = y;
      });
    });
    const ha = backend.alloc('float32', a.length);
    const hb = backend.alloc('float32', b.length);
    backend.write(ha, a);
    backend.write(hb, b);
    const out = backend.binary('pow', { data: ha, shape: [a.length] }, { data: hb, shape: [b.length] }, [a.length]);
    const got = (await backend.read(out)) as Float32Array;
    for (const h of [ha, hb, out]) backend.free(h);
    let error = 0;
    for (let i = 0; i < a.length; i++) {
      const want = Math.pow(a[i]!, b[i]!);
      if (Math.fround(want) === 0 || !Number.isFinite(Math.fround(want)) || Math.abs(want) < 2 ** -126) continue;
      error = Math.max(error, ulps(got[i]!, want));
    }
    expect(error).toBeLessThanOrEqual(8);
  });
});

/**
 * The generated counterpart of `lstm/padding.ts`: batches of generated lengths padded with NaN,
 * ±Inf or a huge finite value (`padSequence`'s `paddingValue`) must give exactly what zero
 * padding gives, through generated layers (LSTM, projected LSTM, GRU; one or two layers, one or
 * two directions, batch-first or not, fused kernels or the composite): every output, final state
 * and parameter gradient, and nothing non-finite. Padded steps are never read (issue #16, item 2).
 */
import { GRU, LSTM, padSequence, type LSTMResult } from '@gated/lstm';
import { add, dispose, memory, mul, sum, tensor, tidy, type Tensor } from '@gated/tensor';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';
import { expectSame } from '../lstm/sequence-helpers.js';

export interface PaddedCase {
  readonly kind: 'LSTM' | 'projected LSTM' | 'GRU';
  readonly lengths: readonly number[];
  readonly fill: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly batchFirst: boolean;
  readonly fused: boolean;
  readonly seed: number;
}

/** Cases: 1 to 3 sequences of 1 to 5 steps, and a padding no real input holds. */
export const paddedCases: fc.Arbitrary<PaddedCase> = fc.record({
  kind: fc.constantFrom('LSTM' as const, 'projected LSTM' as const, 'GRU' as const),
  lengths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
  fill: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3e38),
  numLayers: fc.integer({ min: 1, max: 2 }),
  bidirectional: fc.boolean(),
  batchFirst: fc.boolean(),
  fused: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

const INPUT = 3;
const HIDDEN = 4;

function makeLayer(c: PaddedCase): LSTM | GRU {
  const options = {
    inputSize: INPUT,
    hiddenSize: HIDDEN,
    numLayers: c.numLayers,
    bidirectional: c.bidirectional,
    batchFirst: c.batchFirst,
    seed: c.seed,
    fused: c.fused,
  };
  if (c.kind === 'GRU') return new GRU(options);
  return new LSTM({ ...options, projSize: c.kind === 'projected LSTM' ? 2 : 0 });
}

/** Deterministic values in [-1, 1) for sequence b (the suite's own, not the engine's stream). */
function sequence(c: PaddedCase, b: number): Tensor {
  const length = c.lengths[b]!;
  return tensor(
    Float32Array.from({ length: length * INPUT }, (_, i) => Math.sin(c.seed * 7.1 + b * 3.3 + i * 1.7)),
    { shape: [length, INPUT] },
  );
}

/** The results (output and final states) and every parameter's gradient of a linear loss. */
function run(layer: LSTM | GRU, x: Tensor, c: PaddedCase): Tensor[] {
  const results = tidy(() => {
    const out = layer.forward(x, { lengths: [...c.lengths] });
    const states = layer instanceof LSTM ? [out.h, (out as LSTMResult).c] : [out.h];
    // Weights that vary by position, so a gradient that moved between steps would show.
    const weights = tensor(
      Float32Array.from({ length: out.output.size }, (_, i) => Math.cos(i * 0.37)),
      { shape: [...out.output.shape] },
    );
    states.reduce((total, state) => add(total, sum(state)), sum(mul(out.output, weights))).backward();
    return [out.output, ...states];
  });
  const grads = layer.parameters().map((p) => {
    const g = p.grad!;
    p.grad = null;
    return g;
  });
  return [...results, ...grads];
}

/** Runs one case: zero padding and `fill` padding give the same finite results and gradients. */
export async function paddedCase(ctx: SuiteContext, c: PaddedCase): Promise<void> {
  const before = memory();
  const parts = c.lengths.map((_, b) => sequence(c, b));
  const clean = padSequence(parts, { batchFirst: c.batchFirst }).padded;
  const dirty = padSequence(parts, { batchFirst: c.batchFirst, paddingValue: c.fill }).padded;
  const reference = makeLayer(c);
  const padded = makeLayer(c);
  const names = ['output', ...(c.kind === 'GRU' ? ['h'] : ['h', 'c']), ...padded.namedParameters().map(([name]) => `gradient of ${name}`)];
  let want: Tensor[] = [];
  let got: Tensor[] = [];
  try {
    want = run(reference, clean, c);
    got = run(padded, dirty, c);
    for (const [i, t] of got.entries()) {
      const label = `${names[i]!} with ${String(c.fill)} padding`;
      const values = await t.data();
      const bad = Array.from(values).findIndex((v) => !Number.isFinite(v));
      expect(bad, `${label}: element ${bad} is ${String(values[bad])}`).toBe(-1);
      await expectSame(ctx, t, want[i], label);
    }
  } finally {
    dispose([parts, clean, dirty, want, got]);
    reference.dispose();
    padded.dispose();
  }
  expect(memory().numTensors, 'live tensors after the case').toBe(before.numTensors);
}

/**
 * The recurrences PyTorch has no module for, which therefore have no PyTorch fixtures: GRU with
 * `linearBeforeReset: false` (ONNX's default form) and LSTM with peepholes (ONNX's `P`), on the
 * backend under test. Outputs and final states are checked against the float64 reference of
 * recurrent-reference.ts, and the gradient of every input, initial state and parameter against
 * central differences of that reference (float64, step 1e-6: error ~1e-9, far below float32's).
 * One and two layers, both directions, lengths, initial states and a projection. The layers run
 * the composite step loop whatever `fused` says (no sequence kernel has these forms).
 */
import { GRU, LSTM, type LSTMResult } from '@gated/lstm';
import { add, dispose, mul, sum, tensor, tidy, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import { mismatches } from '../../harness/compare.js';
import type { SuiteContext } from '../../harness/context.js';
import type { Rng } from '../../harness/rng.js';
import { NDArray } from '../../reference/index.js';
import { referenceForward, type ReferenceConfig, type ReferenceInputs } from './recurrent-reference.js';

/** Agreement of float32 results with the float64 reference: 1e-5 of each tensor's largest magnitude, at least 2e-6. */
const RELATIVE = 1e-5;
const FLOOR = 2e-6;
/** Central-difference step (float64). */
const STEP = 1e-6;

interface Case extends Omit<ReferenceConfig, 'steps' | 'batch'> {
  readonly label: string;
  readonly lengths: readonly number[] | null;
}

const STEPS = 5;
const BATCH = 3;
const CASES: readonly Case[] = [
  {
    label: 'GRU, linearBeforeReset false, one layer',
    cell: 'gru_reset_before',
    inputSize: 3,
    hiddenSize: 4,
    projSize: 0,
    numLayers: 1,
    bidirectional: false,
    lengths: null,
  },
  {
    label: 'GRU, linearBeforeReset false, two layers, bidirectional, lengths',
    cell: 'gru_reset_before',
    inputSize: 2,
    hiddenSize: 3,
    projSize: 0,
    numLayers: 2,
    bidirectional: true,
    lengths: [5, 2, 4],
  },
  {
    label: 'LSTM with peepholes, one layer',
    cell: 'lstm_peephole',
    inputSize: 3,
    hiddenSize: 4,
    projSize: 0,
    numLayers: 1,
    bidirectional: false,
    lengths: null,
  },
  {
    label: 'LSTM with peepholes, two layers, bidirectional, lengths',
    cell: 'lstm_peephole',
    inputSize: 2,
    hiddenSize: 3,
    projSize: 0,
    numLayers: 2,
    bidirectional: true,
    lengths: [3, 5, 1],
  },
  {
    label: 'LSTM with peepholes and a projection, bidirectional',
    cell: 'lstm_peephole',
    inputSize: 2,
    hiddenSize: 4,
    projSize: 2,
    numLayers: 1,
    bidirectional: true,
    lengths: [4, 5, 2],
  },
];

function build(c: Case): LSTM | GRU {
  const common = { inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: c.bidirectional, seed: 5 };
  return c.cell === 'gru_reset_before'
    ? new GRU({ ...common, linearBeforeReset: false })
    : new LSTM({ ...common, peepholes: true, projSize: c.projSize });
}

/** Float32 values (as float64) uniform in ±scale. */
function uniform(rng: Rng, count: number, scale: number): Float64Array {
  return Float64Array.from({ length: count }, () => rng.float(-scale, scale));
}

/** `Σ output·R + Σ h·R_h (+ Σ c·R_c)` of the reference. */
function referenceLoss(
  config: ReferenceConfig,
  params: Map<string, Float64Array>,
  inputs: ReferenceInputs,
  weights: readonly Float64Array[],
): number {
  const out = referenceForward(config, params, inputs);
  const parts = [out.output, out.h, ...(out.c ? [out.c] : [])];
  return parts.reduce((total, part, k) => part.reduce((s, v, i) => s + v * weights[k]![i]!, total), 0);
}

/** Central differences of the reference loss with respect to every entry of `target` (changed in place, then restored). */
function numericGradient(target: Float64Array, loss: () => number): Float64Array {
  const grad = new Float64Array(target.length);
  for (let i = 0; i < target.length; i++) {
    const keep = target[i]!;
    target[i] = keep + STEP;
    const up = loss();
    target[i] = keep - STEP;
    const down = loss();
    target[i] = keep;
    grad[i] = (up - down) / (2 * STEP);
  }
  return grad;
}

async function expectNear(ctx: SuiteContext, got: Tensor | null, want: Float64Array, label: string): Promise<void> {
  expect(got, `${label}: missing (no gradient reached it?)`).not.toBeNull();
  const values = await got!.data();
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const tolerance = ctx.tolerance(0, Math.max(FLOOR, RELATIVE * scale));
  expect(mismatches(values, NDArray.of(Array.from(want), [want.length]), tolerance, false), label).toBe('');
}

async function runCase(ctx: SuiteContext, rng: Rng, c: Case): Promise<void> {
  const config: ReferenceConfig = { ...c, steps: STEPS, batch: BATCH };
  const D = c.bidirectional ? 2 : 1;
  const P = c.projSize > 0 ? c.projSize : c.hiddenSize;
  const isLstm = c.cell === 'lstm_peephole';
  const model = build(c);
  const stateCount = c.numLayers * D * BATCH;
  const inputs = {
    x: uniform(rng, STEPS * BATCH * c.inputSize, 1),
    h0: uniform(rng, stateCount * P, 0.5),
    c0: isLstm ? uniform(rng, stateCount * c.hiddenSize, 0.5) : null,
    lengths: c.lengths,
  };
  const weights = [
    uniform(rng, STEPS * BATCH * D * P, 1),
    uniform(rng, stateCount * P, 1),
    ...(isLstm ? [uniform(rng, stateCount * c.hiddenSize, 1)] : []),
  ];
  const owned: Tensor[] = [];
  const leaf = (values: Float64Array, shape: number[]): Tensor => {
    const t = tensor(Float32Array.from(values), { shape });
    t.requiresGrad = true;
    owned.push(t);
    return t;
  };
  try {
    const params = new Map<string, Float64Array>();
    for (const [name, p] of model.namedParameters()) params.set(name, Float64Array.from(await p.data()));
    const x = leaf(inputs.x, [STEPS, BATCH, c.inputSize]);
    const h0 = leaf(inputs.h0, [c.numLayers * D, BATCH, P]);
    const c0 = inputs.c0 ? leaf(inputs.c0, [c.numLayers * D, BATCH, c.hiddenSize]) : null;
    const options = { h0, ...(c0 ? { c0 } : {}), ...(c.lengths ? { lengths: c.lengths } : {}) };
    const result = model instanceof LSTM ? model.forward(x, options) : model.forward(x, options);
    owned.push(...Object.values(result as unknown as Record<string, Tensor>));
    const states = [result.h, ...('c' in result ? [(result as LSTMResult).c] : [])];
    const loss = tidy(() =>
      [result.output, ...states].reduce<Tensor | null>((total, t, k) => {
        const term = sum(mul(t, tensor(Float32Array.from(weights[k]!), { shape: [...t.shape] })));
        return total ? add(total, term) : term;
      }, null)!,
    );
    owned.push(loss);
    loss.backward();

    const want = referenceForward(config, params, inputs);
    await expectNear(ctx, result.output, want.output, 'output');
    await expectNear(ctx, result.h, want.h, 'h_n');
    if (want.c) await expectNear(ctx, states[1]!, want.c, 'c_n');
    // The inputs are float32 values already; each is perturbed in float64 and restored.
    const lossOf = () => referenceLoss(config, params, inputs, weights);
    await expectNear(ctx, x.grad, numericGradient(inputs.x, lossOf), 'gradient of the input');
    await expectNear(ctx, h0.grad, numericGradient(inputs.h0, lossOf), 'gradient of h0');
    if (c0 && inputs.c0) await expectNear(ctx, c0.grad, numericGradient(inputs.c0, lossOf), 'gradient of c0');
    for (const [name, p] of model.namedParameters()) {
      await expectNear(ctx, p.grad, numericGradient(params.get(name)!, lossOf), `gradient of ${name}`);
    }
  } finally {
    for (const t of [...owned, ...model.parameters()]) {
      t.grad?.dispose();
      t.grad = null;
    }
    dispose(owned);
    model.dispose();
  }
}

export function variantsSuite(ctx: SuiteContext): void {
  ctx.describe('GRU linearBeforeReset false and LSTM peepholes against a float64 reference', (suite) => {
    for (const c of CASES) {
      suite.it(c.label, async (rng) => {
        await runCase(suite, rng, c);
      });
    }
  });
}

/**
 * NaN and Inf in the padded steps of a batch with lengths reach no output and no gradient
 * (issue #16, item 2): PyTorch's packed sequences never read padded steps, and neither may
 * Gated. Padding that holds NaN (`padSequence` with a NaN value, uninitialised buffers) must give
 * exactly the results of zero padding: the same outputs and states, the same gradient of every
 * parameter and initial state, and a zero input gradient on the padded steps. Checked through
 * the layers (LSTM, projected LSTM, GRU; bidirectional, two layers; fused kernels and
 * composite; the step loops of RNN, GRU with linearBeforeReset false and LSTM with peepholes) and through the sequence ops themselves (fused, composite, and the composite
 * differentiated op by op).
 */
import { GRU, LSTM, RNN, padSequence, type LSTMResult } from '@gated/lstm';
import { add, dispose, gruSequence, lstmSequence, mul, sum, tensor, tidy, type Tensor } from '@gated/tensor';
import { gruSequenceComposite, lstmSequenceComposite } from '@gated/tensor/internal';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';
import type { Rng } from '../../harness/rng.js';
import { expectSame, gruInputs, lstmInputs, random } from './sequence-helpers.js';

const LENGTHS = [5, 2, 4] as const;
const STEPS = 5;
const BATCH = 3;

/** Every value finite. */
async function expectFinite(t: Tensor, label: string): Promise<void> {
  const values = await t.data();
  const bad = Array.from(values).findIndex((v) => !Number.isFinite(v));
  expect(bad, `${label}: element ${bad} is ${String(values[bad])}`).toBe(-1);
}

/** The same sequences padded with 0 and with `fill` (`padSequence`, time-major [T, B, features]). */
function paddedPair(rng: Rng, features: number, fill: number): { clean: Tensor; dirty: Tensor } {
  const parts = LENGTHS.map((length) => random(rng, [length, features]));
  try {
    return { clean: padSequence(parts).padded, dirty: padSequence(parts, { paddingValue: fill }).padded };
  } finally {
    dispose(parts);
  }
}

type Layer = LSTM | GRU | RNN;

interface LayerRun {
  readonly results: Tensor[];
  readonly grads: Tensor[];
}

/** Forward with lengths and a linear loss of the output and final states; the results and every gradient (input first). */
function runLayer(layer: Layer, x: Tensor, r: Tensor): LayerRun {
  x.requiresGrad = true;
  const leaves = [x, ...layer.parameters()];
  const results = tidy(() => {
    const out = layer.forward(x, { lengths: [...LENGTHS] });
    const states = layer instanceof LSTM ? [out.h, (out as LSTMResult).c] : [out.h];
    const loss = states.reduce((total, state) => add(total, sum(state)), sum(mul(out.output, r)));
    loss.backward();
    return [out.output, ...states];
  });
  const grads = leaves.map((t) => t.grad!);
  for (const t of leaves) t.grad = null;
  return { results, grads };
}

/** The layers checked, each made twice with one seed (once per padding). */
const LAYERS: readonly { readonly label: string; readonly make: (fused: boolean) => Layer; readonly width: number }[] = [
  {
    label: 'LSTM, 2 layers, bidirectional',
    make: (fused) => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 7, fused }),
    width: 8,
  },
  {
    label: 'LSTM with a projection',
    make: (fused) => new LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2, bidirectional: true, seed: 8, fused }),
    width: 4,
  },
  {
    label: 'GRU, 2 layers, bidirectional',
    make: (fused) => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 9, fused }),
    width: 8,
  },
  // The composite step loops of the layers without a sequence op (`fused` changes nothing there).
  {
    label: 'RNN (relu), 2 layers, bidirectional',
    make: () => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, nonlinearity: 'relu', seed: 10 }),
    width: 8,
  },
  {
    label: 'GRU with linearBeforeReset false, bidirectional',
    make: (fused) => new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, linearBeforeReset: false, seed: 11, fused }),
    width: 8,
  },
  {
    label: 'LSTM with peepholes, bidirectional',
    make: (fused) => new LSTM({ inputSize: 3, hiddenSize: 4, bidirectional: true, peepholes: true, seed: 12, fused }),
    width: 8,
  },
];

async function layerCase(ctx: SuiteContext, rng: Rng, make: (fused: boolean) => Layer, width: number, fused: boolean): Promise<void> {
  for (const fill of [Number.NaN, Number.POSITIVE_INFINITY]) {
    const { clean, dirty } = paddedPair(rng, 3, fill);
    const r = random(rng, [STEPS, BATCH, width]);
    const reference = make(fused);
    const padded = make(fused);
    const want = runLayer(reference, clean, r);
    const got = runLayer(padded, dirty, r);
    try {
      for (const [i, t] of got.results.entries()) {
        await expectFinite(t, `result ${i} with ${String(fill)} padding`);
        await expectSame(ctx, t, want.results[i], `result ${i} with ${String(fill)} padding`);
      }
      for (const [i, t] of got.grads.entries()) {
        const what = i === 0 ? 'the input' : `parameter ${padded.namedParameters()[i - 1]![0]}`;
        await expectFinite(t, `gradient of ${what} with ${String(fill)} padding`);
        await expectSame(ctx, t, want.grads[i], `gradient of ${what} with ${String(fill)} padding`);
      }
    } finally {
      dispose([want, got, clean, dirty, r]);
      reference.dispose();
      padded.dispose();
    }
  }
}

/** inputGates of the ops with NaN on every padded step. */
function withNaNPadding(inputGates: Tensor, lengths: readonly number[]): Tensor {
  const [steps, batch, width] = inputGates.shape as [number, number, number];
  const mask = Uint8Array.from({ length: steps * batch * width }, (_, i) =>
    Math.floor(i / (batch * width)) < lengths[Math.floor(i / width) % batch]! ? 0 : 1,
  );
  return tidy(() =>
    add(
      inputGates,
      tensor(
        Float32Array.from(mask, (m) => (m ? Number.NaN : 0)),
        { shape: [steps, batch, width] },
      ),
    ),
  );
}

type OpRun = (leaves: readonly Tensor[], padded: Tensor) => Tensor;

/** The gradients of the leaves (the padded inputGates first) of a linear loss of one op's outputs. */
function opGradients(run: OpRun, leaves: readonly Tensor[], inputGates: Tensor): Tensor[] {
  const all = [inputGates, ...leaves];
  for (const t of all) t.requiresGrad = true;
  const loss = tidy(() => run(leaves, inputGates));
  loss.backward();
  loss.dispose();
  const grads = all.map((t) => t.grad!);
  for (const t of all) {
    t.grad = null;
    t.requiresGrad = false;
  }
  return grads;
}

export function paddingSuite(ctx: SuiteContext): void {
  ctx.describe('NaN and Inf in padded steps reach no gradient', (suite) => {
    for (const { label, make, width } of LAYERS) {
      for (const fused of [true, false]) {
        suite.it(`${label} (${fused ? 'default kernels' : 'composite'})`, async (rng) => {
          await layerCase(suite, rng, make, width, fused);
        });
      }
    }

    suite.it('the sequence ops: fused, composite and the composite differentiated op by op', async (rng) => {
      const lengths = [...LENGTHS];
      const lstm = lstmInputs(rng, STEPS, BATCH, 4, lengths, true, 3);
      const gru = gruInputs(rng, STEPS, BATCH, 4, lengths, false);
      const rLstm = random(rng, [STEPS, BATCH, 3]);
      const rGru = random(rng, [STEPS, BATCH, 4]);
      const lstmRuns: Record<string, OpRun> = {
        fused: ([w, h0, c0, wr], ig) =>
          sum(mul(lstmSequence({ ...lstm, inputGates: ig, weightHh: w!, h0: h0!, c0: c0!, weightHr: wr! }).output, rLstm)),
        composite: ([w, h0, c0, wr], ig) =>
          sum(
            mul(lstmSequence({ ...lstm, inputGates: ig, weightHh: w!, h0: h0!, c0: c0!, weightHr: wr! }, { fused: false }).output, rLstm),
          ),
        'composite, op by op': ([w, h0, c0, wr], ig) =>
          sum(mul(lstmSequenceComposite({ ...lstm, inputGates: ig, weightHh: w!, h0: h0!, c0: c0!, weightHr: wr! }).output, rLstm)),
      };
      const gruRuns: Record<string, OpRun> = {
        fused: ([w, b, h0], ig) => sum(mul(gruSequence({ ...gru, inputGates: ig, weightHh: w!, biasHn: b!, h0: h0! }).output, rGru)),
        composite: ([w, b, h0], ig) =>
          sum(mul(gruSequence({ ...gru, inputGates: ig, weightHh: w!, biasHn: b!, h0: h0! }, { fused: false }).output, rGru)),
        'composite, op by op': ([w, b, h0], ig) =>
          sum(mul(gruSequenceComposite({ ...gru, inputGates: ig, weightHh: w!, biasHn: b!, h0: h0! }).output, rGru)),
      };
      const cases = [
        { op: 'lstmSequence', runs: lstmRuns, leaves: [lstm.weightHh, lstm.h0, lstm.c0, lstm.weightHr!], inputGates: lstm.inputGates },
        { op: 'gruSequence', runs: gruRuns, leaves: [gru.weightHh, gru.biasHn!, gru.h0], inputGates: gru.inputGates },
      ];
      try {
        for (const { op, runs, leaves, inputGates } of cases) {
          const dirty = withNaNPadding(inputGates, lengths);
          try {
            for (const [how, run] of Object.entries(runs)) {
              const want = opGradients(run, leaves, inputGates);
              const got = opGradients(run, leaves, dirty);
              try {
                for (const [i, grad] of got.entries()) {
                  await expectFinite(grad, `${op} (${how}): gradient ${i}`);
                  await expectSame(ctx, grad, want[i], `${op} (${how}): gradient ${i}`);
                }
              } finally {
                dispose([want, got]);
              }
            }
          } finally {
            dirty.dispose();
          }
        }
      } finally {
        dispose([lstm, gru, rLstm, rGru]);
      }
    });
  });
}

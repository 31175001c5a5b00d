/**
 * The inspector's numbers against an independent float64 forward pass of the same weights
 * (test/reference), and its saliency against central finite differences of that reference.
 */
import { memory } from '@gated/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { CharModel } from '../src/core/char-model.js';
import { DEFAULT_TEXT } from '../src/core/default-text.js';
import { embeddedRows, layerWeights, saliency, stepBreakdown, traceText } from '../src/core/inspect.js';
import { referenceModel, type ReferenceModel } from './reference/char-lstm-f64.js';
import { useTs } from './setup-ts.js';

const chars = [...new Set(DEFAULT_TEXT)].sort().join('');
let model: CharModel;
let reference: ReferenceModel;

beforeAll(async () => {
  await useTs();
  model = new CharModel({ chars, embedSize: 6, hiddenSize: 10, numLayers: 2 }, 9);
  reference = referenceModel(await model.toSafetensors());
});

describe('the inspector', () => {
  test('every gate, cell and hidden value of every layer and step equals the float64 reference', async () => {
    const trace = await traceText(model, DEFAULT_TEXT);
    const want = reference.run(DEFAULT_TEXT).steps;
    const H = 10;
    let worst = 0;
    for (let l = 0; l < 2; l++) {
      const got = trace.layers[l]!;
      want[l]!.forEach((units, t) => {
        units.forEach((r, u) => {
          const at = t * H + u;
          for (const [a, b] of [
            [got.input[at]!, r.gates.i],
            [got.forget[at]!, r.gates.f],
            [got.candidate[at]!, r.gates.g],
            [got.output[at]!, r.gates.o],
            [got.cell[at]!, r.c],
            [got.hidden[at]!, r.h],
          ] as const) {
            worst = Math.max(worst, Math.abs(a - b));
          }
        });
      });
    }
    expect(worst).toBeLessThan(2e-6);
    const logits = reference.run(DEFAULT_TEXT).logits;
    const top = [...logits.keys()].sort((a, b) => logits[b]! - logits[a]!)[0]!;
    expect(trace.next[0]!.char).toBe(Array.from(chars)[top]);
  });

  test('one step written out: pre-activations from the weights, gates from the backend, the cell update', async () => {
    const trace = await traceText(model, DEFAULT_TEXT);
    const embedded = await embeddedRows(model, DEFAULT_TEXT);
    const want = reference.run(DEFAULT_TEXT).steps;
    for (const [layer, t, unit] of [
      [0, 0, 0],
      [1, 30, 7],
      [1, Array.from(DEFAULT_TEXT).length - 1, 9],
    ] as const) {
      const step = stepBreakdown(trace, embedded, await layerWeights(model, layer), layer, t, unit);
      const r = want[layer]![t]![unit]!;
      for (const k of ['i', 'f', 'g', 'o'] as const) {
        expect(step.z[k]).toBeCloseTo(r.z[k], 5);
        expect(step.gates[k]).toBeCloseTo(r.gates[k], 6);
      }
      expect(step.cPrev).toBeCloseTo(r.cPrev, 6);
      expect(step.c).toBeCloseTo(step.gates.f * step.cPrev + step.gates.i * step.gates.g, 6);
      expect(step.h).toBeCloseTo(step.gates.o * Math.tanh(step.c), 6);
    }
    expect(() =>
      stepBreakdown(
        trace,
        embedded,
        { weightIh: new Float32Array(0), weightHh: new Float32Array(0), bias: new Float64Array(0), inputSize: 6 },
        0,
        999,
        0,
      ),
    ).toThrow(/out of range/);
  });

  test('saliency is the gradient norm of log p(predicted) per input, as finite differences of the reference give it', async () => {
    const text = DEFAULT_TEXT.slice(0, 24);
    const live = memory().numTensors;
    const { predicted, norms } = await saliency(model, text);
    expect(memory().numTensors).toBe(live);
    const inputs = reference.embed(text);
    const logits = reference.logitsFrom(inputs);
    const target = [...logits.keys()].sort((a, b) => logits[b]! - logits[a]!)[0]!;
    expect(predicted).toBe(Array.from(chars)[target]);
    const logp = (xs: Float64Array[]) => {
      const z = reference.logitsFrom(xs);
      const m = Math.max(...z);
      return z[target]! - m - Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    };
    const eps = 1e-5;
    for (const t of [0, 10, inputs.length - 1]) {
      let sq = 0;
      for (let k = 0; k < inputs[t]!.length; k++) {
        const plus = inputs.map((x) => Float64Array.from(x));
        const minus = inputs.map((x) => Float64Array.from(x));
        plus[t]![k]! += eps;
        minus[t]![k]! -= eps;
        sq += ((logp(plus) - logp(minus)) / (2 * eps)) ** 2;
      }
      const want = Math.sqrt(sq);
      expect(Math.abs(norms[t]! - want), `step ${t}`).toBeLessThan(1e-4 + 1e-3 * want);
    }
  });
});

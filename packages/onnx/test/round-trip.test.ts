/**
 * Gated → ONNX → Gated is exact: the imported model's outputs, and the gradients of a loss with
 * respect to its input and first layer's weights, equal the original's bit for bit; then a few
 * steps of training move the imported model's loss down.
 */
import { Embedding, GRU, LSTM, Linear, RNN, ReLU, Sequential, type Layer } from '@gated/lstm';
import { dispose, memory, mul, sub, sum, tensor, tidy, type Tensor } from '@gated/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, importOnnx, type ExportOnnxOptions, type ExportableLayer, type OnnxFeed } from '../src/index.js';
import { initialStates, randomTensor, useTsBackend } from './helpers.js';

beforeAll(useTsBackend);

interface Case {
  readonly name: string;
  readonly make: () => ExportableLayer[];
  readonly input: () => Tensor;
  readonly options: ExportOnnxOptions;
  readonly lengths?: number[];
  readonly states?: boolean;
}

const CASES: Case[] = [
  {
    name: 'LSTM, two layers, bidirectional, lengths and initial states',
    make: () => [new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 1 })],
    input: () => randomTensor(1, [5, 3, 3]),
    options: { inputShape: [5, 3, 3], lengths: true, initialStates: true },
    lengths: [5, 2, 4],
    states: true,
  },
  {
    name: 'GRU, batch-first, written with layout = 1',
    make: () => [new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, batchFirst: true, seed: 2 })],
    input: () => randomTensor(2, [2, 6, 3]),
    options: { inputShape: [2, 6, 3], batchFirstLayout: 'attribute', initialStates: true },
    states: true,
  },
  {
    name: 'LSTM, batch-first with Transposes, lengths',
    make: () => [new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, numLayers: 2, seed: 3 })],
    input: () => randomTensor(3, [3, 4, 2]),
    options: { inputShape: [3, 4, 2], lengths: true },
    lengths: [1, 4, 3],
  },
  {
    name: 'RNN (relu), two layers, bidirectional, lengths and initial states',
    make: () => [new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, nonlinearity: 'relu', seed: 11 })],
    input: () => randomTensor(11, [5, 3, 3]),
    options: { inputShape: [5, 3, 3], lengths: true, initialStates: true },
    lengths: [5, 2, 4],
    states: true,
  },
  {
    name: 'GRU with linearBeforeReset false, bidirectional, lengths',
    make: () => [new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, linearBeforeReset: false, seed: 12 })],
    input: () => randomTensor(12, [5, 3, 3]),
    options: { inputShape: [5, 3, 3], lengths: true },
    lengths: [3, 5, 1],
  },
  {
    name: 'LSTM with peepholes, two layers, batch-first (layout = 1), initial states',
    make: () => [new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, batchFirst: true, peepholes: true, seed: 13 })],
    input: () => randomTensor(13, [2, 6, 3]),
    options: { inputShape: [2, 6, 3], batchFirstLayout: 'attribute', initialStates: true },
    states: true,
  },
  {
    name: 'char-LM chain: Embedding → LSTM → Linear',
    make: () => [
      new Embedding(9, 5, { seed: 4 }),
      new LSTM({ inputSize: 5, hiddenSize: 6, batchFirst: true, seed: 5 }),
      new Linear(6, 9, { seed: 6 }),
    ],
    input: () =>
      tensor(
        Int32Array.from({ length: 12 }, (_, i) => (i * 5) % 9),
        { shape: [2, 6], dtype: 'int32' },
      ),
    options: { inputShape: [2, 6] },
  },
  {
    name: 'Sequential MLP (Gemm)',
    make: () => [new Sequential(new Linear(3, 5, { seed: 7 }), new ReLU(), new Linear(5, 2, { seed: 8 })) as unknown as ExportableLayer],
    input: () => randomTensor(4, [4, 3]),
    options: { inputShape: [4, 3] },
  },
];

/** The original chain's output and final states (a recurrent layer passing on its output). */
function runOriginal(
  layers: readonly ExportableLayer[],
  x: Tensor,
  lengths: number[] | undefined,
  states: { h0: Tensor; c0: Tensor | null } | null,
): Tensor[] {
  return tidy(() => {
    let value = x;
    const out: Tensor[] = [];
    for (const layer of layers) {
      if (layer instanceof LSTM || layer instanceof GRU || layer instanceof RNN) {
        const forward = { ...(lengths ? { lengths } : {}), ...(states ? { h0: states.h0 } : {}), ...(states?.c0 ? { c0: states.c0 } : {}) };
        const result = layer instanceof LSTM ? layer.forward(value, forward) : layer.forward(value, forward);
        out.push(result.h, ...('c' in result ? [result.c as Tensor] : []));
        value = result.output;
      } else value = (layer as Layer).forward(value);
    }
    return [value, ...out];
  });
}

describe('Gated → ONNX → Gated', () => {
  for (const c of CASES) {
    it(`${c.name}: outputs and gradients are exact`, async () => {
      const layers = c.make();
      const x = c.input();
      const recurrent = layers.find((l): l is LSTM | GRU | RNN => l instanceof LSTM || l instanceof GRU || l instanceof RNN);
      const states = c.states && recurrent ? initialStates(recurrent, x.shape[recurrent.batchFirst ? 0 : 1]!, 9) : null;
      const model = importOnnx(await exportOnnx(layers, c.options));
      const feeds: Record<string, OnnxFeed> = {};
      if (c.lengths) feeds['lengths'] = c.lengths;
      if (states) {
        feeds['h0'] = states.h0;
        if (states.c0) feeds['c0'] = states.c0;
      }
      const expected = runOriginal(layers, x, c.lengths, states);
      const outputs = model.run({ input: x, ...feeds });
      expect(Object.keys(outputs)).toEqual(model.outputNames);
      const got = model.outputNames.map((name) => outputs[name]!);
      expect(got.length).toBe(expected.length);
      for (let k = 0; k < got.length; k++) {
        expect(got[k]!.shape).toEqual(expected[k]!.shape);
        expect(Array.from(await got[k]!.data())).toEqual(Array.from(await expected[k]!.data()));
      }
      // Gradients of the same loss with respect to the float input and the first layer's first weight.
      const weight = (m: { namedParameters(): [string, Tensor][] }) => m.namedParameters()[0]![1];
      const originalWeight = weight(layers[0] instanceof Sequential ? layers[0].layers[0]! : layers[0]!);
      const importedWeight = weight([...model.layers.values()][0]!);
      if (x.dtype === 'float32') x.requiresGrad = true;
      const gradients = async (run: () => Tensor, w: Tensor): Promise<number[][]> => {
        const loss = tidy(() => {
          const out = run();
          return sum(mul(out, out));
        });
        loss.backward();
        loss.dispose();
        const values = [Array.from(await w.grad!.data()), x.grad ? Array.from(await x.grad.data()) : []];
        dispose([w.grad, x.grad]);
        w.grad = null;
        x.grad = null;
        return values;
      };
      const g1 = await gradients(() => runOriginal(layers, x, c.lengths, states)[0]!, originalWeight);
      const g2 = await gradients(() => model.run({ input: x, ...feeds })['output']!, importedWeight);
      expect(g1[0]!.length).toBeGreaterThan(0);
      expect(g2).toEqual(g1);
      dispose([x, expected, outputs, states?.h0, states?.c0 ?? undefined]);
      model.dispose();
      for (const l of layers) l.dispose();
    });
  }

  it('an imported model trains: plain gradient steps lower its loss, and nothing leaks', async () => {
    const before = memory().numTensors;
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 3 });
    const head = new Linear(4, 1, { seed: 4 });
    const model = importOnnx(await exportOnnx([lstm, head], { inputShape: [5, 2, 3] }));
    lstm.dispose();
    head.dispose();
    const x = randomTensor(5, [5, 2, 3]);
    const lossOf = () =>
      tidy(() => {
        const y = model.forward(x);
        return sum(mul(sub(y, 0.5), sub(y, 0.5)));
      });
    const first = lossOf();
    const initial = await first.item();
    first.dispose();
    for (let step = 0; step < 20; step++) {
      const loss = lossOf();
      loss.backward();
      loss.dispose();
      for (const p of model.parameters()) {
        const next = tidy(() => sub(p, mul(p.grad!, 0.05)));
        p.assign(next);
        next.dispose();
      }
      model.zeroGrad();
    }
    const last = lossOf();
    expect(await last.item()).toBeLessThan(initial * 0.5);
    dispose([last, x]);
    model.dispose();
    expect(memory().numTensors).toBe(before);
  });
});

/**
 * Chains (Embedding → recurrent → Linear, MLPs as a Sequential, two recurrent layers) exported
 * and run in onnxruntime-node agree with Gated to 1e-5 relative; what cannot be exported is
 * refused by name.
 */
import { GatedError } from '@gated/backend-api';
import { Dropout, Embedding, GRU, LSTM, Linear, LSTMCell, ReLU, Sequential, Sigmoid, Tanh, type Layer } from '@gated/lstm';
import { dispose, tensor, tidy, type Tensor } from '@gated/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, MAX_OPSET, MIN_OPSET, type ExportableLayer } from '../src/index.js';
import { expectClose, randomTensor, runOrt, useTsBackend } from './helpers.js';

beforeAll(useTsBackend);

/** Gated's forward pass of a chain, a recurrent layer passing on its output. */
function runChain(
  layers: readonly ExportableLayer[],
  x: Tensor,
  options: { lengths?: number[]; states?: Tensor[][] } = {},
): { output: Tensor; states: Tensor[] } {
  return tidy(() => {
    let value = x;
    const states: Tensor[] = [];
    let r = 0;
    for (const layer of layers) {
      if (layer instanceof LSTM || layer instanceof GRU) {
        const [h0, c0] = options.states?.[r++] ?? [];
        const forward = { ...(options.lengths ? { lengths: options.lengths } : {}), ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}) };
        const result = layer instanceof LSTM ? layer.forward(value, forward) : layer.forward(value, forward);
        states.push(result.h, ...('c' in result ? [result.c as Tensor] : []));
        value = result.output;
      } else value = (layer as Layer).forward(value);
    }
    return { output: value, states };
  });
}

function ids(seed: number, shape: number[], vocab: number): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Int32Array.from({ length: count }, (_, i) => (i * 7 + seed * 3) % vocab),
    { shape, dtype: 'int32' },
  );
}

describe('exportOnnx: chains in onnxruntime-node', () => {
  it('Embedding → LSTM (batch-first) → Dropout → Linear, int32 and int64 ids, lengths and initial states', async () => {
    const layers = [
      new Embedding(11, 6, { seed: 1, paddingIdx: 0 }),
      new LSTM({ inputSize: 6, hiddenSize: 8, batchFirst: true, seed: 2 }),
      new Dropout(0.3),
      new Linear(8, 11, { seed: 3 }),
    ];
    for (const l of layers) l.eval();
    const x = ids(1, [3, 7], 11);
    const h0 = randomTensor(4, [1, 3, 8]);
    const c0 = randomTensor(5, [1, 3, 8]);
    const lengths = [7, 4, 5];
    const expected = runChain(layers, x, { lengths, states: [[h0, c0]] });
    for (const idsType of ['int32', 'int64'] as const) {
      const bytes = await exportOnnx(layers, { inputShape: [1, 4], idsType, lengths: true, initialStates: true });
      const data = (await x.data()) as Int32Array;
      const got = await runOrt(bytes, {
        input: { data: idsType === 'int32' ? data : BigInt64Array.from(data, BigInt), shape: [3, 7] },
        lengths: { data: Int32Array.from(lengths), shape: [3] },
        h0: { data: (await h0.data()) as Float32Array, shape: [1, 3, 8] },
        c0: { data: (await c0.data()) as Float32Array, shape: [1, 3, 8] },
      });
      expect(got['output']!.dims).toEqual([3, 7, 11]);
      expectClose(got['output']!.data, await expected.output.data());
      expectClose(got['hn']!.data, await expected.states[0]!.data());
      expectClose(got['cn']!.data, await expected.states[1]!.data());
    }
    dispose([x, h0, c0, expected]);
    for (const l of layers) l.dispose();
  });

  for (const opset of [MIN_OPSET, 17, MAX_OPSET]) {
    it(`a Sequential MLP (Gemm, ReLU, Tanh, Sigmoid) at opset ${opset}`, async () => {
      const mlp = new Sequential(
        new Linear(4, 8, { seed: 1 }),
        new ReLU(),
        new Linear(8, 5, { seed: 2 }),
        new Tanh(),
        new Linear(5, 2, { seed: 3, bias: false }),
        new Sigmoid(),
      );
      const x = randomTensor(9, [6, 4]);
      const expected = mlp.forward(x);
      const bytes = await exportOnnx(mlp, { inputShape: [2, 4], opset });
      const got = await runOrt(bytes, { input: { data: (await x.data()) as Float32Array, shape: [6, 4] } });
      expectClose(got['output']!.data, await expected.data());
      dispose([x, expected]);
      mlp.dispose();
    });
  }

  it('two recurrent layers (LSTM → GRU → Linear on 3-D input), each with its own states', async () => {
    const layers = [
      new LSTM({ inputSize: 3, hiddenSize: 5, bidirectional: true, seed: 1 }),
      new GRU({ inputSize: 10, hiddenSize: 4, numLayers: 2, seed: 2 }),
      new Linear(4, 2, { seed: 3 }),
    ];
    const x = randomTensor(1, [6, 2, 3]);
    const states = [[randomTensor(2, [2, 2, 5]), randomTensor(3, [2, 2, 5])], [randomTensor(4, [2, 2, 4])]];
    const expected = runChain(layers, x, { states });
    const bytes = await exportOnnx(layers, { inputShape: [6, 2, 3], initialStates: true });
    const feed = async (t: Tensor) => ({ data: (await t.data()) as Float32Array, shape: t.shape });
    const got = await runOrt(bytes, {
      input: await feed(x),
      h0_0: await feed(states[0]![0]!),
      c0_0: await feed(states[0]![1]!),
      h0_1: await feed(states[1]![0]!),
    });
    expectClose(got['output']!.data, await expected.output.data());
    expectClose(got['hn_0']!.data, await expected.states[0]!.data());
    expectClose(got['cn_0']!.data, await expected.states[1]!.data());
    expectClose(got['hn_1']!.data, await expected.states[2]!.data());
    dispose([x, states, expected]);
    for (const l of layers) l.dispose();
  });

  it('static sizes with dynamicAxes {}', async () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const bytes = await exportOnnx(lstm, { inputShape: [4, 1, 2], dynamicAxes: {} });
    await expect(runOrt(bytes, { input: { data: new Float32Array(5 * 2), shape: [5, 1, 2] } })).rejects.toThrow(
      /dimension|Got invalid dimensions/i,
    );
    const ok = await runOrt(bytes, { input: { data: new Float32Array(4 * 2), shape: [4, 1, 2] } });
    expect(ok['output']!.dims).toEqual([4, 1, 3]);
    lstm.dispose();
  });
});

describe('exportOnnx: refusals', () => {
  const lstm = (options: Partial<ConstructorParameters<typeof LSTM>[0]> = {}) =>
    new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1, ...options });
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    [
      'a projected LSTM (decision 0016)',
      () => exportOnnx(lstm({ projSize: 2 }), { inputShape: [2, 1, 3] }),
      /projSize 2 has no ONNX form.*0016/,
    ],
    [
      'a module it does not know',
      () => exportOnnx([new LSTMCell({ inputSize: 3, hiddenSize: 4 }) as never], { inputShape: [1, 3] }),
      /layer 0 is a LSTMCell/,
    ],
    [
      'an Embedding after the first layer',
      () => exportOnnx([new Linear(3, 3), new Embedding(3, 2)], { inputShape: [1, 3] }),
      /an Embedding must be the first layer/,
    ],
    [
      'a size mismatch between layers',
      () => exportOnnx([lstm(), new Linear(5, 2)], { inputShape: [2, 1, 3] }),
      /layer 1 \(Linear\) expects \[\.\.\., 5\], its input is \[sequence, batch, 4\]/,
    ],
    ['an unbatched input', () => exportOnnx(lstm(), { inputShape: [2, 3] }), /expects a batched sequence \[T, B, 3\]/],
    [
      'a dynamic feature axis',
      () => exportOnnx(lstm(), { inputShape: [2, 1, 3], dynamicAxes: { 2: 'features' } }),
      /axis 2 .* is the feature axis/,
    ],
    ['an opset out of range', () => exportOnnx(lstm(), { inputShape: [2, 1, 3], opset: 13 }), /opset must be an integer in \[14, 24\]/],
    [
      'lengths without a recurrent layer',
      () => exportOnnx(new Linear(3, 2), { inputShape: [1, 3], lengths: true }),
      /lengths: true needs a recurrent layer/,
    ],
  ];
  for (const [name, run, message] of cases) {
    it(name, async () => {
      const error = await run().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GatedError);
      expect((error as Error).message).toMatch(message);
    });
  }
});

/** OnnxModel's own contract: feeds checked by name, dtype and shape; forward; ownership; disposal. */
import { GatedError } from '@gated/backend-api';
import { Dropout, LSTM } from '@gated/lstm';
import { dispose, memory, tensor } from '@gated/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, importOnnx, type OnnxModel } from '../src/index.js';
import { randomTensor, useTsBackend } from './helpers.js';

let model: OnnxModel;

beforeAll(async () => {
  await useTsBackend();
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
  model = importOnnx(await exportOnnx(lstm, { inputShape: [5, 2, 3], lengths: true }));
  lstm.dispose();
});

describe('OnnxModel', () => {
  it('describes its inputs, outputs and layers', () => {
    expect(model.inputs).toEqual([
      { name: 'input', type: 'float', shape: [null, null, 3] },
      { name: 'lengths', type: 'int', shape: [null] },
    ]);
    expect(model.outputNames).toEqual(['output', 'hn', 'cn']);
    expect([...model.layers.keys()]).toEqual(['lstm0']);
    expect(model.namedParameters().map(([name]) => name)).toEqual([
      'lstm0.weight_ih_l0',
      'lstm0.weight_hh_l0',
      'lstm0.bias_ih_l0',
      'lstm0.bias_hh_l0',
    ]);
  });

  it('checks feeds by name, dtype and shape', () => {
    const x = randomTensor(1, [4, 2, 3]);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ input: x }, /input lengths is missing/],
      [{ input: x, lengths: [4, 4], extra: x }, /unknown input extra; the model's inputs are input, lengths/],
      [{ input: tensor(Int32Array.of(1), { shape: [1, 1, 1], dtype: 'int32' }), lengths: [1] }, /input input must be float32, got int32/],
      [
        { input: randomTensor(2, [4, 2, 5]), lengths: [4, 4] },
        /input input must have shape \[\?, \?, 3\] \(\? = any size\), got \[4,2,5\]/,
      ],
      [{ input: x, lengths: [4.5, 1] }, /input lengths must hold integers/],
      [{ input: new Float32Array(24), lengths: [4, 4] }, /input input \[\?, \?, 3\] must be a Tensor/],
    ];
    for (const [feeds, message] of bad) expect(() => model.run(feeds as never)).toThrow(message);
    dispose(x);
  });

  it('forward feeds the first input and returns the first output; the rest is freed', () => {
    const x = randomTensor(3, [4, 2, 3]);
    const before = memory().numTensors;
    const y = model.forward(x, { lengths: [4, 2] });
    expect(y.shape).toEqual([4, 2, 4]);
    y.dispose();
    expect(memory().numTensors).toBe(before);
    x.dispose();
  });

  it('hands back a fed tensor as a view the caller owns', async () => {
    // A Dropout alone exports as an Identity: the output is the input.
    const identity = importOnnx(await exportOnnx(new Dropout(0.5), { inputShape: [1, 2] }));
    const x = randomTensor(4, [3, 2]);
    const y = identity.forward(x);
    expect(y).not.toBe(x);
    expect(Array.from(await y.data())).toEqual(Array.from(await x.data()));
    y.dispose();
    expect(x.isDisposed).toBe(false);
    dispose(x);
    identity.dispose();
    expect(() => identity.run({})).toThrow(GatedError);
  });
});

/**
 * The three paths of docs/scale-out.md, each on the same PyTorch model (a two-layer bidirectional
 * nn.LSTM run on a padded batch with lengths; tooling/reference/onnx_fixtures.py):
 *   1. PyTorch → safetensors → a Gated LSTM: the outputs match PyTorch's;
 *   2. PyTorch → torch.onnx.export → importOnnx: the outputs match PyTorch's, and it fine-tunes;
 *   3. Gated → exportOnnx → ONNX Runtime: served outputs match Gated's.
 */
import { readFileSync } from 'node:fs';
import { LSTM, loadSafetensors } from '@gated/lstm';
import { dispose, mul, sum, tensor, tidy, type Tensor } from '@gated/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, importOnnx } from '../src/index.js';
import { gatedFeeds, loadFixture } from './fixtures.js';
import { expectClose, runOrt, useTsBackend } from './helpers.js';

beforeAll(useTsBackend);

const NAME = 'lstm_2layer_bidirectional_lengths';

function inputs(): { x: Tensor; lengths: number[]; fixture: ReturnType<typeof loadFixture>['fixture'] } {
  const { fixture } = loadFixture(NAME);
  const x = fixture.inputs['x']!;
  return { x: tensor(Float32Array.from(x.values), { shape: x.shape }), lengths: fixture.inputs['lengths']!.values, fixture };
}

describe('docs/scale-out.md', () => {
  it('1. train in PyTorch, load the weights here through safetensors', async () => {
    const { x, lengths, fixture } = inputs();
    const weights = loadSafetensors(new Uint8Array(readFileSync(new URL(`./fixtures/torch/${NAME}.safetensors`, import.meta.url))));
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true });
    lstm.loadStateDict(weights);
    lstm.eval();
    const { output, h, c } = lstm.forward(x, { lengths });
    expectClose(await output.data(), fixture.outputs['y']!.values);
    expectClose(await h.data(), fixture.outputs['h']!.values);
    expectClose(await c.data(), fixture.outputs['c']!.values);
    dispose([x, output, h, c, weights]);
    lstm.dispose();
  });

  it('2. train in PyTorch, load the whole model here through ONNX, and fine-tune it', async () => {
    const { bytes, fixture } = loadFixture(NAME);
    const model = importOnnx(bytes);
    expect([...model.layers.keys()]).toEqual(['lstm0', 'lstm1']);
    const feeds = gatedFeeds(fixture);
    const { y } = model.run(feeds);
    expectClose(await y!.data(), fixture.outputs['y']!.values);
    // One gradient step on the imported parameters changes the output: it trains.
    const loss = tidy(() => sum(mul(model.run(feeds)['y']!, 1)));
    loss.backward();
    loss.dispose();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    for (const p of model.parameters()) {
      const next = tidy(() => mul(p, 0.9));
      p.assign(next);
      next.dispose();
    }
    model.zeroGrad();
    const after = model.run(feeds)['y']!;
    expect(Array.from(await after.data())).not.toEqual(Array.from(await y!.data()));
    dispose([y, after, Object.values(feeds).filter((f) => !Array.isArray(f))]);
    model.dispose();
  });

  it('3. train here, serve with ONNX Runtime', async () => {
    const { x, lengths } = inputs();
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 5 });
    lstm.eval();
    const bytes = await exportOnnx(lstm, { inputShape: [6, 3, 3], lengths: true });
    const expected = lstm.forward(x, { lengths });
    const served = await runOrt(bytes, {
      input: { data: (await x.data()) as Float32Array, shape: x.shape },
      lengths: { data: Int32Array.from(lengths), shape: [lengths.length] },
    });
    expectClose(served['output']!.data, await expected.output.data());
    dispose([x, expected]);
    lstm.dispose();
  });
});

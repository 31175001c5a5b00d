/**
 * The ONNX recurrent forms PyTorch does not export, imported from files that Gated's exporter did
 * not write that way (each is a plain export edited at the protobuf level): a GRU with
 * `linear_before_reset = 0`, an LSTM with peepholes `P`, an RNN with `Relu`. onnxruntime-node runs
 * the same file; the imported Gated model must agree with it to 1e-5 relative, and the peephole
 * weights must land in Gated's order (p_i, p_f, p_o from ONNX's p_i, p_o, p_f).
 */
import { GRU, LSTM, RNN } from '@gated/lstm';
import { dispose, memory, type Tensor } from '@gated/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, importOnnx } from '../src/index.js';
import { intAttr, stringsAttr } from '../src/proto/build.js';
import { decodeModel, encodeModel } from '../src/proto/codec.js';
import type { ModelProto, NodeProto } from '../src/proto/types.js';
import { loadFixture } from './fixtures.js';
import { expectClose, randomTensor, runOrt, seeded, useTsBackend } from './helpers.js';

beforeAll(useTsBackend);

const HIDDEN = 4;
const INPUT = 3;
const SHAPE = [6, 3, INPUT];
const LENGTHS = [6, 2, 5];

function edited(bytes: Uint8Array, opType: string, edit: (node: NodeProto, model: ModelProto) => void): Uint8Array {
  const model = decodeModel('test', bytes);
  edit(
    model.graph!.node.find((n) => n.op_type === opType)!,
    model,
  );
  return encodeModel(model);
}

/** Runs `bytes` in onnxruntime-node and through importOnnx on the same input and lengths; compares every output. */
async function expectAgreement(bytes: Uint8Array, withLengths: boolean): Promise<void> {
  const x = randomTensor(21, SHAPE);
  const feeds: Parameters<typeof runOrt>[1] = { input: { data: (await x.data()) as Float32Array, shape: SHAPE } };
  if (withLengths) feeds['lengths'] = { data: Int32Array.from(LENGTHS), shape: [LENGTHS.length] };
  const want = await runOrt(bytes, feeds);
  const before = memory().numTensors;
  const model = importOnnx(bytes);
  const got = model.run({ input: x, ...(withLengths ? { lengths: LENGTHS } : {}) });
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [name, value] of Object.entries(want)) {
    expect(got[name]!.shape, name).toEqual(value.dims);
    expectClose(await got[name]!.data(), value.data);
  }
  dispose(Object.values(got));
  model.dispose();
  expect(memory().numTensors).toBe(before);
  x.dispose();
}

describe('importOnnx: ONNX forms PyTorch does not write, against onnxruntime-node', () => {
  it('GRU with linear_before_reset = 0 (bidirectional, lengths)', async () => {
    const gru = new GRU({ inputSize: INPUT, hiddenSize: HIDDEN, bidirectional: true, seed: 31 });
    const plain = await exportOnnx(gru, { inputShape: SHAPE, lengths: true });
    gru.dispose();
    const bytes = edited(plain, 'GRU', (node) => {
      node.attribute = [...node.attribute.filter((a) => a.name !== 'linear_before_reset'), intAttr('linear_before_reset', 0)];
    });
    const model = importOnnx(bytes);
    const layer = [...model.layers.values()][0];
    expect(layer).toBeInstanceOf(GRU);
    expect((layer as GRU).linearBeforeReset).toBe(false);
    model.dispose();
    await expectAgreement(bytes, true);
  });

  it('LSTM with peepholes P (bidirectional, lengths), weights in Gated order', async () => {
    const lstm = new LSTM({ inputSize: INPUT, hiddenSize: HIDDEN, bidirectional: true, seed: 32 });
    const plain = await exportOnnx(lstm, { inputShape: SHAPE, lengths: true });
    lstm.dispose();
    const peepholes = seeded(33, 2 * 3 * HIDDEN);
    const bytes = edited(plain, 'LSTM', (node, model) => {
      model.graph!.initializer.push({
        name: 'peepholes',
        dims: [2, 3 * HIDDEN],
        data_type: 1,
        float_data: Array.from(peepholes),
        int32_data: [],
        int64_data: [],
        double_data: [],
        uint64_data: [],
        string_data: [],
        external_data: [],
      });
      while (node.input.length < 7) node.input.push('');
      node.input.push('peepholes');
    });
    const model = importOnnx(bytes);
    const layer = [...model.layers.values()][0] as LSTM;
    expect(layer.peepholes).toBe(true);
    const block = (d: number, k: number) => Array.from(peepholes.subarray(d * 3 * HIDDEN + k * HIDDEN, d * 3 * HIDDEN + (k + 1) * HIDDEN));
    for (const d of [0, 1]) {
      const got = Array.from(await layer.layerParameters(0, d === 1).weightPeephole!.data());
      // ONNX: i, o, f; Gated: i, f, o.
      expect(got).toEqual([...block(d, 0), ...block(d, 2), ...block(d, 1)]);
    }
    model.dispose();
    await expectAgreement(bytes, true);
  });

  it('RNN with Relu (PyTorch file, activation changed)', async () => {
    const bytes = edited(loadFixture('rnn_tanh').bytes, 'RNN', (node) => {
      node.attribute = [...node.attribute.filter((a) => a.name !== 'activations'), stringsAttr('activations', ['Relu'])];
    });
    const model = importOnnx(bytes);
    expect(([...model.layers.values()][0] as RNN).nonlinearity).toBe('relu');
    model.dispose();
    const x = randomTensor(22, [5, 2, 3]);
    const want = await runOrt(bytes, { x: { data: (await x.data()) as Float32Array, shape: [5, 2, 3] } });
    const imported = importOnnx(bytes);
    const got = imported.run({ x });
    for (const [name, value] of Object.entries(want)) expectClose(await (got[name] as Tensor).data(), value.data);
    dispose([x, Object.values(got)]);
    imported.dispose();
  });
});

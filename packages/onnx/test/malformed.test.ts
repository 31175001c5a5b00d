/**
 * Bad files get a GatedError that says what is wrong, allocate nothing unbounded, and leave no
 * tensor behind: truncated or non-ONNX bytes, a wrong or unknown op, a missing initializer,
 * absurd or inconsistent dimensions, external data, foreign operator domains, attributes the
 * importer does not know, and the ONNX recurrent features Gated's layers have no form for
 * (refused by name: clip, input_forget, other activations, a lone reverse direction).
 */
import { GatedError } from '@gated/backend-api';
import { GRU, LSTM } from '@gated/lstm';
import { memory } from '@gated/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, importOnnx } from '../src/index.js';
import { intAttr, floatAttr, stringAttr, stringsAttr } from '../src/proto/build.js';
import { decodeModel, encodeModel } from '../src/proto/codec.js';
import type { ModelProto, NodeProto } from '../src/proto/types.js';
import { loadFixture } from './fixtures.js';
import { randomTensor, useTsBackend } from './helpers.js';

let lstmBytes: Uint8Array;
let gruBytes: Uint8Array;

beforeAll(async () => {
  await useTsBackend();
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 1 });
  lstmBytes = await exportOnnx(lstm, { inputShape: [5, 2, 3] });
  lstm.dispose();
  const gru = new GRU({ inputSize: 3, hiddenSize: 4, seed: 2 });
  gruBytes = await exportOnnx(gru, { inputShape: [5, 2, 3] });
  gru.dispose();
});

/** A copy of an exported model, changed by `edit`. */
function edited(bytes: Uint8Array, edit: (model: ModelProto) => void): Uint8Array {
  const model = decodeModel('test', bytes);
  edit(model);
  return encodeModel(model);
}

function firstNode(model: ModelProto, opType: string): NodeProto {
  return model.graph!.node.find((n) => n.op_type === opType)!;
}

function expectRefused(bytes: Uint8Array, message: RegExp): void {
  const before = memory().numTensors;
  let error: unknown = null;
  try {
    importOnnx(bytes).dispose();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GatedError);
  expect((error as Error).message).toMatch(message);
  expect(memory().numTensors).toBe(before);
}

describe('importOnnx: malformed files', () => {
  it('truncated at every tenth of its length', () => {
    for (let k = 1; k < 10; k++) {
      const cut = lstmBytes.subarray(0, Math.floor((lstmBytes.length * k) / 10));
      expectRefused(
        cut,
        /importOnnx: (not a valid ONNX file|.*needs \d+ bytes of data|.*reads ".*", which no initializer|the file has no graph|graph output)/,
      );
    }
  });

  it('an empty file, and bytes that are not ONNX', () => {
    expectRefused(new Uint8Array(0), /the file is empty/);
    expectRefused(new TextEncoder().encode('{"this": "is json"}'), /not a valid ONNX file/);
  });

  it('a length prefix claiming far more bytes than the file has', () => {
    // Field 7 (graph), wire type 2, then a varint length of 2^31: refused before any allocation.
    expectRefused(Uint8Array.of(0x3a, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00), /not a valid ONNX file/);
  });

  it('a wrong op', () => {
    expectRefused(
      edited(lstmBytes, (m) => (firstNode(m, 'LSTM').op_type = 'Conv')),
      /Conv node "lstm0\/layer0": op Conv is not supported \(supported: .*LSTM/,
    );
  });

  it('a missing initializer', () => {
    expectRefused(
      edited(lstmBytes, (m) => (m.graph!.initializer = m.graph!.initializer.filter((t) => t.name !== 'lstm0/layer0/R'))),
      /LSTM node "lstm0\/layer0" reads "lstm0\/layer0\/R", which no initializer, graph input or earlier node defines/,
    );
  });

  it('absurd dimensions', () => {
    expectRefused(
      edited(lstmBytes, (m) => (m.graph!.initializer[0]!.dims = [1000, 1000, 1000])),
      /initializer "lstm0\/layer0\/W" \[1000,1000,1000\] FLOAT \(1\) needs 4000000000 bytes of data, the file has 192/,
    );
    expectRefused(
      edited(lstmBytes, (m) => (m.graph!.initializer[0]!.dims = [2 ** 40, 2 ** 40, 2 ** 40])),
      /absurd dimensions/,
    );
    expectRefused(
      edited(lstmBytes, (m) => (m.graph!.initializer[0]!.dims = [-1, 4])),
      /invalid dimension -1/,
    );
  });

  it('weights of the wrong shape for the node', () => {
    expectRefused(
      edited(lstmBytes, (m) => {
        const w = m.graph!.initializer[0]!;
        w.dims = [1, 8, 6];
      }),
      /LSTM node "lstm0\/layer0": W \("lstm0\/layer0\/W"\) should be a float tensor \[1, 16, 6\], got float \[1, 8, 6\]/,
    );
  });

  it('a ConstantOfShape asking for more than the host limit', () => {
    const bytes = edited(lstmBytes, (m) => {
      const g = m.graph!;
      g.initializer.push({
        name: 'huge',
        dims: [2],
        data_type: 7,
        int64_data: [1 << 20, 1 << 20],
        float_data: [],
        int32_data: [],
        double_data: [],
        uint64_data: [],
        string_data: [],
        external_data: [],
      });
      g.node.push({ op_type: 'ConstantOfShape', name: 'zeros', input: ['huge'], output: ['z'], attribute: [] });
      g.output.push({ name: 'z' });
    });
    const model = importOnnx(bytes);
    const x = randomTensor(1, [5, 2, 3]);
    const before = memory().numTensors;
    expect(() => model.run({ input: x })).toThrow(
      /ConstantOfShape node "zeros": shape \[1048576,1048576\] has more than 67108864 elements: refused rather than allocated/,
    );
    expect(memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('external data, foreign domains, sparse initializers', () => {
    expectRefused(
      edited(lstmBytes, (m) => (m.graph!.initializer[0]!.data_location = 1)),
      /keeps its data in an external file/,
    );
    expectRefused(
      edited(lstmBytes, (m) => (firstNode(m, 'LSTM').domain = 'com.microsoft')),
      /operator domain "com\.microsoft"/,
    );
    expectRefused(
      edited(lstmBytes, (m) => (m.opset_import = [{ domain: 'ai.onnx.ml', version: 3 }])),
      /imports no ai\.onnx opset/,
    );
  });

  it('an attribute the importer does not know, or of the wrong type', () => {
    expectRefused(
      edited(lstmBytes, (m) => firstNode(m, 'LSTM').attribute.push(intAttr('flavour', 3))),
      /attribute flavour is not supported/,
    );
    expectRefused(
      edited(lstmBytes, (m) => (firstNode(m, 'LSTM').attribute = [stringAttr('hidden_size', '4')])),
      /attribute hidden_size should be INT, the file has STRING/,
    );
  });
});

describe('importOnnx: recurrent features Gated has no layer for are refused by name', () => {
  const lstm = (edit: (node: NodeProto, model: ModelProto) => void) =>
    edited(lstmBytes, (m) => {
      edit(firstNode(m, 'LSTM'), m);
    });
  it('clip', () => {
    expectRefused(
      lstm((n) => n.attribute.push(floatAttr('clip', 3))),
      /cell clipping \(the clip attribute\)/,
    );
  });
  it('input_forget', () => {
    expectRefused(
      lstm((n) => n.attribute.push(intAttr('input_forget', 1))),
      /input_forget = 1/,
    );
  });
  it('peepholes P of the wrong shape', () => {
    const withP = lstm((n) => {
      while (n.input.length < 7) n.input.push('');
      n.input.push(n.input[1]!);
    });
    expectRefused(withP, /P \(".*"\) should be a float tensor \[1, 12\], got float \[1, 16, 3\]/);
  });
  it('non-default activations', () => {
    expectRefused(
      lstm((n) => n.attribute.push(stringsAttr('activations', ['Relu', 'Tanh', 'Tanh']))),
      /activations \[Relu, Tanh, Tanh\]: only the default activations/,
    );
  });
  it('default activations spelled out are fine', () => {
    importOnnx(lstm((n) => n.attribute.push(stringsAttr('activations', ['Sigmoid', 'Tanh', 'Tanh'])))).dispose();
  });
  it('a lone reverse direction', () => {
    expectRefused(
      lstm((n) => (n.attribute = n.attribute.map((a) => (a.name === 'direction' ? stringAttr('direction', 'reverse') : a)))),
      /a lone reverse direction/,
    );
  });
  it('GRU with linear_before_reset neither 0 nor 1', () => {
    const gru = firstNodeOf(gruBytes, 'GRU');
    expectRefused(
      edited(
        gruBytes,
        (m) =>
          (firstNode(m, 'GRU').attribute = [
            ...gru.attribute.filter((a) => a.name !== 'linear_before_reset'),
            intAttr('linear_before_reset', 2),
          ]),
      ),
      /linear_before_reset must be 0 or 1, got 2/,
    );
  });
  it('RNN activations other than Tanh or Relu, or different per direction, and clip', () => {
    const rnn = loadFixture('rnn_tanh').bytes;
    const withRnn = (edit: (node: NodeProto) => void) =>
      edited(rnn, (m) => {
        edit(firstNode(m, 'RNN'));
      });
    // PyTorch writes activations = [Tanh]; they are replaced.
    const activations = (names: string[]) =>
      withRnn((n) => (n.attribute = [...n.attribute.filter((a) => a.name !== 'activations'), stringsAttr('activations', names)]));
    expectRefused(activations(['Sigmoid']), /RNN node .*activations \[Sigmoid\]: an RNN node needs the same activation, Tanh or Relu/);
    expectRefused(activations(['Tanh', 'Tanh']), /activations \[Tanh, Tanh\]: an RNN node needs the same activation/);
    importOnnx(activations(['Relu'])).dispose();
    expectRefused(
      withRnn((n) => n.attribute.push(floatAttr('clip', 2))),
      /RNN node .*cell clipping/,
    );
  });
});

function firstNodeOf(bytes: Uint8Array, opType: string): NodeProto {
  return firstNode(decodeModel('test', bytes), opType);
}

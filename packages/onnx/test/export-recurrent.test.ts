/**
 * Exported LSTM, GRU and RNN layers run in onnxruntime-node and agree with Gated's own forward
 * pass to 1e-5 relative: one and two layers, both directions, time- and batch-major, per-sequence
 * lengths, initial states, and batch/sequence sizes other than the export's example; also the
 * forms PyTorch lacks (GRU `linear_before_reset = 0`, LSTM peepholes `P`) and the RNN's relu.
 */
import { GRU, LSTM, RNN } from '@gated/lstm';
import { dispose, type Tensor } from '@gated/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../src/index.js';
import { expectClose, initialStates, randomTensor, runOrt, useTsBackend } from './helpers.js';

beforeAll(useTsBackend);

interface Case {
  readonly name: string;
  readonly kind: Kind;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly batchFirst: boolean;
  readonly bias?: boolean;
  readonly lengths?: readonly number[];
  readonly states?: boolean;
}

type Kind = 'lstm' | 'gru' | 'rnn' | 'rnn-relu' | 'gru-reset-before' | 'lstm-peepholes';

const CASES: Case[] = [];
for (const kind of ['lstm', 'gru', 'rnn', 'rnn-relu', 'gru-reset-before', 'lstm-peepholes'] as const) {
  CASES.push(
    { name: `${kind} one layer`, kind, numLayers: 1, bidirectional: false, batchFirst: false },
    {
      name: `${kind} two layers bidirectional, lengths and initial states`,
      kind,
      numLayers: 2,
      bidirectional: true,
      batchFirst: false,
      lengths: [5, 2, 4],
      states: true,
    },
    {
      name: `${kind} bidirectional batch-first with lengths`,
      kind,
      numLayers: 1,
      bidirectional: true,
      batchFirst: true,
      lengths: [3, 5, 1],
    },
    {
      name: `${kind} two layers batch-first, initial states, no bias`,
      kind,
      numLayers: 2,
      bidirectional: false,
      batchFirst: true,
      bias: false,
      states: true,
    },
    {
      name: `${kind} reverse-heavy: two layers bidirectional, all full lengths`,
      kind,
      numLayers: 2,
      bidirectional: true,
      batchFirst: false,
      lengths: [5, 5, 5],
    },
  );
}

function build(
  kind: Kind,
  options: {
    inputSize: number;
    hiddenSize: number;
    numLayers: number;
    bidirectional: boolean;
    batchFirst: boolean;
    bias: boolean;
    seed: number;
  },
): LSTM | GRU | RNN {
  switch (kind) {
    case 'lstm':
      return new LSTM(options);
    case 'lstm-peepholes':
      return new LSTM({ ...options, peepholes: true });
    case 'gru':
      return new GRU(options);
    case 'gru-reset-before':
      return new GRU({ ...options, linearBeforeReset: false });
    case 'rnn':
      return new RNN(options);
    case 'rnn-relu':
      return new RNN({ ...options, nonlinearity: 'relu' });
  }
}

const INPUT = 4;
const HIDDEN = 6;
// The export's example shape differs from the run's: batch and sequence axes are dynamic.
const RUN = { steps: 5, batch: 3 };

describe('exportOnnx: LSTM, GRU and RNN in onnxruntime-node', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const options = {
        inputSize: INPUT,
        hiddenSize: HIDDEN,
        numLayers: c.numLayers,
        bidirectional: c.bidirectional,
        batchFirst: c.batchFirst,
        bias: c.bias ?? true,
        seed: 11,
      };
      const module = build(c.kind, options);
      module.eval();
      const shape = c.batchFirst ? [RUN.batch, RUN.steps, INPUT] : [RUN.steps, RUN.batch, INPUT];
      const x = randomTensor(3, shape);
      const states = c.states ? initialStates(module, RUN.batch, 7) : null;
      const example = c.batchFirst ? [2, 7, INPUT] : [7, 2, INPUT];
      const bytes = await exportOnnx(module, { inputShape: example, lengths: c.lengths !== undefined, initialStates: c.states ?? false });

      const forward = {
        ...(c.lengths ? { lengths: c.lengths } : {}),
        ...(states ? { h0: states.h0 } : {}),
        ...(states?.c0 ? { c0: states.c0 } : {}),
      };
      const expected = module instanceof LSTM ? module.forward(x, forward) : module.forward(x, forward);
      const feeds: Parameters<typeof runOrt>[1] = { input: { data: (await x.data()) as Float32Array, shape } };
      if (c.lengths) feeds['lengths'] = { data: Int32Array.from(c.lengths), shape: [RUN.batch] };
      if (states) {
        feeds['h0'] = { data: (await states.h0.data()) as Float32Array, shape: states.h0.shape };
        if (states.c0) feeds['c0'] = { data: (await states.c0.data()) as Float32Array, shape: states.c0.shape };
      }
      const got = await runOrt(bytes, feeds);
      expect(got['output']!.dims).toEqual(expected.output.shape);
      expectClose(got['output']!.data, await expected.output.data());
      expect(got['hn']!.dims).toEqual(expected.h.shape);
      expectClose(got['hn']!.data, await expected.h.data());
      if ('c' in expected) expectClose(got['cn']!.data, await (expected.c as Tensor).data());
      else expect(got['cn']).toBeUndefined();
      dispose([x, expected, states?.h0, states?.c0 ?? undefined]);
      module.dispose();
    });
  }
});

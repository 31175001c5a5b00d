/**
 * Bad input to the layers (RNN and the step-loop forms included): each call throws a `GatedError` that names the module and the shapes,
 * and leaves memory as it found it (`expectGatedError` checks both).
 */
import { GRU, LSTM, LSTMCell, Linear, RNN, type RNNNonlinearity } from '@gated/lstm';
import { dispose, tensor, zeros } from '@gated/tensor';
import type { SuiteContext } from '../../harness/context.js';
import { expectGatedError } from '../../harness/errors.js';

export function layerErrorsSuite(ctx: SuiteContext): void {
  ctx.describe('bad input', (suite) => {
    suite.it('LSTM.forward: rank, sizes, states, lengths', () => {
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 1 });
      const batchFirst = new LSTM({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 1 });
      const x = zeros([5, 2, 3]);
      const wrongSize = zeros([5, 2, 4]);
      const flat = zeros([5]);
      const empty = zeros([0, 2, 3]);
      const badH0 = zeros([1, 2, 4]);
      const badC0 = zeros([2, 2, 5]);
      const ints = tensor(new Int32Array(30), { shape: [5, 2, 3], dtype: 'int32' });
      try {
        const op = 'LSTM.forward';
        expectGatedError(
          () => lstm.forward(wrongSize),
          op,
          'expected input of shape [T, B, 3] (batchFirst false), got [5,2,4]: the last axis must be inputSize = 3',
        );
        expectGatedError(
          () => batchFirst.forward(wrongSize),
          op,
          'expected input of shape [B, T, 3] (batchFirst true), got [5,2,4]: the last axis must be inputSize = 3',
        );
        expectGatedError(
          () => lstm.forward(flat),
          op,
          'expected input of shape [T, B, 3] (batchFirst false) or an unbatched [T, 3], got [5] (rank 1)',
        );
        expectGatedError(() => lstm.forward(empty), op, 'the input [0,2,3] has no time steps (T = 0)');
        expectGatedError(() => lstm.forward(ints), op, 'input must be float32, got int32');
        expectGatedError(
          () => lstm.forward(x, { h0: badH0 }),
          op,
          'h0 must have shape [2,2,4] ([numLayers·D, B, hiddenSize]), got [1,2,4]',
        );
        expectGatedError(
          () => lstm.forward(x, { c0: badC0 }),
          op,
          'c0 must have shape [2,2,4] ([numLayers·D, B, hiddenSize]), got [2,2,5]',
        );
        expectGatedError(() => lstm.forward(x, { lengths: [5, 6] }), op, 'lengths[1] is 6, longer than the sequence (T = 5)');
        expectGatedError(() => lstm.forward(x, { lengths: [0, 5] }), op, 'lengths[0] is 0: every sequence needs at least one step');
        expectGatedError(() => lstm.forward(x, { lengths: [5] }), op, 'lengths must have one entry per sequence (B = 2), got 1');
        expectGatedError(() => lstm.forward(x, { lengths: [2.5, 5] }), op, 'lengths[0] must be an integer, got 2.5');
        lstm.dispose();
        expectGatedError(() => lstm.forward(x), op, 'the module was disposed');
      } finally {
        dispose([x, wrongSize, flat, empty, badH0, badC0, ints]);
        lstm.dispose();
        batchFirst.dispose();
      }
    });

    suite.it('constructors', () => {
      expectGatedError(
        () => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 4 }),
        'LSTM',
        'projSize must be an integer in [0, hiddenSize) = [0, 4), got 4',
      );
      expectGatedError(() => new LSTM({ inputSize: 3, hiddenSize: 4, dropout: 1 }), 'LSTM', 'dropout must be a number in [0, 1), got 1');
      expectGatedError(() => new LSTM({ inputSize: 0, hiddenSize: 4 }), 'LSTM', 'inputSize must be a positive integer, got 0');
      expectGatedError(
        () => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 1.5 }),
        'GRU',
        'numLayers must be a positive integer, got 1.5',
      );
      expectGatedError(
        () => new LSTM({ inputSize: 3, hiddenSize: 4, seed: -1 }),
        'LSTM',
        'seed must be a non-negative safe integer, got -1',
      );
      expectGatedError(
        () => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'sigmoid' as RNNNonlinearity }),
        'RNN',
        "nonlinearity must be 'tanh' or 'relu', got \"sigmoid\"",
      );
      expectGatedError(() => new RNN({ inputSize: 3, hiddenSize: 0 }), 'RNN', 'hiddenSize must be a positive integer, got 0');
    });

    suite.it('RNN.forward, GRU and peephole LSTM step loops: sizes, states, lengths', () => {
      const rnn = new RNN({ inputSize: 3, hiddenSize: 4, bidirectional: true, seed: 1 });
      const gru = new GRU({ inputSize: 3, hiddenSize: 4, linearBeforeReset: false, seed: 1 });
      const peephole = new LSTM({ inputSize: 3, hiddenSize: 4, peepholes: true, seed: 1 });
      const x = zeros([5, 2, 3]);
      const wrongSize = zeros([5, 2, 4]);
      const badH0 = zeros([1, 2, 4]);
      const badC0 = zeros([1, 2, 5]);
      try {
        expectGatedError(
          () => rnn.forward(wrongSize),
          'RNN.forward',
          'expected input of shape [T, B, 3] (batchFirst false), got [5,2,4]: the last axis must be inputSize = 3',
        );
        expectGatedError(
          () => rnn.forward(x, { h0: badH0 }),
          'RNN.forward',
          'h0 must have shape [2,2,4] ([numLayers·D, B, hiddenSize]), got [1,2,4]',
        );
        expectGatedError(() => rnn.forward(x, { lengths: [5, 6] }), 'RNN.forward', 'lengths[1] is 6, longer than the sequence (T = 5)');
        expectGatedError(
          () => gru.forward(x, { lengths: [0, 5] }),
          'GRU.forward',
          'lengths[0] is 0: every sequence needs at least one step',
        );
        expectGatedError(
          () => peephole.forward(x, { c0: badC0 }),
          'LSTM.forward',
          'c0 must have shape [1,2,4] ([numLayers·D, B, hiddenSize]), got [1,2,5]',
        );
        expectGatedError(() => rnn.layerParameters(1), 'RNN.layerParameters', 'layer must be in [0, 1), got 1');
        expectGatedError(() => gru.layerParameters(0, true), 'GRU.layerParameters', 'this GRU is not bidirectional');
      } finally {
        dispose([x, wrongSize, badH0, badC0]);
        for (const m of [rnn, gru, peephole]) m.dispose();
      }
    });

    suite.it('loading a state dict of another architecture', () => {
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
      const bigger = new LSTM({ inputSize: 3, hiddenSize: 5, seed: 1 });
      const deeper = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 1 });
      const gru = new GRU({ inputSize: 3, hiddenSize: 4, seed: 1 });
      const dicts = [bigger.stateDict(), deeper.stateDict(), gru.stateDict(), lstm.stateDict()];
      try {
        const op = 'LSTM.loadStateDict';
        expectGatedError(
          () => lstm.loadStateDict(dicts[0]!),
          op,
          "the state dict does not fit this LSTM(3, 4): weight_ih_l0 has shape [20,3], the module's is [16,3]; weight_hh_l0 has shape [20,5], the module's is [16,4]; bias_ih_l0 has shape [20], the module's is [16]; bias_hh_l0 has shape [20], the module's is [16]",
        );
        expectGatedError(
          () => lstm.loadStateDict(dicts[1]!),
          op,
          'the state dict does not fit this LSTM(3, 4): unexpected weight_ih_l1 [16,4], weight_hh_l1 [16,4], bias_ih_l1 [16], bias_hh_l1 [16]',
        );
        expectGatedError(() => lstm.loadStateDict(dicts[2]!), op, /weight_ih_l0 has shape \[12,3\], the module's is \[16,3\]/);
        expectGatedError(() => deeper.loadStateDict(dicts[3]!), 'LSTM.loadStateDict', /missing weight_ih_l1 \[16,4\]/);
      } finally {
        dispose(dicts);
        for (const m of [lstm, bigger, deeper, gru]) m.dispose();
      }
    });

    suite.it('cells and Linear', () => {
      const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4, seed: 1 });
      const linear = new Linear(3, 2, { seed: 1 });
      const x = zeros([2, 3]);
      const wrong = zeros([2, 5]);
      const h0 = zeros([3, 4]);
      try {
        expectGatedError(() => cell.forward(wrong), 'LSTMCell.forward', 'expected input of shape [B, 3] or an unbatched [3], got [2,5]');
        expectGatedError(() => cell.forward(x, { h0 }), 'LSTMCell.forward', 'h0 must have shape [2,4] ([B, H]), got [3,4]');
        expectGatedError(() => linear.forward(wrong), 'Linear.forward', 'expected input of shape [..., 3], got [2,5]');
      } finally {
        dispose([x, wrong, h0]);
        cell.dispose();
        linear.dispose();
      }
    });
  });
}

/**
 * The layers' behaviour beyond the PyTorch reference cases: parameter names, init and
 * bookkeeping, state dicts, gate introspection, the worked example of docs/lstm.md, truncated
 * BPTT, lengths against separate runs, unbatched input, dropout, the small layers, initializers,
 * safetensors round trips and the Keras import.
 */
import {
  CharVocab,
  Dropout,
  Embedding,
  GRU,
  LSTM,
  LSTMCell,
  Linear,
  Sequential,
  Tanh,
  importKerasLSTM,
  initForgetGateBias,
  initOrthogonal,
  initXavierUniform,
  loadSafetensors,
  padSequence,
  parseSafetensors,
  saveSafetensors,
} from '@gated/lstm';
import { add, dispose, matmul, memory, mul, narrow, reshape, squeeze, sum, tensor, tidy, transpose, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';
import type { Rng } from '../../harness/rng.js';
import { expectClose, type Nested } from './fixtures.js';

/** Same-formula float32 comparisons (two paths through the same math): a few ulps over short sequences. */
const SAME = 2e-6;

function random(rng: Rng, shape: number[], scale = 1): Tensor {
  return tensor(Float32Array.from(rng.uniform(shape, -scale, scale).data), { shape });
}

async function nested(t: Tensor): Promise<Nested> {
  return (await t.toArray()) as Nested;
}

async function expectSameTensor(got: Tensor, want: Tensor, label: string, atol = SAME): Promise<void> {
  await expectClose(got, await nested(want), atol, label);
}

/** The worked example of docs/lstm.md ("A worked example"): I = 1, H = 1, T = 2. */
const WORKED = {
  weight_ih_l0: [[0.5], [-0.5], [1], [0.25]],
  weight_hh_l0: [[0.25], [0.5], [-0.5], [0.75]],
  bias_ih_l0: [0, 1, 0, 0],
  bias_hh_l0: [0, 0, 0, 0],
  input: [[[1]], [[0.5]]],
  // Values printed in the doc, rounded to 6 decimals.
  gates: {
    input: [0.622459, 0.577385],
    forget: [0.622459, 0.705597],
    cell: [0.761594, 0.359147],
    output: [0.562177, 0.577164],
    cellState: [0.474061, 0.541862],
  },
  output: [0.248187, 0.285348],
  h: 0.285348,
  c: 0.541862,
};

export function modulesSuite(ctx: SuiteContext): void {
  ctx.describe('layers', (suite) => {
    suite.it("parameter names, shapes and order are PyTorch's", () => {
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, projSize: 2, seed: 1 });
      const gru = new GRU({ inputSize: 3, hiddenSize: 4, bias: false, seed: 1 });
      const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4, seed: 1 });
      try {
        const shapes = (m: { namedParameters(): [string, Tensor][] }) =>
          m.namedParameters().map(([name, p]) => `${name} [${p.shape.join(',')}]`);
        const layer = (k: number, s: string, input: number) => [
          `weight_ih_l${k}${s} [20,${input}]`,
          `weight_hh_l${k}${s} [20,2]`,
          `bias_ih_l${k}${s} [20]`,
          `bias_hh_l${k}${s} [20]`,
          `weight_hr_l${k}${s} [2,5]`,
        ];
        expect(shapes(lstm)).toEqual([...layer(0, '', 3), ...layer(0, '_reverse', 3), ...layer(1, '', 4), ...layer(1, '_reverse', 4)]);
        expect(shapes(gru)).toEqual(['weight_ih_l0 [12,3]', 'weight_hh_l0 [12,4]']);
        expect(shapes(cell)).toEqual(['weight_ih [16,3]', 'weight_hh [16,4]', 'bias_ih [16]', 'bias_hh [16]']);
        for (const p of lstm.parameters()) expect(p.requiresGrad, 'parameters are leaves that require gradients').toBe(true);
      } finally {
        lstm.dispose();
        gru.dispose();
        cell.dispose();
      }
    });

    suite.it('default init is uniform in ±1 over √H; a seed makes it reproducible', async () => {
      const a = new LSTM({ inputSize: 4, hiddenSize: 16, seed: 7 });
      const b = new LSTM({ inputSize: 4, hiddenSize: 16, seed: 7 });
      const other = new LSTM({ inputSize: 4, hiddenSize: 16, seed: 8 });
      try {
        const bound = 1 / Math.sqrt(16);
        for (const [[name, p], [, q], [, r]] of a
          .namedParameters()
          .map((entry, i) => [entry, b.namedParameters()[i]!, other.namedParameters()[i]!] as const)) {
          const [x, y, z] = await Promise.all([p.data(), q.data(), r.data()]);
          expect(Math.max(...Array.from(x, Math.abs)), `${name} within ±1/√H`).toBeLessThanOrEqual(bound);
          expect(Array.from(x), `${name}: same seed, same values`).toEqual(Array.from(y));
          expect(Array.from(x), `${name}: another seed, other values`).not.toEqual(Array.from(z));
        }
        const first = (await a.parameters()[0]!.data())[0];
        const second = (await a.parameters()[1]!.data())[0];
        expect(first, 'each parameter draws its own values').not.toBe(second);
      } finally {
        for (const m of [a, b, other]) m.dispose();
      }
    });

    suite.it('parameters survive tidy; dispose frees them and their gradients', async () => {
      const before = memory().numTensors;
      const lstm = tidy(() => new LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 }));
      expect(memory().numTensors - before, 'four parameters kept').toBe(4);
      const loss = tidy(() => sum(lstm.forward(tensor([[[1, 2]]])).output));
      loss.backward();
      loss.dispose();
      expect(
        lstm.parameters().every((p) => p.grad !== null),
        'every parameter got a gradient',
      ).toBe(true);
      lstm.zeroGrad();
      expect(
        lstm.parameters().every((p) => p.grad === null),
        'zeroGrad drops gradients',
      ).toBe(true);
      lstm.dispose();
      lstm.dispose();
      expect(memory().numTensors, 'all freed').toBe(before);
      expect(lstm.isDisposed).toBe(true);
      await Promise.resolve();
    });

    suite.it('train and eval propagate to children', () => {
      const model = new Sequential(new Linear(2, 3, { seed: 1 }), new Dropout(0.5), new Tanh());
      try {
        expect(model.training).toBe(true);
        model.eval();
        expect(model.layers.map((l) => l.training)).toEqual([false, false, false]);
        model.train();
        expect(model.layers.map((l) => l.training)).toEqual([true, true, true]);
        expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias']);
      } finally {
        model.dispose();
      }
    });

    suite.it('stateDict and loadStateDict round-trip', async (rng) => {
      const source = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 1 });
      const target = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 2 });
      const x = random(rng, [5, 2, 3]);
      try {
        const dict = source.stateDict();
        expect(Object.keys(dict)).toEqual(source.namedParameters().map(([n]) => n));
        const report = target.loadStateDict(dict);
        expect(report).toEqual({ missingKeys: [], unexpectedKeys: [] });
        dispose(dict);
        const a = source.forward(x);
        const b = target.forward(x);
        await expectSameTensor(b.output, a.output, 'outputs after loading', 0);
        dispose([a, b]);
      } finally {
        source.dispose();
        target.dispose();
        x.dispose();
      }
    });

    suite.it('gate introspection matches the worked example of docs, lstm.md', async () => {
      const lstm = new LSTM({ inputSize: 1, hiddenSize: 1 });
      const { input, gates: expected, output: expectedOutput, h: expectedH, c: expectedC, ...params } = WORKED;
      const dict = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, tensor(value)]));
      const x = tensor(input);
      try {
        lstm.loadStateDict(dict);
        const result = lstm.forward(x, { returnGates: true });
        try {
          expect(result.gates).toHaveLength(1);
          const gates = result.gates![0]!;
          expect([gates.layer, gates.direction]).toEqual([0, 'forward']);
          for (const key of ['input', 'forget', 'cell', 'output', 'cellState'] as const) {
            await expectClose(
              gates[key],
              expected[key].map((v) => [[v]]),
              1e-6,
              `${key} gate`,
            );
          }
          await expectClose(
            result.output,
            expectedOutput.map((v) => [[v]]),
            1e-6,
            'output',
          );
          await expectClose(result.h, [[[expectedH]]], 1e-6, 'h');
          await expectClose(result.c, [[[expectedC]]], 1e-6, 'c');
        } finally {
          dispose(result);
        }
      } finally {
        dispose([dict, x]);
        lstm.dispose();
      }
    });

    suite.it('gates: shapes, ranges, agreement with the state, both paths, nothing when not asked', async (rng) => {
      for (const projSize of [0, 2]) {
        const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, projSize, seed: 3 });
        const composite = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, projSize, seed: 3, fused: false });
        const x = random(rng, [5, 2, 3]);
        try {
          const plain = lstm.forward(x);
          expect('gates' in plain, 'no gates unless asked').toBe(false);
          dispose(plain);
          const result = lstm.forward(x, { returnGates: true, lengths: [5, 3] });
          const reference = composite.forward(x, { returnGates: true, lengths: [5, 3] });
          try {
            expect(result.gates!.map((g) => `${g.layer}${g.direction}`)).toEqual(['0forward', '0reverse', '1forward', '1reverse']);
            for (const [i, g] of result.gates!.entries()) {
              for (const key of ['input', 'forget', 'cell', 'output', 'cellState'] as const) {
                expect([...g[key].shape], `${key} shape`).toEqual([5, 2, 4]);
                expect(g[key].requiresGrad, `${key} is detached`).toBe(false);
                await expectSameTensor(
                  g[key],
                  reference.gates![i]![key],
                  `${key} gate of entry ${i} (projSize ${projSize}): fused vs composite`,
                );
              }
              const values = await g.forget.data();
              expect(
                Array.from(values).every((v) => v >= 0 && v <= 1),
                'σ(f) in [0, 1]',
              ).toBe(true);
            }
            // The forward direction's last real cell state is c_n; past length 3 the gates are 0.
            const forward = result.gates![2]!;
            const cells = await forward.cellState.data();
            const cn = await result.c.data();
            for (let j = 0; j < 4; j++) {
              expect(cells[(4 * 2 + 0) * 4 + j], 'c_n of sequence 0 (length 5)').toBeCloseTo(cn[(2 * 2 + 0) * 4 + j]!, 6);
              expect(cells[(2 * 2 + 1) * 4 + j], 'c_n of sequence 1 (length 3)').toBeCloseTo(cn[(2 * 2 + 1) * 4 + j]!, 6);
              expect(cells[(3 * 2 + 1) * 4 + j], 'past the length').toBe(0);
            }
          } finally {
            dispose([result, reference]);
          }
        } finally {
          lstm.dispose();
          composite.dispose();
          x.dispose();
        }
      }
    });

    suite.it('lengths agree with running each sequence on its own, in both directions', async (rng) => {
      const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, seed: 4 });
      const sequences = [random(rng, [4, 2]), random(rng, [1, 2]), random(rng, [3, 2])];
      try {
        const { padded, lengths } = padSequence(sequences);
        expect(lengths).toEqual([4, 1, 3]);
        expect([...padded.shape]).toEqual([4, 3, 2]);
        const batch = lstm.forward(padded, { lengths });
        try {
          for (const [b, seq] of sequences.entries()) {
            const alone = lstm.forward(seq);
            const length = lengths[b]!;
            const mine = tidy(() => squeeze(narrow(narrow(batch.output, 1, b, 1), 0, 0, length), 1));
            const state = tidy(() => squeeze(narrow(batch.h, 1, b, 1), 1));
            await expectSameTensor(mine, alone.output, `output of sequence ${b}`);
            await expectSameTensor(state, alone.h, `h_n of sequence ${b}`);
            dispose([alone, mine, state]);
          }
          const out = await batch.output.data();
          expect(out[(1 * 3 + 1) * 6], 'padding output is 0').toBe(0);
        } finally {
          dispose([batch, padded]);
        }
      } finally {
        dispose(sequences);
        lstm.dispose();
      }
    });

    suite.it('unbatched input equals a batch of one', async (rng) => {
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 5, batchFirst: true });
      const x = random(rng, [6, 3]);
      const h0 = random(rng, [2, 4]);
      try {
        const single = lstm.forward(x, { h0, returnGates: true });
        const views = { x: reshape(x, [1, 6, 3]), h0: reshape(h0, [2, 1, 4]) };
        const batched = lstm.forward(views.x, { h0: views.h0 });
        expect([...single.output.shape]).toEqual([6, 4]);
        expect([...single.h.shape]).toEqual([2, 4]);
        expect([...single.gates![0]!.input.shape]).toEqual([6, 4]);
        const squeezed = tidy(() => ({ output: squeeze(batched.output, 0), h: squeeze(batched.h, 1) }));
        await expectSameTensor(single.output, squeezed.output, 'output', 0);
        await expectSameTensor(single.h, squeezed.h, 'h', 0);
        dispose([squeezed, views, single, batched]);
      } finally {
        dispose([x, h0]);
        lstm.dispose();
      }
    });

    suite.it('truncated BPTT: carrying detached state equals one long run, and stops gradients', async (rng) => {
      const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, seed: 6 });
      const x = random(rng, [6, 2, 2]);
      try {
        const whole = lstm.forward(x);
        const first = tidy(() => lstm.forward(narrow(x, 0, 0, 3)));
        const chunk = tidy(() => narrow(x, 0, 3, 3));
        chunk.requiresGrad = false;
        const carried = { h0: first.h.detach(), c0: first.c.detach() };
        const second = lstm.forward(chunk, carried);
        try {
          const tail = narrow(whole.output, 0, 3, 3);
          await expectSameTensor(second.output, tail, 'second chunk output');
          tail.dispose();
          await expectSameTensor(second.h, whole.h, 'final h');
          expect(carried.h0.requiresGrad, 'detached state carries no graph').toBe(false);
          const loss = tidy(() => sum(second.output));
          loss.backward();
          loss.dispose();
          expect(lstm.parameters().every((p) => p.grad !== null)).toBe(true);
        } finally {
          lstm.zeroGrad();
          dispose([whole, first, chunk, carried, second]);
        }
      } finally {
        x.dispose();
        lstm.dispose();
      }
    });

    suite.it('dropout between layers: training only, seeded', async (rng) => {
      const x = random(rng, [4, 2, 3]);
      const make = () => new LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 2, dropout: 0.5, seed: 9 });
      const a = make();
      const b = make();
      const plain = new LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 2, seed: 9 });
      try {
        const ra = a.forward(x);
        const rb = b.forward(x);
        const rPlain = plain.forward(x);
        await expectSameTensor(ra.output, rb.output, 'same seed, same masks', 0);
        const [va, vp] = await Promise.all([ra.output.data(), rPlain.output.data()]);
        expect(Array.from(va), 'training mode drops units').not.toEqual(Array.from(vp));
        a.eval();
        const evaluated = a.forward(x);
        await expectSameTensor(evaluated.output, rPlain.output, 'eval mode: no dropout', 0);
        dispose([ra, rb, rPlain, evaluated]);
      } finally {
        for (const m of [a, b, plain]) m.dispose();
        x.dispose();
      }
    });

    suite.it('Linear, Embedding, Dropout, Sequential', async (rng) => {
      const linear = new Linear(3, 2, { seed: 1 });
      const embed = new Embedding(5, 3, { paddingIdx: 0, seed: 2 });
      const drop = new Dropout(0.25, { seed: 3 });
      const x = random(rng, [4, 3, 3]);
      try {
        const y = linear.forward(x);
        const manual = tidy(() => matmul(x, transpose(linear.weight)));
        const expected = add(manual, linear.bias!);
        await expectSameTensor(y, expected, 'Linear over [4, 3, 3]');
        dispose([y, manual, expected]);

        const ids = tensor(
          [
            [0, 3],
            [4, 0],
          ],
          { dtype: 'int32' },
        );
        const vectors = embed.forward(ids);
        expect([...vectors.shape]).toEqual([2, 2, 3]);
        const rows = await embed.weight.data();
        expect(Array.from(rows.subarray(0, 3)), 'the padding row starts at 0').toEqual([0, 0, 0]);
        const loss = tidy(() => sum(mul(vectors, vectors)));
        loss.backward();
        const grad = await embed.weight.grad!.data();
        expect(Array.from(grad.subarray(0, 3)), 'the padding row gets no gradient').toEqual([0, 0, 0]);
        expect(grad[9], 'row 3 gets 2·w').toBeCloseTo(2 * rows[9]!, 6);
        embed.zeroGrad();
        dispose([ids, vectors, loss]);

        const big = tensor(new Float32Array(4000).fill(1), { shape: [4000] });
        const dropped = drop.forward(big);
        const values = await dropped.data();
        const zeros = values.filter((v) => v === 0).length;
        expect(zeros / 4000, 'about p of the units are dropped').toBeGreaterThan(0.2);
        expect(zeros / 4000).toBeLessThan(0.3);
        expect(
          values.find((v) => v !== 0),
          'the rest are scaled by 1/(1-p)',
        ).toBeCloseTo(1 / 0.75, 6);
        drop.eval();
        const same = drop.forward(big);
        expect(
          Array.from(await same.data()).every((v) => v === 1),
          'eval mode is the identity',
        ).toBe(true);
        dispose([big, dropped, same]);
      } finally {
        x.dispose();
        for (const m of [linear, embed, drop]) m.dispose();
      }
    });

    suite.it('initializers: Xavier, orthogonal, forget-gate bias', async () => {
      const w = tensor(new Float32Array(64 * 16), { shape: [64, 16] });
      const wide = tensor(new Float32Array(8 * 20), { shape: [8, 20] });
      const lstm = new LSTM({ inputSize: 2, hiddenSize: 4, seed: 1 });
      try {
        initXavierUniform(w, { seed: 1 });
        const bound = Math.sqrt(6 / 80);
        const xs = await w.data();
        expect(Math.max(...Array.from(xs, Math.abs))).toBeLessThanOrEqual(bound);
        expect(Math.max(...Array.from(xs, Math.abs))).toBeGreaterThan(0.9 * bound);
        for (const [m, rows, cols] of [
          [w, 64, 16],
          [wide, 8, 20],
        ] as const) {
          initOrthogonal(m, { seed: 2, gain: 1 });
          const gram = tidy(() => (rows >= cols ? matmul(m, m, { transposeA: true }) : matmul(m, m, { transposeB: true })));
          const n = Math.min(rows, cols);
          const identity = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
          await expectClose(gram, identity, 1e-5, `orthogonal [${rows}, ${cols}]: QᵀQ = I`);
          gram.dispose();
        }
        initForgetGateBias(lstm, 1);
        const [bih, bhh] = await Promise.all([lstm.layerParameters(0).biasIh!.data(), lstm.layerParameters(0).biasHh!.data()]);
        expect(Array.from(bih.subarray(4, 8))).toEqual([1, 1, 1, 1]);
        expect(Array.from(bhh.subarray(4, 8))).toEqual([0, 0, 0, 0]);
      } finally {
        dispose([w, wide]);
        lstm.dispose();
      }
    });

    suite.it('safetensors: a state dict round-trips through bytes', async (rng) => {
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2, bidirectional: true, seed: 1 });
      const copy = new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2, bidirectional: true, seed: 2 });
      const x = random(rng, [3, 2, 3]);
      try {
        const dict = lstm.stateDict();
        const bytes = await saveSafetensors(dict, { metadata: { format: 'pt' } });
        dispose(dict);
        const parsed = parseSafetensors(bytes);
        expect(parsed.metadata).toEqual({ format: 'pt' });
        expect([...parsed.tensors.keys()].sort()).toEqual(
          lstm
            .namedParameters()
            .map(([n]) => n)
            .sort(),
        );
        const loaded = loadSafetensors(bytes);
        copy.loadStateDict(loaded);
        dispose(loaded);
        const [a, b] = [lstm.forward(x), copy.forward(x)];
        await expectSameTensor(b.output, a.output, 'outputs after the round trip', 0);
        dispose([a, b]);
      } finally {
        lstm.dispose();
        copy.dispose();
        x.dispose();
      }
    });

    suite.it('Keras and TF.js weights import: same outputs', async (rng) => {
      for (const bidirectional of [false, true]) {
        const source = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional, seed: 1 });
        const target = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional, seed: 2 });
        const x = random(rng, [5, 2, 3]);
        try {
          const keras = async (layer: number, reverse: boolean) => {
            const p = source.layerParameters(layer, reverse);
            const [wih, whh, bih, bhh] = await Promise.all([p.weightIh.data(), p.weightHh.data(), p.biasIh!.data(), p.biasHh!.data()]);
            const [gates, input] = p.weightIh.shape as [number, number];
            const hidden = gates / 4;
            // The [cols, rows] transpose of a row-major [rows, cols] matrix.
            const t = (values: ArrayLike<number>, rows: number, cols: number) =>
              Float32Array.from({ length: rows * cols }, (_, i) => values[(i % rows) * cols + Math.floor(i / rows)]!);
            return {
              kernel: { data: t(wih, gates, input), shape: [input, gates] },
              recurrentKernel: { data: t(whh, gates, hidden), shape: [hidden, gates] },
              bias: { data: bih.map((v, i) => v + bhh[i]!), shape: [gates] },
            };
          };
          const layers = [];
          for (let layer = 0; layer < 2; layer++) {
            layers.push(
              bidirectional ? { forward: await keras(layer, false), backward: await keras(layer, true) } : await keras(layer, false),
            );
          }
          importKerasLSTM(target, layers, { recurrentActivation: 'sigmoid' });
          const [a, b] = [source.forward(x), target.forward(x)];
          await expectSameTensor(b.output, a.output, `output after import (bidirectional ${String(bidirectional)})`);
          dispose([a, b]);
        } finally {
          source.dispose();
          target.dispose();
          x.dispose();
        }
      }
    });

    suite.it('a character vocabulary feeds an Embedding', async () => {
      const vocab = CharVocab.fromText('hello world');
      const embed = new Embedding(vocab.size, 4, { seed: 1 });
      try {
        const ids = tensor(vocab.encode('hello'), { dtype: 'int32' });
        const out = embed.forward(ids);
        expect([...out.shape]).toEqual([5, 4]);
        expect(vocab.decode(await ids.data())).toBe('hello');
        dispose([ids, out]);
      } finally {
        embed.dispose();
      }
    });
  });
}

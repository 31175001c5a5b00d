/**
 * Agreement with PyTorch: every case of `fixtures/lstm` (the golden set; the extra cases:
 * projections, packed lengths, eval-mode dropout, GRU, LSTMCell, GRUCell, a large case; the v1.1
 * cases: GRU and projected LSTMs with two and three layers, both directions, lengths and initial
 * states; the `nn.RNN` cases: tanh and relu, one and two layers, both directions, batch-first,
 * lengths, initial states, no bias) through `@gated/lstm` on the backend under test: output, h_n, c_n, the loss, and the
 * gradient of every input, initial state and parameter, for `sum(output·R)` and for the loss that
 * adds the final states (each case stores one or both). Every sequence case runs twice: through
 * the backend's fused kernels (where it has them) and through the composite of core ops
 * (`fused: false`).
 *
 * Tolerance: absolute, `max(2e-6, 10 × PyTorch's own float32 deviation)` per quantity (the
 * `tolerance` each file records), times the backend's `tolerance.absolute` multiplier. The largest
 * is 7.6e-6 (`l1_batch1_long`'s gradients); on the ts backend the observed errors stay below 5e-7.
 * The v1.1 cases beyond the golden sizes (`agreement: relative`: odd widths, 40 steps, three
 * layers) must agree to 1e-5 of each tensor's largest magnitude.
 */
import { GRU, GRUCell, LSTM, LSTMCell, RNN, type LSTMCellResult, type LSTMResult, type Module } from '@gated/lstm';
import { add, dispose, mul, sum, tidy, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';
import {
  expectClose,
  largeCaseR,
  loadLstmCases,
  maxMagnitude,
  shapeOf,
  toFloat,
  toStateDict,
  type CellCase,
  type Nested,
  type RecordedDeviation,
  type SequenceCase,
} from './fixtures.js';

/** The floor of every LSTM tolerance: a few float32 ulps of O(1) values accumulated over a sequence. */
export const LSTM_ATOL_FLOOR = 2e-6;

/** Relative agreement of the cases beyond the golden sizes: 1e-5 of a tensor's largest magnitude. */
export const LSTM_RELATIVE = 1e-5;

/** `max(LSTM_ATOL_FLOOR, 10 × recorded)`, scaled by the backend's multiplier. */
function atolFor(ctx: SuiteContext, recorded: RecordedDeviation, key: string): number {
  const deviation = recorded[key] ?? 0;
  return Number(ctx.tolerance(0, Math.max(LSTM_ATOL_FLOOR, 10 * deviation)).atol);
}

/** The absolute tolerance a reference tensor is checked with: golden, or relative to its magnitude. */
function toleranceFor(ctx: SuiteContext, data: SequenceCase, key: string, want: Nested): number {
  if (data.config.agreement !== 'relative') return atolFor(ctx, data.tolerance.torch_float32_vs_reference_max_abs, key);
  return Number(ctx.tolerance(0, LSTM_RELATIVE * Math.max(maxMagnitude(want), Number.MIN_VALUE)).atol);
}

function buildSequenceModel(c: SequenceCase['config'], fused: boolean): LSTM | GRU | RNN {
  const common = {
    fused,
    inputSize: c.input_size,
    hiddenSize: c.hidden_size,
    numLayers: c.num_layers,
    bias: c.bias,
    batchFirst: c.batch_first,
    bidirectional: c.bidirectional,
    dropout: c.dropout ?? 0,
    seed: 0,
  };
  if (c.cell === 'gru') return new GRU(common);
  if (c.cell === 'rnn') return new RNN({ ...common, nonlinearity: c.nonlinearity ?? 'tanh' });
  return new LSTM({ ...common, projSize: c.proj_size ?? 0 });
}

function loadParams(model: Module, params: Readonly<Record<string, Nested>>): void {
  const dict = toStateDict(params);
  try {
    model.loadStateDict(dict);
  } finally {
    dispose(dict);
  }
}

/** Runs one sequence case with one of its two losses and checks everything it records. */
async function runSequenceCase(ctx: SuiteContext, data: SequenceCase, fused: boolean, withState: boolean): Promise<void> {
  const recorded = data.tolerance.torch_float32_vs_reference_max_abs;
  const isGru = data.config.cell !== undefined && data.config.cell !== 'lstm';
  const model = buildSequenceModel(data.config, fused);
  const owned: unknown[] = [];
  const leaves: Tensor[] = [];
  const track = <T>(value: T): T => {
    owned.push(value);
    return value;
  };
  try {
    model.eval();
    loadParams(model, data.params);
    const x = track(toFloat(data.input));
    const h0 = track(toFloat(data.h0));
    const c0 = isGru ? null : track(toFloat(data.c0!));
    for (const t of [x, h0, c0]) {
      if (!t) continue;
      t.requiresGrad = true;
      leaves.push(t);
    }
    const lengths = data.lengths ? { lengths: data.lengths } : {};
    const result = track(model instanceof LSTM ? model.forward(x, { h0, c0: c0!, ...lengths }) : model.forward(x, { h0, ...lengths }));
    const output = result.output;
    const h = result.h;
    const c = model instanceof LSTM ? (result as LSTMResult).c : null;
    const R = track(toFloat(data.R ?? largeCaseR(...(shapeOf(data.output) as [number, number, number]))));
    const loss = track(
      tidy(() => {
        let total = sum(mul(output, R));
        if (withState) {
          total = add(total, sum(mul(h, toFloat(data.R_h!))));
          if (c) total = add(total, sum(mul(c, toFloat(data.R_c!))));
        }
        return total;
      }),
    );
    loss.backward();

    await expectClose(output, data.output, toleranceFor(ctx, data, 'output', data.output), 'output');
    await expectClose(h, data.h_n, toleranceFor(ctx, data, 'h_n', data.h_n), 'h_n');
    if (c) await expectClose(c, data.c_n!, toleranceFor(ctx, data, 'c_n', data.c_n!), 'c_n');
    const wantLoss = withState ? data.loss_with_state! : data.loss!;
    const gotLoss = await loss.item();
    const lossTolerance = data.config.agreement === 'relative' ? LSTM_RELATIVE * Math.abs(wantLoss) : 20 * atolFor(ctx, recorded, 'output');
    expect(Math.abs(gotLoss - wantLoss), `loss ${gotLoss} vs ${wantLoss}`).toBeLessThanOrEqual(lossTolerance);

    const grads = withState ? data.grad_with_state! : data.grad!;
    const gradKey = withState ? 'grad_with_state' : 'grad';
    const params = new Map(model.namedParameters());
    for (const [name, want] of Object.entries(grads)) {
      const source = name === 'input' ? x : name === 'h0' ? h0 : name === 'c0' ? c0 : params.get(name);
      expect(source, `the model has no parameter ${name}`).toBeDefined();
      await expectClose(source!.grad, want, toleranceFor(ctx, data, gradKey, want), `gradient of ${name}`);
    }
    expect([...params.keys()].sort(), 'parameter names').toEqual(Object.keys(data.params).sort());
  } finally {
    for (const t of leaves) t.grad?.dispose();
    dispose(owned);
    model.dispose();
  }
}

async function runCellCase(ctx: SuiteContext, data: CellCase, fused: boolean): Promise<void> {
  const recorded = data.tolerance.torch_float32_vs_reference_max_abs;
  const { input_size: inputSize, hidden_size: hiddenSize, bias } = data.config;
  const isLstm = data.config.cell === 'lstm_cell';
  const model = isLstm
    ? new LSTMCell({ inputSize, hiddenSize, bias, fused, seed: 0 })
    : new GRUCell({ inputSize, hiddenSize, bias, fused, seed: 0 });
  const owned: Tensor[] = [];
  try {
    loadParams(model, data.params);
    const x = toFloat(data.input);
    const h0 = toFloat(data.h0);
    const c0 = isLstm ? toFloat(data.c0!) : null;
    owned.push(x, h0, ...(c0 ? [c0] : []));
    for (const t of owned) t.requiresGrad = true;
    const result = model instanceof LSTMCell ? model.forward(x, { h0, c0: c0! }) : model.forward(x, { h0 });
    owned.push(...Object.values(result));
    const h = result.h;
    const c = model instanceof LSTMCell ? (result as LSTMCellResult).c : null;
    const loss = tidy(() => {
      const total = sum(mul(h, toFloat(data.R_h)));
      return c ? add(total, sum(mul(c, toFloat(data.R_c!)))) : total;
    });
    owned.push(loss);
    loss.backward();
    await expectClose(h, data.h, atolFor(ctx, recorded, 'h'), 'h');
    if (c) await expectClose(c, data.c!, atolFor(ctx, recorded, 'c'), 'c');
    const params = new Map(model.namedParameters());
    const gradAtol = atolFor(ctx, recorded, 'grad');
    for (const [name, want] of Object.entries(data.grad)) {
      const source = name === 'input' ? x : name === 'h0' ? h0 : name === 'c0' ? c0 : params.get(name);
      expect(source, `the model has no parameter ${name}`).toBeDefined();
      await expectClose(source!.grad, want, gradAtol, `gradient of ${name}`);
    }
  } finally {
    for (const t of owned) t.grad?.dispose();
    dispose(owned);
    model.dispose();
  }
}

const VARIANTS: readonly (readonly [boolean, string])[] = [
  [true, 'default kernels'],
  [false, 'composite'],
];

export function pytorchSuite(ctx: SuiteContext): void {
  ctx.describe('agreement with PyTorch', async (suite) => {
    const cases = await loadLstmCases();
    // Every case runs through the backend's fused kernels (when it has them) and through the
    // composite (GRUCell is a one-step gruSequence).
    const sequenceCases = (title: string, cases: readonly SequenceCase[], variants = VARIANTS) => {
      suite.describe(title, (group) => {
        for (const data of cases) {
          for (const [fused, label] of variants) {
            group.it(`${data.config.name} (${label})`, async () => {
              if (data.grad) await runSequenceCase(ctx, data, fused, false);
              if (data.grad_with_state) await runSequenceCase(ctx, data, fused, true);
            });
          }
        }
      });
    };
    sequenceCases('golden cases', cases.golden);
    sequenceCases('extra cases', cases.extraSequences);
    sequenceCases('v1.1 cases', cases.v11);
    // RNN has no fused kernel: it always runs the composite step loop, once.
    sequenceCases('RNN cases', cases.rnn, [[false, 'composite']]);
    suite.describe('cells', (group) => {
      for (const data of cases.cells) {
        for (const [fused, label] of VARIANTS) {
          group.it(`${data.config.name} (${label})`, async () => {
            await runCellCase(ctx, data, fused);
          });
        }
      }
    });
  });
}

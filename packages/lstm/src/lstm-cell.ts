import { checkOptions, GatedError, formatShape, shapesEqual } from '@gated/backend-api';
import { add, lstmCell, matmul, squeeze, tidy, uniform, unsqueeze, zeros, type Tensor } from '@gated/tensor';
import { seedOption } from './init.js';
import { positiveInteger } from './checks.js';
import { Module } from './module.js';
import { checkSeed, deriveSeed } from './seed.js';
import { assertLiveTensor } from '@gated/tensor/internal';

/** Constructor options of {@link LSTMCell}. */
export interface LSTMCellOptions {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Learn `bias_ih` and `bias_hh`. Default true. */
  readonly bias?: boolean;
  /** Seed of the initial weights; default: the global random stream. */
  readonly seed?: number;
  /** Use the backend's fused cell kernel when it has one (default true). */
  readonly fused?: boolean;
}

/** Initial state of one step; zeros where omitted. */
export interface LSTMCellState {
  /** Hidden state [B, H] (or [H] for an unbatched input). */
  readonly h0?: Tensor;
  /** Cell state [B, H] (or [H]). */
  readonly c0?: Tensor;
}

/** What {@link LSTMCell.forward} returns; yours to dispose. */
export interface LSTMCellResult {
  readonly h: Tensor;
  readonly c: Tensor;
}

/**
 * One LSTM step (PyTorch's `nn.LSTMCell`): parameters `weight_ih` [4H, I], `weight_hh` [4H, H],
 * `bias_ih` [4H], `bias_hh` [4H], uniform in ±1/√H. One input matmul, one recurrent matmul and
 * one fused `lstmCell` op.
 *
 * @example
 * ```ts
 * const cell = new LSTMCell({ inputSize: 3, hiddenSize: 8 });
 * let state = cell.forward(x0);                          // zeros as the initial state
 * state = cell.forward(x1, { h0: state.h, c0: state.c });
 * ```
 */
export class LSTMCell extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly fused: boolean;
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor | null;
  readonly biasHh: Tensor | null;

  constructor(options: LSTMCellOptions) {
    super();
    checkOptions('LSTMCell', options, true);
    this.inputSize = positiveInteger('LSTMCell', 'inputSize', options.inputSize);
    this.hiddenSize = positiveInteger('LSTMCell', 'hiddenSize', options.hiddenSize);
    this.bias = options.bias ?? true;
    this.fused = options.fused ?? true;
    checkSeed('LSTMCell', options.seed);
    const bound = 1 / Math.sqrt(this.hiddenSize);
    let index = 0;
    const init = (name: string, shape: number[]) =>
      this.addParameter(name, uniform(shape, -bound, bound, seedOption(deriveSeed(options.seed, index++))));
    const gates = 4 * this.hiddenSize;
    [this.weightIh, this.weightHh, this.biasIh, this.biasHh] = this.build(() => [
      init('weight_ih', [gates, this.inputSize]),
      init('weight_hh', [gates, this.hiddenSize]),
      this.bias ? init('bias_ih', [gates]) : null,
      this.bias ? init('bias_hh', [gates]) : null,
    ]);
  }

  protected override get label(): string {
    return 'LSTMCell';
  }

  protected override describe(): string {
    return `LSTMCell(${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=false'})`;
  }

  /** One step on `x` [B, I] (or unbatched [I]). */
  forward(x: Tensor, state: LSTMCellState = {}): LSTMCellResult {
    const op = 'LSTMCell.forward';
    this.assertLive('forward');
    const unbatched = checkCellInput(op, x, this.inputSize);
    const batch = unbatched ? 1 : x.shape[0]!;
    return tidy(() => {
      const h0 = state.h0 ? checkCellState(op, 'h0', state.h0, batch, this.hiddenSize, unbatched) : zeros([batch, this.hiddenSize]);
      const c0 = state.c0 ? checkCellState(op, 'c0', state.c0, batch, this.hiddenSize, unbatched) : zeros([batch, this.hiddenSize]);
      const rows = unbatched ? unsqueeze(x, 0) : x;
      let inputGates = matmul(rows, this.weightIh, { transposeB: true });
      if (this.biasIh && this.biasHh) inputGates = add(inputGates, add(this.biasIh, this.biasHh));
      const { h, c } = lstmCell(inputGates, matmul(h0, this.weightHh, { transposeB: true }), c0, { fused: this.fused });
      return unbatched ? { h: squeeze(h, 0), c: squeeze(c, 0) } : { h, c };
    });
  }
}

/** Checks a cell input [B, I] or [I]; returns whether it is unbatched. @internal */
export function checkCellInput(op: string, x: Tensor, inputSize: number): boolean {
  assertLiveTensor(op, x);
  if ((x.rank !== 1 && x.rank !== 2) || x.shape[x.rank - 1] !== inputSize) {
    throw new GatedError(op, `expected input of shape [B, ${inputSize}] or an unbatched [${inputSize}], got ${formatShape(x.shape)}`);
  }
  if (x.dtype !== 'float32') throw new GatedError(op, `input must be float32, got ${x.dtype}`);
  return x.rank === 1;
}

/** Checks a cell state [B, H] (or [H] unbatched); returns it as [B, H]. @internal */
export function checkCellState(op: string, name: string, state: Tensor, batch: number, hidden: number, unbatched: boolean): Tensor {
  assertLiveTensor(op, state);
  const expected = unbatched ? [hidden] : [batch, hidden];
  if (!shapesEqual(state.shape, expected)) {
    throw new GatedError(
      op,
      `${name} must have shape ${formatShape(expected)} (${unbatched ? '[H]' : '[B, H]'}), got ${formatShape(state.shape)}`,
    );
  }
  if (state.dtype !== 'float32') throw new GatedError(op, `${name} must be float32, got ${state.dtype}`);
  return unbatched ? unsqueeze(state, 0) : state;
}

/**
 * `RNN`: PyTorch's `nn.RNN` (Elman), `h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)` with
 * act tanh or relu. Same structure as the LSTM and GRU (recurrent.ts): per layer and direction one
 * matmul for the input projection of all steps, both biases folded in; the recurrence is the
 * composite step loop of step-loop.ts (one recurrent matmul and one activation per step, linear
 * in T), which runs on every backend: there is no fused RNN kernel in the contract.
 */
import { GatedError } from '@gated/backend-api';
import { add, matmul, relu, tanh, tidy, zeros, type Tensor } from '@gated/tensor';
import { checkSequenceInput, checkState, lengthsTensor, projectInput, runLayers } from './recurrent.js';
import { sequenceLengths, stackStates, stateAt, type Lengths, type RecurrentOptions } from './recurrent.js';
import { RecurrentLayer } from './recurrent-layer.js';
import { runStepLoop } from './step-loop.js';

/** The activation of an {@link RNN}, PyTorch's `nonlinearity`. */
export type RNNNonlinearity = 'tanh' | 'relu';

/** Constructor options of {@link RNN}: those every recurrent layer has, and the activation. */
export interface RNNOptions extends Omit<RecurrentOptions, 'fused'> {
  /** `'tanh'` (default) or `'relu'`. */
  readonly nonlinearity?: RNNNonlinearity;
}

/** Options of {@link RNN.forward}. */
export interface RNNForwardOptions {
  /** Initial hidden state `[numLayers·D, B, H]`; zeros if omitted. */
  readonly h0?: Tensor;
  /** Per-sequence lengths, as for `LSTM.forward`. */
  readonly lengths?: Lengths;
}

/** What {@link RNN.forward} returns; yours to dispose. */
export interface RNNResult {
  /** `[T, B, D·H]` (`[B, T, D·H]` batch-first, `[T, D·H]` unbatched). */
  readonly output: Tensor;
  /** `[numLayers·D, B, H]`. */
  readonly h: Tensor;
}

/** The parameters of one layer and direction, by role (null where the layer has no bias). */
export interface RNNLayerParameters {
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor | null;
  readonly biasHh: Tensor | null;
}

/**
 * A multi-layer Elman RNN, PyTorch's `nn.RNN`. Parameters per layer k and direction suffix s
 * ('' or '_reverse'), PyTorch's names and order: `weight_ih_l{k}{s}` [H, I_k],
 * `weight_hh_l{k}{s}` [H, H], `bias_ih_l{k}{s}` [H], `bias_hh_l{k}{s}` [H], uniform in ±1/√H.
 *
 * @example
 * ```ts
 * const rnn = new RNN({ inputSize: 4, hiddenSize: 16, nonlinearity: 'relu', bidirectional: true });
 * const { output, h } = rnn.forward(x); // x [T, B, 4] → output [T, B, 32], h [2, B, 16]
 * ```
 */
export class RNN extends RecurrentLayer {
  readonly nonlinearity: RNNNonlinearity;
  private readonly directions: RNNLayerParameters[];

  constructor(options: RNNOptions) {
    super('RNN', { ...options, fused: false });
    // Checked at run time too: JavaScript callers may pass anything.
    const nonlinearity: unknown = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new GatedError('RNN', `nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nonlinearity)}`);
    }
    this.nonlinearity = nonlinearity;
    const hidden = this.hiddenSize;
    this.directions = this.createDirections(hidden, (suffix, layerInput, init) => ({
      weightIh: init(`weight_ih${suffix}`, [hidden, layerInput]),
      weightHh: init(`weight_hh${suffix}`, [hidden, hidden]),
      biasIh: this.bias ? init(`bias_ih${suffix}`, [hidden]) : null,
      biasHh: this.bias ? init(`bias_hh${suffix}`, [hidden]) : null,
    }));
  }

  protected override get label(): string {
    return 'RNN';
  }

  protected override describe(): string {
    const extras = [
      this.numLayers !== 1 ? `numLayers=${this.numLayers}` : '',
      this.bidirectional ? 'bidirectional' : '',
      this.nonlinearity === 'relu' ? "nonlinearity='relu'" : '',
      this.bias ? '' : 'bias=false',
    ].filter((s) => s !== '');
    return `RNN(${this.inputSize}, ${this.hiddenSize}${extras.map((e) => `, ${e}`).join('')})`;
  }

  /** Runs the RNN over `x` (`[T, B, I]`, `[B, T, I]` with `batchFirst`, or unbatched `[T, I]`). */
  forward(x: Tensor, options: RNNForwardOptions = {}): RNNResult {
    const op = 'RNN.forward';
    this.assertLive('forward');
    const layout = checkSequenceInput(op, x, this.inputSize, this.batchFirst);
    const count = this.numLayers * this.numDirections;
    const lengths = options.lengths === undefined ? null : sequenceLengths(op, options.lengths, layout);
    const hidden = this.hiddenSize;
    const activate = this.nonlinearity === 'relu' ? relu : tanh;
    return tidy(() => {
      const h0 = options.h0 ? checkState(op, 'h0', options.h0, layout, count, hidden, 'hiddenSize') : null;
      const lengthValues = lengthsTensor(lengths);
      const finalH: Tensor[] = [];
      const output = runLayers(this, this.layerDropout, x, layout, lengthValues, (input, index, _layer, direction) => {
        const params = this.directions[index]!;
        const bias = params.biasIh && params.biasHh ? add(params.biasIh, params.biasHh) : null;
        const start = h0 ? stateAt(h0, index) : zeros([layout.batch, hidden]);
        const result = runStepLoop(projectInput(input, params.weightIh, bias), [start], lengthValues, direction === 1, (xt, [h]) => ({
          states: [activate(add(xt, matmul(h!, params.weightHh, { transposeB: true })))],
        }));
        finalH.push(result.states[0]!);
        return result.output;
      });
      return { output, h: stackStates(finalH, layout) };
    });
  }

  /** The parameters of one layer and direction, by role (for exporters and inspection). */
  layerParameters(layer: number, reverse = false): RNNLayerParameters {
    return this.directions[this.directionIndex(layer, reverse)]!;
  }
}

/**
 * `GRU` and `GRUCell`, PyTorch's `nn.GRU` / `nn.GRUCell` (gate order r, z, n; the reset gate
 * multiplies the hidden projection *after* the matmul, bias included). Same structure as the
 * LSTM: per layer and direction one matmul for the input projection of all steps, then one
 * `gruSequence` op, which the backend's fused kernel runs when it has one (contract v1.1) and
 * the op's composite otherwise. `GRUCell` is a sequence of one step. With `linearBeforeReset:
 * false` (ONNX's default form: the reset gate multiplies h before the matmul) the layer runs the
 * composite step loop of step-loop.ts instead: `gruSequence` computes PyTorch's form only.
 */
import { checkOptions } from '@gated/backend-api';
import {
  add,
  concat,
  gruSequence,
  matmul,
  mul,
  narrow,
  reshape,
  sigmoid,
  slice,
  split,
  squeeze,
  sub,
  tanh,
  tidy,
  uniform,
  unsqueeze,
  zeros,
  type Tensor,
} from '@gated/tensor';
import { seedOption } from './init.js';
import { positiveInteger } from './checks.js';
import { checkCellInput, checkCellState } from './lstm-cell.js';
import { Module } from './module.js';
import { checkSequenceInput, checkState, lengthsTensor, projectInput, runLayers } from './recurrent.js';
import { sequenceLengths, stackStates, stateAt, type Lengths, type RecurrentOptions } from './recurrent.js';
import { RecurrentLayer } from './recurrent-layer.js';
import { runStepLoop } from './step-loop.js';
import { checkSeed, deriveSeed } from './seed.js';

/**
 * The operands of `gruSequence` from PyTorch's biases: `b_ih` plus the r and z blocks of `b_hh`
 * go into the input projection; the n block of `b_hh` (`b_hn`) stays apart, because the reset
 * gate multiplies it.
 */
function splitBiases(biasIh: Tensor | null, biasHh: Tensor | null, hidden: number): { input: Tensor | null; biasHn: Tensor | null } {
  if (!biasIh || !biasHh) return { input: biasIh, biasHn: biasHh && slice(biasHh, [2 * hidden], [hidden]) };
  const recurrentRZ = concat([slice(biasHh, [0], [2 * hidden]), zeros([hidden])], 0);
  return { input: add(biasIh, recurrentRZ), biasHn: slice(biasHh, [2 * hidden], [hidden]) };
}

/**
 * One direction of a GRU with `linearBeforeReset: false`, as the composite step loop: both
 * biases go into the input projection (`b_hn` is added after the matmul of `r ⊙ h`, so nothing
 * multiplies it), then per step one matmul for the r and z blocks of `h W_hhᵀ` and one for
 * `(r ⊙ h) W_hnᵀ`.
 */
function resetBeforeLoop(
  input: Tensor,
  params: GRULayerParameters,
  h0: Tensor,
  lengths: Tensor | null,
  reverse: boolean,
): { output: Tensor; h: Tensor } {
  const hidden = params.weightHh.shape[1]!;
  const bias = params.biasIh && params.biasHh ? add(params.biasIh, params.biasHh) : null;
  const weightRZ = narrow(params.weightHh, 0, 0, 2 * hidden);
  const weightN = narrow(params.weightHh, 0, 2 * hidden, hidden);
  const result = runStepLoop(projectInput(input, params.weightIh, bias), [h0], lengths, reverse, (x, [h]) => {
    const [xr, xz, xn] = split(x, 3, 1);
    const [hr, hz] = split(matmul(h!, weightRZ, { transposeB: true }), 2, 1);
    const r = sigmoid(add(xr!, hr!));
    const z = sigmoid(add(xz!, hz!));
    const n = tanh(add(xn!, matmul(mul(r, h!), weightN, { transposeB: true })));
    // h' = (1 − z) ⊙ n + z ⊙ h, written with one product.
    return { states: [add(n, mul(z, sub(h!, n)))] };
  });
  return { output: result.output, h: result.states[0]! };
}

/** Constructor options of {@link GRU}: those every recurrent layer has (PyTorch's names), and the form of n. */
export interface GRUOptions extends RecurrentOptions {
  /**
   * Where the reset gate applies. `true` (default, PyTorch's and cuDNN's form, ONNX's
   * `linear_before_reset = 1`): after the recurrent matmul, `n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))`.
   * `false` (ONNX's default form, the original GRU paper's): before it,
   * `n = tanh(x W_inᵀ + b_in + (r ⊙ h) W_hnᵀ + b_hn)`. The fused `gruSequence` kernels compute the
   * first form; `false` always runs the composite step loop (docs/decisions/0023).
   */
  readonly linearBeforeReset?: boolean;
}

/** Options of {@link GRU.forward}. */
export interface GRUForwardOptions {
  /** Initial hidden state `[numLayers·D, B, H]`; zeros if omitted. */
  readonly h0?: Tensor;
  /** Per-sequence lengths, as for `LSTM.forward`. */
  readonly lengths?: Lengths;
}

/** What {@link GRU.forward} returns; yours to dispose. */
export interface GRUResult {
  /** `[T, B, D·H]` (`[B, T, D·H]` batch-first, `[T, D·H]` unbatched). */
  readonly output: Tensor;
  /** `[numLayers·D, B, H]`. */
  readonly h: Tensor;
}

/** The parameters of one GRU layer and direction, by role (null where the layer has no bias). */
export interface GRULayerParameters {
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor | null;
  readonly biasHh: Tensor | null;
}

/**
 * A multi-layer GRU, PyTorch's `nn.GRU`. Parameters per layer k and direction suffix s:
 * `weight_ih_l{k}{s}` [3H, I_k], `weight_hh_l{k}{s}` [3H, H], `bias_ih_l{k}{s}` [3H],
 * `bias_hh_l{k}{s}` [3H], row blocks r, z, n; uniform in ±1/√H.
 *
 * @example
 * ```ts
 * const gru = new GRU({ inputSize: 4, hiddenSize: 16 });
 * const { output, h } = gru.forward(x); // x [T, B, 4]
 * ```
 */
export class GRU extends RecurrentLayer {
  readonly linearBeforeReset: boolean;
  private readonly directions: GRULayerParameters[];

  constructor(options: GRUOptions) {
    super('GRU', options);
    this.linearBeforeReset = options.linearBeforeReset ?? true;
    const hidden = this.hiddenSize;
    this.directions = this.createDirections(hidden, (suffix, layerInput, init) => ({
      weightIh: init(`weight_ih${suffix}`, [3 * hidden, layerInput]),
      weightHh: init(`weight_hh${suffix}`, [3 * hidden, hidden]),
      biasIh: this.bias ? init(`bias_ih${suffix}`, [3 * hidden]) : null,
      biasHh: this.bias ? init(`bias_hh${suffix}`, [3 * hidden]) : null,
    }));
  }

  protected override get label(): string {
    return 'GRU';
  }

  protected override describe(): string {
    const extras = `${this.bidirectional ? ', bidirectional' : ''}${this.linearBeforeReset ? '' : ', linearBeforeReset=false'}`;
    return `GRU(${this.inputSize}, ${this.hiddenSize}, numLayers=${this.numLayers}${extras})`;
  }

  /** Runs the GRU over `x` (`[T, B, I]`, `[B, T, I]` with `batchFirst`, or unbatched `[T, I]`). */
  forward(x: Tensor, options: GRUForwardOptions = {}): GRUResult {
    checkOptions('GRU.forward', options);
    const op = 'GRU.forward';
    this.assertLive('forward');
    const layout = checkSequenceInput(op, x, this.inputSize, this.batchFirst);
    const count = this.numLayers * this.numDirections;
    const lengths = options.lengths === undefined ? null : sequenceLengths(op, options.lengths, layout);
    const hidden = this.hiddenSize;
    return tidy(() => {
      const h0 = options.h0 ? checkState(op, 'h0', options.h0, layout, count, hidden, 'hiddenSize') : null;
      const lengthValues = lengthsTensor(lengths);
      const finalH: Tensor[] = [];
      const output = runLayers(this, this.layerDropout, x, layout, lengthValues, (input, index, _layer, direction) => {
        const params = this.directions[index]!;
        const start = h0 ? stateAt(h0, index) : zeros([layout.batch, hidden]);
        if (!this.linearBeforeReset) {
          const result = resetBeforeLoop(input, params, start, lengthValues, direction === 1);
          finalH.push(result.h);
          return result.output;
        }
        const biases = splitBiases(params.biasIh, params.biasHh, hidden);
        const result = gruSequence(
          {
            inputGates: projectInput(input, params.weightIh, biases.input),
            weightHh: params.weightHh,
            biasHn: biases.biasHn,
            h0: start,
            lengths: lengthValues,
            reverse: direction === 1,
          },
          { fused: this.fused },
        );
        finalH.push(result.h);
        return result.output;
      });
      const h = stackStates(finalH, layout);
      return { output, h };
    });
  }

  /** The parameters of one layer and direction, by role (for exporters and inspection). */
  layerParameters(layer: number, reverse = false): GRULayerParameters {
    return this.directions[this.directionIndex(layer, reverse)]!;
  }
}

/** Constructor options of {@link GRUCell}. */
export interface GRUCellOptions {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Default true. */
  readonly bias?: boolean;
  readonly seed?: number;
  /** Use the backend's fused GRU kernel when it has one (default true). */
  readonly fused?: boolean;
}

/**
 * One GRU step (PyTorch's `nn.GRUCell`): `weight_ih` [3H, I], `weight_hh` [3H, H], `bias_ih`,
 * `bias_hh` [3H].
 *
 * @example
 * ```ts
 * const cell = new GRUCell({ inputSize: 3, hiddenSize: 8 });
 * const { h } = cell.forward(x0);
 * const next = cell.forward(x1, { h0: h });
 * ```
 */
export class GRUCell extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor | null;
  readonly biasHh: Tensor | null;
  /** Whether the backend's fused kernel is used when available. */
  readonly fused: boolean;

  constructor(options: GRUCellOptions) {
    super();
    checkOptions('GRUCell', options, true);
    this.inputSize = positiveInteger('GRUCell', 'inputSize', options.inputSize);
    this.hiddenSize = positiveInteger('GRUCell', 'hiddenSize', options.hiddenSize);
    this.bias = options.bias ?? true;
    this.fused = options.fused ?? true;
    checkSeed('GRUCell', options.seed);
    const bound = 1 / Math.sqrt(this.hiddenSize);
    let index = 0;
    const init = (name: string, shape: number[]) =>
      this.addParameter(name, uniform(shape, -bound, bound, seedOption(deriveSeed(options.seed, index++))));
    const gates = 3 * this.hiddenSize;
    [this.weightIh, this.weightHh, this.biasIh, this.biasHh] = this.build(() => [
      init('weight_ih', [gates, this.inputSize]),
      init('weight_hh', [gates, this.hiddenSize]),
      this.bias ? init('bias_ih', [gates]) : null,
      this.bias ? init('bias_hh', [gates]) : null,
    ]);
  }

  protected override get label(): string {
    return 'GRUCell';
  }

  protected override describe(): string {
    return `GRUCell(${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=false'})`;
  }

  /** One step on `x` [B, I] (or unbatched [I]) from `h0` [B, H] (zeros if omitted). */
  forward(x: Tensor, state: { readonly h0?: Tensor } = {}): { readonly h: Tensor } {
    const op = 'GRUCell.forward';
    this.assertLive('forward');
    const unbatched = checkCellInput(op, x, this.inputSize);
    const batch = unbatched ? 1 : x.shape[0]!;
    return tidy(() => {
      const h0 = state.h0 ? checkCellState(op, 'h0', state.h0, batch, this.hiddenSize, unbatched) : zeros([batch, this.hiddenSize]);
      const rows = unbatched ? unsqueeze(x, 0) : x;
      const biases = splitBiases(this.biasIh, this.biasHh, this.hiddenSize);
      let inputGates = matmul(rows, this.weightIh, { transposeB: true });
      if (biases.input) inputGates = add(inputGates, biases.input);
      const step = gruSequence(
        { inputGates: reshape(inputGates, [1, batch, 3 * this.hiddenSize]), weightHh: this.weightHh, biasHn: biases.biasHn, h0 },
        { fused: this.fused },
      );
      const h = step.h;
      return { h: unbatched ? squeeze(h, 0) : h };
    });
  }
}

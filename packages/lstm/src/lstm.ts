/**
 * `LSTM`: PyTorch's `nn.LSTM` (same options, equations, gate order, parameter names and
 * layouts), with variable-length batches, gate introspection and state carrying for truncated
 * backpropagation through time. See docs/lstm.md for the equations as implemented.
 *
 * Structure (docs/architecture.md, "Fused kernels beside their composites"): per layer and
 * direction, the input projection of all T steps is one matmul (`[T·B, I] × W_ihᵀ` plus both
 * biases), and the recurrence is one `lstmSequence` op, projection `W_hr` included: the
 * backend's fused kernel runs the whole loop when it has one, else the op's composite does one
 * recurrent matmul, one `lstmCell` (and one `W_hr` matmul) per step. Nothing is read back inside
 * the loop, and a forward pass that records no gradient runs the kernels in inference mode.
 */
import { checkOptions, describeValue, GatedError } from '@gated/backend-api';
import { add, lstmSequence, split, squeeze, tidy, zeros, type LstmSequenceResult, type Tensor } from '@gated/tensor';
import { checkSequenceInput, checkState, lengthsTensor, projectInput, runLayers } from './recurrent.js';
import { sequenceLengths, stackStates, stateAt, type Lengths } from './recurrent.js';
import type { RecurrentOptions, SequenceLayout } from './recurrent.js';
import { RecurrentLayer } from './recurrent-layer.js';
import { peepholeSequence } from './lstm-peephole.js';

/**
 * Constructor options of {@link LSTM}, PyTorch's names in camelCase: those every recurrent layer
 * has (`hiddenSize` is the width of the hidden and cell states), and the LSTM's own.
 */
export interface LSTMOptions extends RecurrentOptions {
  /** Project h to this size with `weight_hr` (P < H); 0 for none. Default 0. */
  readonly projSize?: number;
  /**
   * Peephole connections (ONNX's `P`): the input and forget gates also see `c_{t-1}`, the output
   * gate `c_t`, through `weight_peephole_l{k}{s}` [3H] (blocks p_i, p_f, p_o). Runs the composite
   * step loop on every backend (the fused kernels have no peephole term). Default false.
   */
  readonly peepholes?: boolean;
}

/** Options of {@link LSTM.forward}. */
export interface LSTMForwardOptions {
  /** Initial hidden state `[numLayers·D, B, P]` (P = projSize or hiddenSize); zeros if omitted. */
  readonly h0?: Tensor;
  /** Initial cell state `[numLayers·D, B, H]`; zeros if omitted. */
  readonly c0?: Tensor;
  /**
   * The real length of each sequence (host numbers, unsorted allowed; what
   * `pack_padded_sequence` gives PyTorch users): steps past a sequence's length are padding,
   * its outputs there are 0 and its final state is the state after its last real step, in both
   * directions.
   */
  readonly lengths?: Lengths;
  /** Also return every step's gate activations and cell states (see {@link LSTMGates}). */
  readonly returnGates?: boolean;
}

/**
 * Gate activations of one layer and direction, each `[T, B, H]` (`[T, H]` for an unbatched
 * input), in time order for both directions, 0 at steps past a sequence's length. They are for
 * inspection: detached, they carry no gradient.
 */
export interface LSTMGates {
  readonly layer: number;
  readonly direction: 'forward' | 'reverse';
  /** Input gate `σ(i)`. */
  readonly input: Tensor;
  /** Forget gate `σ(f)`. */
  readonly forget: Tensor;
  /** Cell candidate `tanh(g)`. */
  readonly cell: Tensor;
  /** Output gate `σ(o)`. */
  readonly output: Tensor;
  /** Cell state `c_t` after each step. */
  readonly cellState: Tensor;
}

/** What {@link LSTM.forward} returns; every tensor is yours to dispose. */
export interface LSTMResult {
  /** Last layer's hidden state at every step: `[T, B, D·P]` (`[B, T, D·P]` batch-first, `[T, D·P]` unbatched). */
  readonly output: Tensor;
  /** Final hidden state of every layer and direction, `[numLayers·D, B, P]` (index `layer·D + direction`). */
  readonly h: Tensor;
  /** Final cell state, `[numLayers·D, B, H]`. */
  readonly c: Tensor;
  /** Present when `returnGates` was set: one entry per layer and direction, index `layer·D + direction`. */
  readonly gates?: readonly LSTMGates[];
}

/** The parameters of one layer and direction, by role (null where the configuration has none). */
export interface LSTMLayerParameters {
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor | null;
  readonly biasHh: Tensor | null;
  readonly weightHr: Tensor | null;
  /** `[3H]`, blocks p_i, p_f, p_o (with `peepholes`). */
  readonly weightPeephole: Tensor | null;
}

/**
 * A multi-layer LSTM, PyTorch's `nn.LSTM`. For each step, with gate order i, f, g, o:
 *
 * ```
 * [i, f, g, o] = split4(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)
 * c_t = σ(f) ⊙ c_{t-1} + σ(i) ⊙ tanh(g)
 * h_t = σ(o) ⊙ tanh(c_t)               (× W_hrᵀ when projSize > 0)
 * ```
 *
 * Parameters, per layer k and direction suffix s ('' or '_reverse'), in PyTorch's order:
 * `weight_ih_l{k}{s}` [4H, I_k], `weight_hh_l{k}{s}` [4H, P], `bias_ih_l{k}{s}` [4H],
 * `bias_hh_l{k}{s}` [4H], `weight_hr_l{k}{s}` [P, H] (with projections), then
 * `weight_peephole_l{k}{s}` [3H] (with `peepholes`, not a PyTorch parameter), all initialized
 * uniform in ±1/√H.
 *
 * @example
 * ```ts
 * const lstm = new LSTM({ inputSize: 8, hiddenSize: 32, numLayers: 2, batchFirst: true });
 * const { output, h, c } = lstm.forward(x);               // x: [B, T, 8] → output [B, T, 32]
 * const next = lstm.forward(x2, { h0: h.detach(), c0: c.detach() }); // carry state (TBPTT)
 * ```
 */
export class LSTM extends RecurrentLayer {
  readonly projSize: number;
  readonly peepholes: boolean;
  private readonly directions: LSTMLayerParameters[];

  constructor(options: LSTMOptions) {
    super('LSTM', options);
    this.projSize = options.projSize ?? 0;
    if (!Number.isInteger(this.projSize) || this.projSize < 0 || this.projSize >= this.hiddenSize) {
      throw new GatedError(
        'LSTM',
        `projSize must be an integer in [0, hiddenSize) = [0, ${this.hiddenSize}), got ${describeValue(options.projSize)}`,
      );
    }
    this.peepholes = options.peepholes ?? false;
    const hidden = this.hiddenSize;
    const out = this.outputSize;
    this.directions = this.createDirections(out, (suffix, layerInput, init) => ({
      weightIh: init(`weight_ih${suffix}`, [4 * hidden, layerInput]),
      weightHh: init(`weight_hh${suffix}`, [4 * hidden, out]),
      biasIh: this.bias ? init(`bias_ih${suffix}`, [4 * hidden]) : null,
      biasHh: this.bias ? init(`bias_hh${suffix}`, [4 * hidden]) : null,
      weightHr: this.projSize > 0 ? init(`weight_hr${suffix}`, [this.projSize, hidden]) : null,
      weightPeephole: this.peepholes ? init(`weight_peephole${suffix}`, [3 * hidden]) : null,
    }));
  }

  protected override get label(): string {
    return 'LSTM';
  }

  protected override describe(): string {
    const extras = [
      this.numLayers !== 1 ? `numLayers=${this.numLayers}` : '',
      this.bidirectional ? 'bidirectional' : '',
      this.projSize > 0 ? `projSize=${this.projSize}` : '',
      this.peepholes ? 'peepholes' : '',
      this.bias ? '' : 'bias=false',
    ].filter((s) => s !== '');
    return `LSTM(${this.inputSize}, ${this.hiddenSize}${extras.map((e) => `, ${e}`).join('')})`;
  }

  /** Size of the hidden state and of each direction's output: projSize if set, else hiddenSize (P). */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /**
   * Runs the LSTM over `x` (`[T, B, I]`, `[B, T, I]` with `batchFirst`, or an unbatched `[T, I]`).
   * In training mode, `dropout` applies between layers.
   */
  forward(x: Tensor, options: LSTMForwardOptions = {}): LSTMResult {
    checkOptions('LSTM.forward', options);
    const op = 'LSTM.forward';
    this.assertLive('forward');
    const layout = checkSequenceInput(op, x, this.inputSize, this.batchFirst);
    const count = this.numLayers * this.numDirections;
    const lengths = options.lengths === undefined ? null : sequenceLengths(op, options.lengths, layout);
    const wantGates = options.returnGates ?? false;
    return tidy(() => {
      const h0 = options.h0
        ? checkState(op, 'h0', options.h0, layout, count, this.outputSize, this.projSize > 0 ? 'projSize' : 'hiddenSize')
        : null;
      const c0 = options.c0 ? checkState(op, 'c0', options.c0, layout, count, this.hiddenSize, 'hiddenSize') : null;
      const lengthValues = lengthsTensor(lengths);
      const finalH: Tensor[] = [];
      const finalC: Tensor[] = [];
      const gates: LSTMGates[] = [];
      const output = runLayers(this, this.layerDropout, x, layout, lengthValues, (input, index, layer, direction) => {
        const params = this.directions[index]!;
        const bias = params.biasIh && params.biasHh ? add(params.biasIh, params.biasHh) : null;
        const inputGates = projectInput(input, params.weightIh, bias);
        const hStart = h0 ? stateAt(h0, index) : zeros([layout.batch, this.outputSize]);
        const cStart = c0 ? stateAt(c0, index) : zeros([layout.batch, this.hiddenSize]);
        const reverse = direction === 1;
        const result = params.weightPeephole
          ? peepholeSequence(
              inputGates,
              { ...params, weightPeephole: params.weightPeephole },
              { h0: hStart, c0: cStart },
              lengthValues,
              reverse,
              wantGates,
            )
          : lstmSequence(
              { inputGates, weightHh: params.weightHh, h0: hStart, c0: cStart, weightHr: params.weightHr, lengths: lengthValues, reverse },
              { fused: this.fused, returnGates: wantGates },
            );
        finalH.push(result.h);
        finalC.push(result.c);
        if (wantGates) gates.push(this.describeGates(layer, direction, result, layout));
        return result.output;
      });
      const h = stackStates(finalH, layout);
      const c = stackStates(finalC, layout);
      return wantGates ? { output, h, c, gates } : { output, h, c };
    });
  }

  private describeGates(layer: number, direction: number, result: LstmSequenceResult, layout: SequenceLayout): LSTMGates {
    const unbatch = (t: Tensor) => (layout.unbatched ? squeeze(t, 1) : t);
    const [input, forget, cell, output] = split(result.gates!, 4, 2).map(unbatch);
    return {
      layer,
      direction: direction === 1 ? 'reverse' : 'forward',
      input: input!,
      forget: forget!,
      cell: cell!,
      output: output!,
      cellState: unbatch(result.cells!),
    };
  }

  /** The parameters of one layer and direction, by role (for importers and inspection). */
  layerParameters(layer: number, reverse = false): LSTMLayerParameters {
    return this.directions[this.directionIndex(layer, reverse)]!;
  }
}

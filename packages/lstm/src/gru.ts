/**
 * `GRU` and `GRUCell`, PyTorch's `nn.GRU` / `nn.GRUCell` (gate order r, z, n; the reset gate
 * multiplies the hidden projection *after* the matmul, bias included). The Backend contract has
 * no fused GRU kernel: these are built from public ops, with the same structure as the LSTM (one
 * matmul for the input projection of all steps, then one recurrent matmul per step).
 */
import {
  add,
  matmul,
  mul,
  sigmoid,
  slice,
  split,
  squeeze,
  stack,
  sub,
  tanh,
  tidy,
  uniform,
  unsqueeze,
  where,
  zeros,
  type Tensor,
} from '@gated/tensor';
import { seedOption } from './init.js';
import { positiveInteger } from './checks.js';
import { checkCellInput, checkCellState } from './lstm-cell.js';
import { Module } from './module.js';
import { activeMask, checkSequenceInput, checkState, lengthsTensor, maskAt, projectInput, runLayers } from './recurrent.js';
import { sequenceLengths, stackStates, stateAt, stepOf, type Lengths, type RecurrentOptions } from './recurrent.js';
import { RecurrentLayer } from './recurrent-layer.js';
import { checkSeed, deriveSeed } from './seed.js';

/**
 * One GRU step from the input projection `gi = x W_ihᵀ + b_ih` and the hidden projection
 * `gh = h W_hhᵀ + b_hh`, both [B, 3H]:
 * `r = σ(gi_r + gh_r)`, `z = σ(gi_z + gh_z)`, `n = tanh(gi_n + r ⊙ gh_n)`, `h' = (1 − z) ⊙ n + z ⊙ h`.
 */
function gruStep(gi: Tensor, gh: Tensor, h: Tensor, hidden: number): Tensor {
  const batch = h.shape[0]!;
  const rz = sigmoid(add(slice(gi, [0, 0], [batch, 2 * hidden]), slice(gh, [0, 0], [batch, 2 * hidden])));
  const [r, z] = split(rz, 2, 1);
  const n = tanh(add(slice(gi, [0, 2 * hidden], [batch, hidden]), mul(r!, slice(gh, [0, 2 * hidden], [batch, hidden]))));
  return add(n, mul(z!, sub(h, n)));
}

/** Constructor options of {@link GRU}: those every recurrent layer has (PyTorch's names). */
export type GRUOptions = RecurrentOptions;

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

interface GRUDirection {
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
  private readonly directions: GRUDirection[];

  constructor(options: GRUOptions) {
    super('GRU', options);
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
    return `GRU(${this.inputSize}, ${this.hiddenSize}, numLayers=${this.numLayers}${this.bidirectional ? ', bidirectional' : ''})`;
  }

  /** Runs the GRU over `x` (`[T, B, I]`, `[B, T, I]` with `batchFirst`, or unbatched `[T, I]`). */
  forward(x: Tensor, options: GRUForwardOptions = {}): GRUResult {
    const op = 'GRU.forward';
    this.assertLive('forward');
    const layout = checkSequenceInput(op, x, this.inputSize, this.batchFirst);
    const count = this.numLayers * this.numDirections;
    const lengths = options.lengths === undefined ? null : sequenceLengths(op, options.lengths, layout);
    const hidden = this.hiddenSize;
    return tidy(() => {
      const h0 = options.h0 ? checkState(op, 'h0', options.h0, layout, count, hidden, 'hiddenSize') : null;
      const lengthValues = lengthsTensor(lengths);
      const { steps, batch } = layout;
      const active = lengthValues ? activeMask(lengthValues, steps, batch) : null;
      const finalH: Tensor[] = [];
      const output = runLayers(this, this.layerDropout, x, layout, (input, index, _layer, direction) => {
        const params = this.directions[index]!;
        const inputGates = projectInput(input, params.weightIh, params.biasIh);
        let h = h0 ? stateAt(h0, index) : zeros([batch, hidden]);
        const stepOutputs = new Array<Tensor>(steps);
        for (let s = 0; s < steps; s++) {
          const t = direction === 1 ? steps - 1 - s : s;
          let hiddenGates = matmul(h, params.weightHh, { transposeB: true });
          if (params.biasHh) hiddenGates = add(hiddenGates, params.biasHh);
          const next = gruStep(stepOf(inputGates, t), hiddenGates, h, hidden);
          if (active) {
            const mask = maskAt(active, t, batch);
            stepOutputs[t] = where(mask, next, 0);
            h = where(mask, next, h);
          } else {
            stepOutputs[t] = next;
            h = next;
          }
        }
        finalH.push(h);
        return stack(stepOutputs, 0);
      });
      const h = stackStates(finalH, layout);
      return { output, h };
    });
  }
}

/** Constructor options of {@link GRUCell}. */
export interface GRUCellOptions {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Default true. */
  readonly bias?: boolean;
  readonly seed?: number;
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

  constructor(options: GRUCellOptions) {
    super();
    this.inputSize = positiveInteger('GRUCell', 'inputSize', options.inputSize);
    this.hiddenSize = positiveInteger('GRUCell', 'hiddenSize', options.hiddenSize);
    this.bias = options.bias ?? true;
    checkSeed('GRUCell', options.seed);
    const bound = 1 / Math.sqrt(this.hiddenSize);
    let index = 0;
    const init = (name: string, shape: number[]) =>
      this.addParameter(name, uniform(shape, -bound, bound, seedOption(deriveSeed(options.seed, index++))));
    const gates = 3 * this.hiddenSize;
    this.weightIh = init('weight_ih', [gates, this.inputSize]);
    this.weightHh = init('weight_hh', [gates, this.hiddenSize]);
    this.biasIh = this.bias ? init('bias_ih', [gates]) : null;
    this.biasHh = this.bias ? init('bias_hh', [gates]) : null;
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
      let gi = matmul(rows, this.weightIh, { transposeB: true });
      if (this.biasIh) gi = add(gi, this.biasIh);
      let gh = matmul(h0, this.weightHh, { transposeB: true });
      if (this.biasHh) gh = add(gh, this.biasHh);
      const h = gruStep(gi, gh, h0, this.hiddenSize);
      return { h: unbatched ? squeeze(h, 0) : h };
    });
  }
}


/**
 * The base of LSTM and GRU as modules: the options every recurrent layer has, validated the same
 * way (errors name the layer), the number of directions, and PyTorch's initialization of their
 * parameters. The layer loop they share is `runLayers` (recurrent.ts).
 */
import { GatedError, checkOptions, describeValue } from '@gated/backend-api';
import { uniform, type Tensor } from '@gated/tensor';
import { positiveInteger } from './checks.js';
import { checkDropout } from './dropout.js';
import { seedOption } from './init.js';
import { Module } from './module.js';
import type { LayerDropout, RecurrentOptions } from './recurrent.js';
import { checkSeed, deriveSeed } from './seed.js';

export abstract class RecurrentLayer extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** Whether the backend's fused sequence kernels are used when available. */
  readonly fused: boolean;
  /** The seed of the initial weights and of the dropout masks (undefined: the global stream). */
  protected readonly seed: number | undefined;
  /** The seed and running count of dropout calls between layers (see `runLayers`). */
  protected readonly layerDropout: LayerDropout;

  protected constructor(op: string, options: RecurrentOptions) {
    super();
    checkOptions(op, options, true);
    this.inputSize = positiveInteger(op, 'inputSize', options.inputSize);
    this.hiddenSize = positiveInteger(op, 'hiddenSize', options.hiddenSize);
    this.numLayers = positiveInteger(op, 'numLayers', options.numLayers ?? 1);
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    checkDropout(op, this.dropout);
    this.bidirectional = options.bidirectional ?? false;
    this.fused = options.fused ?? true;
    checkSeed(op, options.seed);
    this.seed = options.seed;
    this.layerDropout = { seed: options.seed, calls: 0 };
  }

  /** 2 when bidirectional, else 1 (PyTorch's D). */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /**
   * Creates the parameters of every layer and direction in PyTorch's order: `make` receives the
   * names' suffix (`_l1_reverse`), the layer's input width (`inputSize`, then D · `layerOutput`)
   * and `init`, which registers a parameter initialized as PyTorch does, uniform in
   * ±1/√hiddenSize; the k-th parameter draws from the k-th seed derived from the layer's seed, so
   * a seeded layer is reproducible. If creating one fails, the ones already made are freed.
   */
  protected createDirections<P>(
    layerOutput: number,
    make: (suffix: string, layerInput: number, init: (name: string, shape: number[]) => Tensor) => P,
  ): P[] {
    this.checkParameterCount(layerOutput, make);
    const bound = 1 / Math.sqrt(this.hiddenSize);
    let index = 0;
    const init = (name: string, shape: number[]): Tensor =>
      this.addParameter(name, uniform(shape, -bound, bound, seedOption(deriveSeed(this.seed, index++))));
    return this.build(() => {
      const directions: P[] = [];
      for (let layer = 0; layer < this.numLayers; layer++) {
        const layerInput = layer === 0 ? this.inputSize : this.numDirections * layerOutput;
        for (let direction = 0; direction < this.numDirections; direction++) {
          directions.push(make(`_l${layer}${direction === 1 ? '_reverse' : ''}`, layerInput, init));
        }
      }
      return directions;
    });
  }

  /**
   * Refuses, before anything is allocated, a layer whose parameters add up to more than 2^31 - 1
   * elements (the most one backend buffer indexes): `numLayers: 2 ** 40` would otherwise allocate
   * small tensors until the process runs out of memory. Every layer past the first has the same
   * shapes, so two layers' worth of shapes (recorded without allocating) give the total.
   */
  private checkParameterCount(
    layerOutput: number,
    make: (suffix: string, layerInput: number, init: (name: string, shape: number[]) => Tensor) => unknown,
  ): void {
    const perLayer = [0, 0];
    for (const layer of [0, 1]) {
      const layerInput = layer === 0 ? this.inputSize : this.numDirections * layerOutput;
      make('', layerInput, (_name, shape) => {
        perLayer[layer]! += shape.reduce((a, b) => a * b, 1) * this.numDirections;
        return null as unknown as Tensor; // counted, never used
      });
    }
    const total = perLayer[0]! + (this.numLayers - 1) * perLayer[1]!;
    if (total > 0x7fffffff) {
      throw new GatedError(
        this.label,
        `${this.describe()} would have ${total} parameters, more than 2^31-1 (numLayers ${this.numLayers}, hiddenSize ${this.hiddenSize})`,
      );
    }
  }

  /** The index of a layer's direction in the per-direction parameters (`layer·D + direction`), checked. */
  protected directionIndex(layer: number, reverse: boolean): number {
    this.assertLive('layerParameters');
    const op = `${this.label}.layerParameters`;
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.numLayers) {
      throw new GatedError(op, `layer must be in [0, ${this.numLayers}), got ${describeValue(layer)}`);
    }
    if (reverse && !this.bidirectional) throw new GatedError(op, `this ${this.label} is not bidirectional`);
    return layer * this.numDirections + (reverse ? 1 : 0);
  }
}

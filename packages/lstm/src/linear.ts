import { checkOptions, GatedError, formatShape } from '@gated/backend-api';
import { add, matmul, reshape, tidy, uniform, type Tensor } from '@gated/tensor';
import { seedOption } from './init.js';
import { Module } from './module.js';
import { checkSeed, deriveSeed } from './seed.js';
import { positiveInteger } from './checks.js';
import { assertLiveTensor } from '@gated/tensor/internal';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Add a learned bias (default true). */
  readonly bias?: boolean;
  /** Seed of the initial values (default: the global random stream). */
  readonly seed?: number;
}

/**
 * `y = x · Wᵀ + b` over the last axis (PyTorch's `nn.Linear`): `weight` [out, in], `bias` [out],
 * both initialized uniform in ±1/√in (what PyTorch's default init amounts to).
 *
 * @example
 * ```ts
 * const head = new Linear(64, 10);
 * const logits = head.forward(features); // [..., 64] → [..., 10]
 * ```
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkOptions('Linear', options);
    this.inFeatures = positiveInteger('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positiveInteger('Linear', 'outFeatures', outFeatures);
    checkSeed('Linear', options.seed);
    const bound = 1 / Math.sqrt(inFeatures);
    [this.weight, this.bias] = this.build(() => [
      this.addParameter('weight', uniform([outFeatures, inFeatures], -bound, bound, seedOption(deriveSeed(options.seed, 0)))),
      options.bias === false
        ? null
        : this.addParameter('bias', uniform([outFeatures], -bound, bound, seedOption(deriveSeed(options.seed, 1)))),
    ]);
  }

  protected override get label(): string {
    return 'Linear';
  }

  protected override describe(): string {
    return `Linear(${this.inFeatures}, ${this.outFeatures}${this.bias ? '' : ', bias=false'})`;
  }

  /** Applies the layer to `x` of shape [..., inFeatures]; returns [..., outFeatures]. */
  forward(x: Tensor): Tensor {
    this.assertLive('forward');
    assertLiveTensor('Linear.forward', x);
    if (x.dtype !== 'float32') throw new GatedError('Linear.forward', `input must be float32, got ${x.dtype}`);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new GatedError('Linear.forward', `expected input of shape [..., ${this.inFeatures}], got ${formatShape(x.shape)}`);
    }
    return tidy(() => {
      if (x.rank === 2) return this.affine(x);
      const lead = x.shape.slice(0, -1);
      const rows = lead.reduce((a, b) => a * b, 1);
      return reshape(this.affine(reshape(x, [rows, this.inFeatures])), [...lead, this.outFeatures]);
    });
  }

  private affine(rows: Tensor): Tensor {
    const product = matmul(rows, this.weight, { transposeB: true });
    return this.bias ? add(product, this.bias) : product;
  }
}

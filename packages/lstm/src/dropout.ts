import { checkOptions, describeValue, GatedError } from '@gated/backend-api';
import { bernoulli, mul, reshape, tidy, type Tensor } from '@gated/tensor';
import { seedOption } from './init.js';
import { Module } from './module.js';
import { checkSeed, deriveSeed } from './seed.js';
import { assertLiveTensor } from '@gated/tensor/internal';

/** Checks a dropout probability: a number in [0, 1). */
export function checkDropout(op: string, p: number): void {
  if (!(typeof p === 'number' && p >= 0 && p < 1)) throw new GatedError(op, `dropout must be a number in [0, 1), got ${describeValue(p)}`);
}

/**
 * Inverted dropout: in training mode each element is zeroed with probability `p` and the rest
 * are scaled by 1/(1-p), so evaluation needs no rescaling. A mask is drawn from the shared random
 * stream: `seed` makes a module's sequence of masks reproducible (the k-th call uses a seed
 * derived from it and k); without it the global stream is used.
 * @internal
 */
export function applyDropout(x: Tensor, p: number, seed: number | undefined, call: number): Tensor {
  if (p === 0) return x;
  return tidy(() => mul(x, mul(bernoulli(x.shape, 1 - p, seedOption(deriveSeed(seed, call))), 1 / (1 - p))));
}

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Seed of the masks (each call derives its own from it). Default: the global random stream. */
  readonly seed?: number;
}

/**
 * Inverted dropout (PyTorch's `nn.Dropout`): active in training mode only; `eval()` makes it the
 * identity.
 *
 * @example
 * ```ts
 * const drop = new Dropout(0.2);
 * const y = drop.forward(x); // training: ~20% zeros, the rest × 1.25
 * drop.eval();               // now y equals x
 * ```
 */
export class Dropout extends Module {
  readonly p: number;
  private readonly seed: number | undefined;
  private calls = 0;

  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    checkOptions('Dropout', options);
    checkDropout('Dropout', p);
    checkSeed('Dropout', options.seed);
    this.p = p;
    this.seed = options.seed;
  }

  protected override get label(): string {
    return 'Dropout';
  }

  /** `x` with dropout applied in training mode; a view of `x` in evaluation mode (you own either). */
  forward(x: Tensor): Tensor {
    this.assertLive('forward');
    assertLiveTensor('Dropout.forward', x);
    if (x.dtype !== 'float32') throw new GatedError('Dropout.forward', `expects float32 input, got ${x.dtype}`);
    // A new view in evaluation mode, so the caller always owns what forward returns.
    if (!this.training || this.p === 0) return reshape(x, x.shape);
    return applyDropout(x, this.p, this.seed, this.calls++);
  }
}

import { checkOptions, describeValue, formatShape, GatedError } from '@gated/backend-api';
import { gather, normal, notEqual, tensor, tidy, unsqueeze, where, type Tensor } from '@gated/tensor';
import { seedOption } from './init.js';
import { Module } from './module.js';
import { checkSeed } from './seed.js';
import { positiveInteger } from './checks.js';
import { asOp, assertLiveTensor } from '@gated/tensor/internal';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions {
  /**
   * An index whose row is initialized to zeros and never receives a gradient (PyTorch's
   * `padding_idx`): padding tokens then contribute nothing. Negative values count from the end.
   */
  readonly paddingIdx?: number;
  /** Seed of the initial values (default: the global random stream). */
  readonly seed?: number;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (PyTorch's `nn.Embedding`):
 * `weight` [numEmbeddings, embeddingDim], initialized N(0, 1). `forward(ids)` takes int32 ids of
 * any shape and returns [...ids.shape, embeddingDim].
 *
 * @example
 * ```ts
 * const embed = new Embedding(vocab.size, 32);
 * const vectors = embed.forward(tensor([[3, 1, 4]], { dtype: 'int32' })); // [1, 3, 32]
 * ```
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    checkOptions('Embedding', options);
    this.numEmbeddings = positiveInteger('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = positiveInteger('Embedding', 'embeddingDim', embeddingDim);
    checkSeed('Embedding', options.seed);
    let padding: number | null = null;
    if (options.paddingIdx !== undefined) {
      const p = options.paddingIdx;
      if (!Number.isInteger(p) || p < -numEmbeddings || p >= numEmbeddings) {
        throw new GatedError(
          'Embedding',
          `paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings - 1}], got ${describeValue(p)}`,
        );
      }
      padding = p < 0 ? p + numEmbeddings : p;
    }
    this.paddingIdx = padding;
    const initial = tidy(() => {
      const values = normal([numEmbeddings, embeddingDim], 0, 1, seedOption(options.seed));
      if (padding === null) return values;
      const rows = tensorIndexColumn(numEmbeddings, padding);
      return where(rows, values, 0);
    });
    this.weight = this.addParameter('weight', initial);
  }

  protected override get label(): string {
    return 'Embedding';
  }

  protected override describe(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
  }

  /** Looks up int32 `ids` of any shape; ids outside [0, numEmbeddings) throw on CPU backends. */
  forward(ids: Tensor): Tensor {
    this.assertLive('forward');
    assertLiveTensor('Embedding.forward', ids);
    if (ids.dtype !== 'int32') {
      throw new GatedError('Embedding.forward', `ids must be int32, got ${ids.dtype} ${formatShape(ids.shape)}`);
    }
    const padding = this.paddingIdx;
    // An id out of range is refused by gather; the message names this call first.
    return asOp('Embedding.forward', () => {
      if (padding === null) return gather(this.weight, ids, 0);
      return tidy(() => where(unsqueeze(notEqual(ids, padding), -1), gather(this.weight, ids, 0), 0));
    });
  }
}

/** bool [n, 1]: true on every row except `row`. */
function tensorIndexColumn(n: number, row: number): Tensor {
  const mask = new Uint8Array(n).fill(1);
  mask[row] = 0;
  return unsqueeze(tensor(mask, { dtype: 'bool' }), 1);
}

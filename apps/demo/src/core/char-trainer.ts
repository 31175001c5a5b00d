/**
 * Training a {@link CharModel} with truncated backpropagation through time (the recipe of
 * docs/lstm.md): the training text is cut into `batch` parallel streams, each step reads the next
 * `seqLength` characters of every stream, and the LSTM state is carried from one step to the next
 * with `detach()`. The last `validationFraction` of the text is held out for the validation loss.
 * Used by the page's worker and by scripts/train-pretrained.ts alike.
 */
import { noGrad } from '@gated/autograd';
import { crossEntropy } from '@gated/lstm';
import { Adam, clipGradNorm } from '@gated/optim';
import type { HostTensor } from '@gated/lstm';
import { GatedError, dispose, keep, reshape, tensor, tidy, type Tensor } from '@gated/tensor';
import type { CharModel, RecurrentState } from './char-model.js';

export interface CharTrainingOptions {
  /** Parallel streams per step. */
  readonly batch: number;
  /** Characters per stream per step (the truncation length of BPTT). */
  readonly seqLength: number;
  readonly learningRate: number;
  /** Gradient norm clip. */
  readonly clip: number;
  /** Share of the text (its end) held out for validation. */
  readonly validationFraction: number;
}

/** Where a training stands, on the host: enough to continue exactly on another backend. */
export interface TrainerPosition {
  readonly steps: number;
  readonly epoch: number;
  readonly chunk: number;
  /** The carried LSTM state (null at the start of a pass). */
  readonly state: { readonly h: HostTensor; readonly c: HostTensor } | null;
}

export const DEFAULT_TRAINING: CharTrainingOptions = { batch: 32, seqLength: 64, learningRate: 2e-3, clip: 5, validationFraction: 0.1 };

interface Streams {
  readonly ids: Int32Array;
  readonly batch: number;
  readonly length: number;
  readonly chunks: number;
}

function streams(ids: Int32Array, batch: number, seqLength: number): Streams {
  const length = Math.floor((ids.length - 1) / batch);
  return { ids, batch, length, chunks: Math.floor(length / seqLength) };
}

/** Inputs and next-character targets of chunk `k`, [batch, seqLength] int32 each. */
function chunkOf(s: Streams, k: number, seqLength: number): { x: Tensor; y: Tensor } {
  const x = new Int32Array(s.batch * seqLength);
  const y = new Int32Array(s.batch * seqLength);
  for (let b = 0; b < s.batch; b++) {
    for (let t = 0; t < seqLength; t++) {
      const at = b * s.length + k * seqLength + t;
      x[b * seqLength + t] = s.ids[at]!;
      y[b * seqLength + t] = s.ids[at + 1]!;
    }
  }
  const shape = [s.batch, seqLength];
  return { x: tensor(x, { shape, dtype: 'int32' }), y: tensor(y, { shape, dtype: 'int32' }) };
}

export class CharTrainer implements Disposable {
  readonly options: CharTrainingOptions;
  private readonly train: Streams;
  private readonly validation: Streams;
  private readonly optimizer: Adam;
  private state: RecurrentState | null = null;
  private chunk = 0;
  /** Updates taken so far. */
  steps = 0;
  /** Passes over the training text. */
  epoch = 0;

  constructor(
    readonly model: CharModel,
    text: string,
    options: Partial<CharTrainingOptions> = {},
  ) {
    this.options = { ...DEFAULT_TRAINING, ...options };
    const { batch, seqLength, validationFraction } = this.options;
    const ids = model.vocab.encode(text);
    const held = Math.floor(ids.length * validationFraction);
    const minimum = batch * seqLength + 1 + seqLength + 1;
    if (ids.length - held < batch * seqLength + 1 || held < seqLength + 1) {
      throw new GatedError(
        'CharTrainer',
        `the text has ${ids.length} characters; batch ${batch} × length ${seqLength} needs at least ${Math.ceil(minimum / (1 - validationFraction))}`,
      );
    }
    this.train = streams(ids.subarray(0, ids.length - held), batch, seqLength);
    const validationBatch = Math.max(1, Math.min(batch, Math.floor((held - 1) / seqLength)));
    this.validation = streams(ids.subarray(ids.length - held), validationBatch, seqLength);
    this.optimizer = new Adam(model.parameters(), { lr: this.options.learningRate });
  }

  get learningRate(): number {
    return this.optimizer.paramGroups[0]!.lr;
  }

  set learningRate(lr: number) {
    if (!(lr > 0 && lr < 1)) throw new GatedError('CharTrainer.learningRate', `must be in (0, 1), got ${String(lr)}`);
    for (const group of this.optimizer.paramGroups) group.lr = lr;
  }

  /** Updates per pass over the training text. */
  get chunksPerEpoch(): number {
    return this.train.chunks;
  }

  /** One update; resolves to its training loss (mean cross-entropy in nats per character). */
  async step(): Promise<number> {
    const { seqLength, clip } = this.options;
    const { model } = this;
    const { x, y } = chunkOf(this.train, this.chunk, seqLength);
    const carried = this.state;
    const { loss, state } = tidy(() => {
      const { logits, state: next } = model.forward(x, carried);
      const value = crossEntropy(reshape(logits, [-1, model.vocab.size]), reshape(y, [-1]));
      return { loss: value, state: { h: keep(next.h.detach()), c: keep(next.c.detach()) } };
    });
    dispose([x, y]);
    try {
      loss.backward();
      clipGradNorm(model.parameters(), clip).dispose();
      this.optimizer.step();
      this.optimizer.zeroGrad();
    } catch (error) {
      dispose([loss, state.h, state.c]);
      throw error;
    }
    if (carried) dispose([carried.h, carried.c]);
    this.state = state;
    this.steps++;
    this.chunk++;
    if (this.chunk >= this.train.chunks) {
      // A new pass starts every stream from its beginning: the carried state no longer applies.
      this.chunk = 0;
      this.epoch++;
      dispose([state.h, state.c]);
      this.state = null;
    }
    try {
      return await loss.item();
    } finally {
      loss.dispose();
    }
  }

  /** Mean validation loss over the first `maxChunks` chunks of the held-out text (state carried, no gradients). */
  async validate(maxChunks = Infinity): Promise<number> {
    return validationLoss(this.model, this.validation, this.options.seqLength, maxChunks);
  }

  /** Where training stands (the stream position and the carried state), on the host. */
  async position(): Promise<TrainerPosition> {
    const host = async (t: Tensor): Promise<HostTensor> => ({ dtype: t.dtype, shape: [...t.shape], data: await t.data() });
    const state = this.state ? { h: await host(this.state.h), c: await host(this.state.c) } : null;
    return { steps: this.steps, epoch: this.epoch, chunk: this.chunk, state };
  }

  /** Continues from a {@link position} taken on any backend (same text and options). */
  restore(position: TrainerPosition): void {
    if (!(Number.isInteger(position.chunk) && position.chunk >= 0 && position.chunk < this.train.chunks)) {
      throw new GatedError('CharTrainer.restore', `chunk ${position.chunk} is outside [0, ${this.train.chunks})`);
    }
    if (this.state) dispose([this.state.h, this.state.c]);
    const make = (t: HostTensor) => tensor(t.data, { shape: t.shape, dtype: t.dtype });
    this.state = position.state ? { h: make(position.state.h), c: make(position.state.c) } : null;
    this.steps = position.steps;
    this.epoch = position.epoch;
    this.chunk = position.chunk;
  }

  /** The optimizer, for moving its state with the model. */
  get adam(): Adam {
    return this.optimizer;
  }

  dispose(): void {
    if (this.state) dispose([this.state.h, this.state.c]);
    this.state = null;
    this.optimizer.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

async function validationLoss(model: CharModel, s: Streams, seqLength: number, maxChunks: number): Promise<number> {
  const chunks = Math.min(s.chunks, maxChunks);
  let state: RecurrentState | null = null;
  let total = 0;
  try {
    for (let k = 0; k < chunks; k++) {
      const { x, y } = chunkOf(s, k, seqLength);
      const carried: RecurrentState | null = state;
      const { loss, next } = noGrad(() =>
        tidy(() => {
          const out = model.forward(x, carried);
          const value = crossEntropy(reshape(out.logits, [-1, model.vocab.size]), reshape(y, [-1]));
          return { loss: value, next: out.state };
        }),
      );
      dispose([x, y]);
      if (carried) dispose([carried.h, carried.c]);
      state = next;
      total += await loss.item();
      loss.dispose();
    }
  } finally {
    if (state) dispose([state.h, state.c]);
  }
  return total / chunks;
}

/**
 * What the char-LM example and the soak run share: batches for truncated backpropagation through
 * time (docs/lstm.md) and one training step of Embedding → LSTM → Linear → cross-entropy.
 */
import { crossEntropy, type Embedding, type LSTM, type Linear } from '@gated/lstm';
import { clipGradNorm, type Optimizer } from '@gated/optim';
import { dispose, keep, reshape, tensor, tidy, type Tensor } from '@gated/tensor';

/** Truncated-BPTT batches of a character sequence: `batch` parallel streams read `steps` at a time. */
export interface Chunks {
  /** Chunks in one pass over the text. */
  readonly perEpoch: number;
  /** Inputs and next-character targets of chunk `k`: [batch, steps] int32 each. */
  readonly chunk: (k: number) => { x: Tensor; y: Tensor };
}

/**
 * Cuts `ids` into `batch` streams (stream b starts at b·streamLength) and serves chunk k of every
 * stream as one batch, so that the state carried from chunk k to k + 1 continues each stream.
 */
export function chunksOf(ids: ArrayLike<number>, batch: number, steps: number): Chunks {
  const streamLength = Math.floor((ids.length - 1) / batch);
  return {
    perEpoch: Math.floor(streamLength / steps),
    chunk: (k: number) => {
      const x = new Int32Array(batch * steps);
      const y = new Int32Array(batch * steps);
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < steps; t++) {
          const at = b * streamLength + k * steps + t;
          x[b * steps + t] = ids[at]!;
          y[b * steps + t] = ids[at + 1]!;
        }
      }
      return { x: tensor(x, { shape: [batch, steps], dtype: 'int32' }), y: tensor(y, { shape: [batch, steps], dtype: 'int32' }) };
    },
  };
}

/** The char-LM's modules and optimizer. */
export interface CharModel {
  readonly embed: Embedding;
  readonly lstm: LSTM;
  readonly head: Linear;
  readonly parameters: readonly Tensor[];
  readonly optimizer: Optimizer;
}

/** The LSTM state carried from one chunk to the next. */
export type CarriedState = { readonly h: Tensor; readonly c: Tensor } | null;

/**
 * One update on chunk (x, y) from the `carried` state: forward, cross-entropy over every
 * position, backward, gradient norm clipped to 1, an optimizer step. Frees x, y and `carried`;
 * returns the loss (the caller reads and disposes it) and the detached state for the next chunk.
 */
export function trainStep(model: CharModel, x: Tensor, y: Tensor, carried: CarriedState): { loss: Tensor; state: CarriedState } {
  const [batch, steps] = x.shape as [number, number];
  const { loss, h, c } = tidy(() => {
    const result = model.lstm.forward(model.embed.forward(x), carried ? { h0: carried.h, c0: carried.c } : {});
    const logits = model.head.forward(result.output);
    const vocabulary = logits.shape[logits.rank - 1]!;
    const value = crossEntropy(reshape(logits, [batch * steps, vocabulary]), reshape(y, [batch * steps]));
    // Truncated BPTT: the next chunk starts from these states, cut off from this graph.
    return { loss: value, h: keep(result.h.detach()), c: keep(result.c.detach()) };
  });
  loss.backward();
  clipGradNorm([...model.parameters], 1).dispose();
  model.optimizer.step();
  model.optimizer.zeroGrad();
  dispose([x, y, carried]);
  return { loss, state: { h, c } };
}

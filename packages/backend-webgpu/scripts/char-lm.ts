/**
 * A character-level LSTM language model trained on whatever backend is active: Embedding → LSTM →
 * Linear → crossEntropy, Adam with gradient clipping, truncated BPTT with the state carried
 * across chunks (the recipe of docs/lstm.md and examples/src/char-lm.ts). Shared by the long-run
 * script and its bounded test.
 */
import '@gated/autograd';
import { CharVocab, Embedding, LSTM, Linear, crossEntropy } from '@gated/lstm';
import { Adam, clipGradNorm } from '@gated/optim';
import { dispose, keep, reshape, tensor, tidy, type Tensor } from '@gated/tensor';

/** Shakespeare, Sonnet 18 (public domain). */
export const SONNET = `Shall I compare thee to a summer's day?
Thou art more lovely and more temperate:
Rough winds do shake the darling buds of May,
And summer's lease hath all too short a date;
Sometime too hot the eye of heaven shines,
And often is his gold complexion dimm'd;
And every fair from fair sometime declines,
By chance or nature's changing course untrimm'd;
But thy eternal summer shall not fade,
Nor lose possession of that fair thou ow'st;
Nor shall death brag thou wander'st in his shade,
When in eternal lines to time thou grow'st:
So long as men can breathe or eyes can see,
So long lives this, and this gives life to thee.`;

export interface CharLmOptions {
  readonly batch: number;
  readonly steps: number;
  readonly hidden: number;
  readonly embedding: number;
}

export interface CharLm {
  /** One update on the next chunk (wrapping around the text); returns the loss, not read back. */
  train(): Tensor;
  readonly parameters: number;
  dispose(): void;
}

export function createCharLm(options: CharLmOptions): CharLm {
  const { batch, steps, hidden, embedding } = options;
  const vocab = CharVocab.fromText(SONNET);
  const ids = vocab.encode(SONNET);
  const streamLength = Math.floor((ids.length - 1) / batch);
  const chunks = Math.max(1, Math.floor(streamLength / steps));
  const embed = new Embedding(vocab.size, embedding, { seed: 1 });
  const lstm = new LSTM({ inputSize: embedding, hiddenSize: hidden, batchFirst: true, seed: 2 });
  const head = new Linear(hidden, vocab.size, { seed: 3 });
  const params = [...embed.parameters(), ...lstm.parameters(), ...head.parameters()];
  const optimizer = new Adam(params, { lr: 0.01 });
  let state: { h: Tensor; c: Tensor } | null = null;
  let k = 0;

  const chunk = (index: number): { x: Tensor; y: Tensor } => {
    const x = new Int32Array(batch * steps);
    const y = new Int32Array(batch * steps);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < steps; t++) {
        const at = (b * streamLength + index * steps + t) % (ids.length - 1);
        x[b * steps + t] = ids[at]!;
        y[b * steps + t] = ids[at + 1]!;
      }
    }
    return { x: tensor(x, { shape: [batch, steps], dtype: 'int32' }), y: tensor(y, { shape: [batch, steps], dtype: 'int32' }) };
  };

  return {
    parameters: params.reduce((n, p) => n + p.size, 0),
    train() {
      if (k % chunks === 0) {
        dispose(state);
        state = null;
      }
      const { x, y } = chunk(k % chunks);
      k++;
      const carried: { h: Tensor; c: Tensor } | null = state;
      const result = tidy(() => {
        const out = lstm.forward(embed.forward(x), carried ? { h0: carried.h, c0: carried.c } : {});
        const logits = head.forward(out.output);
        const loss = crossEntropy(reshape(logits, [batch * steps, vocab.size]), reshape(y, [batch * steps]));
        return { loss, h: keep(out.h.detach()), c: keep(out.c.detach()) };
      });
      result.loss.backward();
      clipGradNorm(params, 1).dispose();
      optimizer.step();
      optimizer.zeroGrad();
      dispose([x, y, carried]);
      state = { h: result.h, c: result.c };
      return result.loss;
    },
    dispose() {
      dispose(state);
      optimizer.dispose();
      for (const module of [embed, lstm, head]) module.dispose();
    },
  };
}

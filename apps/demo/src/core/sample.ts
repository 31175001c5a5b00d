/**
 * Sampling text from a {@link CharModel}: feed the prompt, then draw one character at a time from
 * softmax(logits / temperature), carrying the LSTM state.
 */
import { noGrad } from '@gated/autograd';
import { GatedError, dispose, reshape, softmax, tensor, tidy, div } from '@gated/tensor';
import type { CharModel, RecurrentState } from './char-model.js';
import type { Rng } from './rng.js';

/** Keeps the characters of `text` the model knows; `dropped` counts the others. */
export function knownText(model: CharModel, text: string): { text: string; dropped: number } {
  const known = new Set(model.vocab.chars);
  const kept = Array.from(text).filter((ch) => known.has(ch));
  return { text: kept.join(''), dropped: Array.from(text).length - kept.length };
}

/** Draws an index from `weights` (non-negative, not necessarily normalized). */
export function draw(weights: ArrayLike<number>, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  let u = rng.next() * total;
  for (let i = 0; i < weights.length - 1; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/**
 * `length` characters after `prompt`. Temperature in (0, 2]: lower is more conservative.
 *
 * @example
 * ```ts
 * const text = await sampleText(model, 'ROMEO:', 200, 0.7, new Rng(1));
 * ```
 */
export async function sampleText(model: CharModel, prompt: string, length: number, temperature: number, rng: Rng): Promise<string> {
  if (!(temperature > 0 && temperature <= 2))
    throw new GatedError('sampleText', `temperature must be in (0, 2], got ${String(temperature)}`);
  const start = knownText(model, prompt).text || model.vocab.chars[0]!;
  let next = model.vocab.encode(start);
  let state: RecurrentState | null = null;
  let out = '';
  try {
    for (let i = 0; i < length; i++) {
      const input = tensor(next, { shape: [1, next.length], dtype: 'int32' });
      const previous: RecurrentState | null = state;
      const step = noGrad(() =>
        tidy(() => {
          const { logits, state: s } = model.forward(input, previous);
          const last = reshape(logits, [next.length, model.vocab.size]);
          return { probabilities: softmax(div(last, temperature), -1), state: s };
        }),
      );
      dispose([input]);
      if (previous) dispose([previous.h, previous.c]);
      state = step.state;
      const probabilities = await step.probabilities.data();
      step.probabilities.dispose();
      const choice = draw(probabilities.subarray((next.length - 1) * model.vocab.size), rng);
      out += model.vocab.chars[choice]!;
      next = Int32Array.of(choice);
    }
  } finally {
    if (state) dispose([state.h, state.c]);
  }
  return out;
}

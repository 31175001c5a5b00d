/**
 * A character-level language model: Embedding → LSTM → Linear → crossEntropy, trained on a short
 * public-domain text (five of Shakespeare's sonnets) with Adam on the TypeScript backend. It uses the truncated-BPTT recipe of
 * docs/lstm.md: the text is cut into `batch` parallel streams, each step reads the next
 * `steps` characters of every stream, and the LSTM's state is carried from one step to the next
 * with `detach()`, so it remembers across chunks while gradients stop at the chunk boundary.
 * Every few hundred steps it prints a sample, so you can watch it learn to spell.
 *
 *   pnpm --filter @gated/examples char-lm        (about 30 s on two cores)
 */
import { createTsBackend } from '@gated/backend-ts';
import { chunksOf, trainStep, type CarriedState } from './training.js';
import { TEXT } from './sonnets.js';
import { CharVocab, Embedding, LSTM, Linear } from '@gated/lstm';
import { Adam } from '@gated/optim';
import { dispose, memory, registerBackend, reshape, setBackend, softmax, tensor, tidy, type Tensor } from '@gated/tensor';

registerBackend('ts', createTsBackend);
await setBackend('ts');

const vocab = CharVocab.fromText(TEXT);
const ids = vocab.encode(TEXT);
const batch = 16;
const steps = 32;
const { perEpoch: chunksPerEpoch, chunk } = chunksOf(ids, batch, steps);
const epochs = 60;
const hiddenSize = 96;

const embed = new Embedding(vocab.size, 24, { seed: 1 });
const lstm = new LSTM({ inputSize: 24, hiddenSize, batchFirst: true, seed: 2 });
const head = new Linear(hiddenSize, vocab.size, { seed: 3 });
const parameters = [...embed.parameters(), ...lstm.parameters(), ...head.parameters()];
const optimizer = new Adam(parameters, { lr: 0.01 });
const model = { embed, lstm, head, parameters, optimizer };

/** A small seeded generator for sampling (mulberry32). */
let sampleState = 12345;
function random(): number {
  sampleState = (sampleState + 0x6d2b79f5) >>> 0;
  let t = sampleState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Generates `length` characters after `prompt`, one step at a time, carrying the LSTM state. */
async function sample(prompt: string, length: number, temperature = 0.6): Promise<string> {
  lstm.eval();
  let state: { h: Tensor; c: Tensor } | null = null;
  let out = prompt;
  let next = vocab.encode(prompt);
  for (let i = 0; i < length; i++) {
    const input = tensor(next, { shape: [1, next.length], dtype: 'int32' });
    const previous: { h: Tensor; c: Tensor } | null = state;
    const step = tidy(() => {
      const result = lstm.forward(embed.forward(input), previous ? { h0: previous.h, c0: previous.c } : {});
      const last = reshape(result.output, [next.length, hiddenSize]);
      const probabilities = softmax(head.forward(last), -1);
      return { h: result.h, c: result.c, probabilities };
    });
    dispose([input, previous]);
    state = { h: step.h, c: step.c };
    const probabilities = await step.probabilities.data();
    step.probabilities.dispose();
    // Temperature: p^(1/T), renormalized; then draw from the last position's distribution.
    const row = probabilities.subarray((next.length - 1) * vocab.size);
    const weights = Array.from(row, (p) => p ** (1 / temperature));
    let u = random() * weights.reduce((a, b) => a + b, 0);
    let choice = 0;
    while (choice < weights.length - 1 && (u -= weights[choice]!) > 0) choice++;
    out += vocab.chars[choice]!;
    next = Int32Array.of(choice);
  }
  dispose(state);
  lstm.train();
  return out;
}

console.log(
  `${TEXT.length} characters, vocabulary of ${vocab.size}; ${batch} streams × ${steps} steps per update, ${chunksPerEpoch} updates per epoch`,
);
console.log(
  `model: Embedding(${vocab.size}, 24) → LSTM(24, ${hiddenSize}) → Linear(${hiddenSize}, ${vocab.size}), ${parameters.reduce((n, p) => n + p.size, 0)} parameters\n`,
);

const started = performance.now();
let update = 0;
let firstLoss = NaN;
let recent: number[] = [];
let lastMean = NaN;
for (let epoch = 0; epoch < epochs; epoch++) {
  let state: CarriedState = null;
  for (let k = 0; k < chunksPerEpoch; k++) {
    const { x, y } = chunk(k);
    // Truncated BPTT: forward from the carried state, backward, clip, step (training.ts).
    const step = trainStep(model, x, y, state);
    const loss = step.loss;
    state = step.state;
    const value = await loss.item();
    loss.dispose();
    if (update === 0) firstLoss = value;
    recent.push(value);
    update++;
    if (update % 30 === 0) {
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      recent = [];
      lastMean = mean;
      console.log(
        `update ${String(update).padStart(4)}  epoch ${String(epoch + 1).padStart(2)}  loss ${mean.toFixed(3)}  (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
    if (update % 90 === 0) console.log(`  sample: ${JSON.stringify(await sample('Shall ', 60))}`);
  }
  dispose(state);
}
const elapsed = (performance.now() - started) / 1000;
const finalSample = await sample('So long ', 120, 0.5);
console.log(
  `\nloss ${firstLoss.toFixed(3)} (first update) → ${lastMean.toFixed(3)} (mean of the last 30) in ${update} updates, ${elapsed.toFixed(1)} s`,
);
console.log(`final sample: ${JSON.stringify(finalSample)}`);
optimizer.dispose();
for (const m of [embed, lstm, head]) m.dispose();
console.log(`live tensors after disposing everything: ${memory().numTensors}`);

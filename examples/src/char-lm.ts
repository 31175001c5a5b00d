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
import { CharVocab, Embedding, LSTM, Linear, crossEntropy } from '@gated/lstm';
import { Adam, clipGradNorm } from '@gated/optim';
import {
  dispose,
  keep,
  memory,
  registerBackend,
  reshape,
  setBackend,
  softmax,
  tensor,
  tidy,
  type Tensor,
} from '@gated/tensor';

registerBackend('ts', createTsBackend);
await setBackend('ts');

const TEXT = `
Shall I compare thee to a summer's day?
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
So long lives this, and this gives life to thee.

When, in disgrace with fortune and men's eyes,
I all alone beweep my outcast state,
And trouble deaf heaven with my bootless cries,
And look upon myself and curse my fate,
Wishing me like to one more rich in hope,
Featured like him, like him with friends possessed,
Desiring this man's art and that man's scope,
With what I most enjoy contented least;
Yet in these thoughts myself almost despising,
Haply I think on thee, and then my state,
Like to the lark at break of day arising
From sullen earth, sings hymns at heaven's gate;
For thy sweet love remembered such wealth brings
That then I scorn to change my state with kings.

That time of year thou mayst in me behold
When yellow leaves, or none, or few, do hang
Upon those boughs which shake against the cold,
Bare ruined choirs, where late the sweet birds sang.
In me thou see'st the twilight of such day
As after sunset fadeth in the west,
Which by and by black night doth take away,
Death's second self, that seals up all in rest.
In me thou see'st the glowing of such fire
That on the ashes of his youth doth lie,
As the death-bed whereon it must expire,
Consumed with that which it was nourished by.
This thou perceiv'st, which makes thy love more strong,
To love that well which thou must leave ere long.

Let me not to the marriage of true minds
Admit impediments. Love is not love
Which alters when it alteration finds,
Or bends with the remover to remove:
O no! it is an ever-fixed mark
That looks on tempests and is never shaken;
It is the star to every wandering bark,
Whose worth's unknown, although his height be taken.
Love's not Time's fool, though rosy lips and cheeks
Within his bending sickle's compass come;
Love alters not with his brief hours and weeks,
But bears it out even to the edge of doom.
If this be error and upon me proved,
I never writ, nor no man ever loved.

My mistress' eyes are nothing like the sun;
Coral is far more red than her lips' red;
If snow be white, why then her breasts are dun;
If hairs be wires, black wires grow on her head.
I have seen roses damasked, red and white,
But no such roses see I in her cheeks;
And in some perfumes is there more delight
Than in the breath that from my mistress reeks.
I love to hear her speak, yet well I know
That music hath a far more pleasing sound;
I grant I never saw a goddess go;
My mistress, when she walks, treads on the ground.
And yet, by heaven, I think my love as rare
As any she belied with false compare.
`.trim();

const vocab = CharVocab.fromText(TEXT);
const ids = vocab.encode(TEXT);
const batch = 16;
const steps = 32;
const streamLength = Math.floor((ids.length - 1) / batch);
const chunksPerEpoch = Math.floor(streamLength / steps);
const epochs = 60;
const hiddenSize = 96;

const embed = new Embedding(vocab.size, 24, { seed: 1 });
const lstm = new LSTM({ inputSize: 24, hiddenSize, batchFirst: true, seed: 2 });
const head = new Linear(hiddenSize, vocab.size, { seed: 3 });
const parameters = [...embed.parameters(), ...lstm.parameters(), ...head.parameters()];
const optimizer = new Adam(parameters, { lr: 0.01 });

/** Inputs and next-character targets of chunk `k`: [batch, steps] int32 each, stream b starting at b·streamLength. */
function chunk(k: number): { x: Tensor; y: Tensor } {
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
}

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

console.log(`${TEXT.length} characters, vocabulary of ${vocab.size}; ${batch} streams × ${steps} steps per update, ${chunksPerEpoch} updates per epoch`);
console.log(`model: Embedding(${vocab.size}, 24) → LSTM(24, ${hiddenSize}) → Linear(${hiddenSize}, ${vocab.size}), ${parameters.reduce((n, p) => n + p.size, 0)} parameters\n`);

const started = performance.now();
let update = 0;
let firstLoss = NaN;
let recent: number[] = [];
let lastMean = NaN;
for (let epoch = 0; epoch < epochs; epoch++) {
  let state: { h: Tensor; c: Tensor } | null = null;
  for (let k = 0; k < chunksPerEpoch; k++) {
    const { x, y } = chunk(k);
    const carried: { h: Tensor; c: Tensor } | null = state;
    const { loss, h, c } = tidy(() => {
      const result = lstm.forward(embed.forward(x), carried ? { h0: carried.h, c0: carried.c } : {});
      const logits = head.forward(result.output);
      const value = crossEntropy(reshape(logits, [batch * steps, vocab.size]), reshape(y, [batch * steps]));
      // Truncated BPTT: the next chunk starts from these states, cut off from this graph.
      return { loss: value, h: keep(result.h.detach()), c: keep(result.c.detach()) };
    });
    loss.backward();
    clipGradNorm(parameters, 1).dispose();
    optimizer.step();
    optimizer.zeroGrad();
    dispose([x, y, carried]);
    state = { h, c };
    const value = await loss.item();
    loss.dispose();
    if (update === 0) firstLoss = value;
    recent.push(value);
    update++;
    if (update % 30 === 0) {
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      recent = [];
      lastMean = mean;
      console.log(`update ${String(update).padStart(4)}  epoch ${String(epoch + 1).padStart(2)}  loss ${mean.toFixed(3)}  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    if (update % 90 === 0) console.log(`  sample: ${JSON.stringify(await sample('Shall ', 60))}`);
  }
  dispose(state);
}
const elapsed = (performance.now() - started) / 1000;
const finalSample = await sample('So long ', 120, 0.5);
console.log(`\nloss ${firstLoss.toFixed(3)} (first update) → ${lastMean.toFixed(3)} (mean of the last 30) in ${update} updates, ${elapsed.toFixed(1)} s`);
console.log(`final sample: ${JSON.stringify(finalSample)}`);
optimizer.dispose();
for (const m of [embed, lstm, head]) m.dispose();
console.log(`live tensors after disposing everything: ${memory().numTensors}`);

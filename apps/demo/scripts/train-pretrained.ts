/**
 * Trains the demo's pretrained character model on tinyshakespeare with Gated itself (the wasm
 * backend in Node), from a seed, and writes model/pretrained.safetensors and its card
 * model/pretrained.json (hyperparameters, losses, time, machine). The same seed and options give
 * the same weights bit for bit: the data order is fixed, plain SIMD is pinned, and backend-wasm's
 * results do not depend on the thread count (checked: 20 steps with 1 and 2 threads wrote
 * identical files).
 *
 *   pnpm --filter @gated/demo train:pretrained [--steps 3000] [--hidden 256] [--layers 1] [--threads 2]
 */
import { writeFile, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { createWasmBackend } from '@gated/backend-wasm';
import { CharVocab } from '@gated/lstm';
import { memory, registerBackend, setBackend } from '@gated/tensor';
import { CharModel } from '../src/core/char-model.js';
import { CharTrainer } from '../src/core/char-trainer.js';
import { Rng } from '../src/core/rng.js';
import { sampleText } from '../src/core/sample.js';
import type { PretrainedCard } from '../src/core/card.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '3000' },
    hidden: { type: 'string', default: '256' },
    layers: { type: 'string', default: '1' },
    embed: { type: 'string', default: '32' },
    batch: { type: 'string', default: '32' },
    length: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.003' },
    seed: { type: 'string', default: '2024' },
    threads: { type: 'string', default: '2' },
    out: { type: 'string', default: new URL('../model/pretrained', import.meta.url).pathname },
  },
});
const steps = Number(values.steps);
const seed = Number(values.seed);
const threads = Number(values.threads);
const lrPeak = Number(values.lr);

// Plain SIMD, always: relaxed SIMD fuses multiply-adds (different last bits), and 'auto' would
// pick it on Node ≥ 22, so the same command would give other weights there.
registerBackend('wasm', () => createWasmBackend({ numThreads: threads, simd: 'simd' }));
await setBackend('wasm');

const text = await readFile(new URL('../data/tinyshakespeare.txt', import.meta.url), 'utf8');
const vocab = CharVocab.fromText(text);
const model = new CharModel(
  { chars: vocab.chars.join(''), embedSize: Number(values.embed), hiddenSize: Number(values.hidden), numLayers: Number(values.layers) },
  seed,
);
const trainer = new CharTrainer(model, text, { batch: Number(values.batch), seqLength: Number(values.length), learningRate: lrPeak });
const log = (line: string) => {
  console.log(`${new Date().toISOString()} ${line}`);
};
log(
  `${text.length} characters, vocabulary ${vocab.size}, ${model.size} parameters, ${trainer.chunksPerEpoch} updates per epoch, ${steps} updates, ${threads} thread(s)`,
);

const curve: PretrainedCard['curve'] = [];
const started = performance.now();
let window: number[] = [];
for (let step = 1; step <= steps; step++) {
  // Linear decay to a tenth of the peak over the run: the last updates refine instead of jump.
  trainer.learningRate = lrPeak * (1 - (0.9 * (step - 1)) / steps);
  window.push(await trainer.step());
  if (step % 100 === 0 || step === steps) {
    const train = window.reduce((a, b) => a + b, 0) / window.length;
    window = [];
    const validation = await trainer.validate(step === steps ? Infinity : 8);
    curve.push({ step, train, validation });
    log(
      `step ${step}  epoch ${trainer.epoch}  train ${train.toFixed(4)}  val ${validation.toFixed(4)}  (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
}
const seconds = (performance.now() - started) / 1000;
const validationLoss = curve.at(-1)!.validation;
const sample = await sampleText(model, 'ROMEO:\n', 300, 0.7, new Rng(seed));
log(`sample: ${JSON.stringify(sample)}`);

const card: PretrainedCard = {
  name: 'tinyshakespeare char-LSTM',
  corpus: 'tinyshakespeare.txt (data/README.md), last 10% held out for validation',
  architecture: `Embedding(${vocab.size}, ${model.config.embedSize}) → LSTM(${model.config.embedSize}, ${model.config.hiddenSize}, numLayers=${model.config.numLayers}) → Linear(${model.config.hiddenSize}, ${vocab.size})`,
  parameters: model.size,
  config: model.config,
  training: {
    seed,
    steps,
    batch: trainer.options.batch,
    seqLength: trainer.options.seqLength,
    optimizer: 'Adam',
    learningRate: `${lrPeak}, linear decay to ${Number((lrPeak / 10).toPrecision(3))}`,
    clipGradNorm: trainer.options.clip,
    epochs: Number((steps / trainer.chunksPerEpoch).toFixed(2)),
    backend: `wasm (@gated/backend-wasm in Node ${process.version}, ${threads} thread(s))`,
  },
  validationLoss,
  validationPerplexity: Math.exp(validationLoss),
  trainingSeconds: Math.round(seconds),
  machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores (shared with other jobs while it ran)`,
  script: 'apps/demo/scripts/train-pretrained.ts',
  command: `pnpm --filter @gated/demo train:pretrained --steps ${steps} --hidden ${values.hidden} --layers ${values.layers} --embed ${values.embed} --batch ${values.batch} --length ${values.length} --lr ${values.lr} --seed ${seed}`,
  sample,
  curve,
};
await writeFile(`${values.out}.safetensors`, await model.toSafetensors({ card: 'pretrained.json' }));
await writeFile(`${values.out}.json`, `${JSON.stringify(card, null, 2)}\n`);
log(
  `wrote ${values.out}.safetensors and .json; validation loss ${validationLoss.toFixed(4)} (perplexity ${Math.exp(validationLoss).toFixed(2)}) in ${seconds.toFixed(0)} s`,
);
trainer.dispose();
model.dispose();
log(`live tensors at the end: ${memory().numTensors}`);

// A plain Node script that serves a character-level LSTM exported by @gated/onnx with
// onnxruntime-node alone: no Gated, no TypeScript. It prints the next-character probabilities
// after a prompt as JSON.
//
//   node next-char.mjs char-lm.onnx vocab.json "Shall I compare"
//
// vocab.json is the model's characters in id order (CharVocab's `chars`), e.g. ["\n", " ", "!", ...].
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [modelPath, vocabPath, prompt] = process.argv.slice(2);
if (!modelPath || !vocabPath || prompt === undefined) {
  console.error('usage: node next-char.mjs MODEL.onnx VOCAB.json PROMPT');
  process.exit(2);
}
const chars = JSON.parse(readFileSync(vocabPath, 'utf8'));
const ids = Int32Array.from(prompt, (ch) => {
  const id = chars.indexOf(ch);
  if (id < 0) throw new Error(`"${ch}" is not in the vocabulary`);
  return id;
});

const session = await ort.InferenceSession.create(modelPath);
// One sequence of the prompt's length: [batch 1, T] token ids (int32, the export's default).
const { output } = await session.run({ input: new ort.Tensor('int32', ids, [1, ids.length]) });
const vocab = chars.length;
const logits = output.data.subarray((ids.length - 1) * vocab, ids.length * vocab);
// Softmax of the last position's logits, in float64.
const top = Math.max(...logits);
const exps = Array.from(logits, (v) => Math.exp(v - top));
const total = exps.reduce((a, b) => a + b, 0);
const probabilities = exps.map((e) => e / total);
console.log(JSON.stringify({ prompt, probabilities }));
await session.release();

/**
 * The acceptance of issue 17, as a new user would do it from the package README: the examples'
 * character-level LM (Embedding → LSTM(batch-first) → Linear, the sizes of
 * examples/src/char-lm.ts), trained a little, exported, and served by a plain Node script
 * (examples/next-char.mjs, onnxruntime-node only) in a child process: its next-character
 * probabilities equal Gated's to 1e-5.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CharVocab, Embedding, LSTM, Linear, crossEntropy } from '@gated/lstm';
import { dispose, mul, reshape, softmax, sub, tensor, tidy } from '@gated/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../src/index.js';
import { expectClose, useTsBackend } from './helpers.js';

const TEXT = `Shall I compare thee to a summer's day?
Thou art more lovely and more temperate:
Rough winds do shake the darling buds of May,
And summer's lease hath all too short a date;`;

const dir = mkdtempSync(join(tmpdir(), 'gated-onnx-'));
beforeAll(useTsBackend);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('acceptance: the char-LM served by onnxruntime-node from a plain script', () => {
  it('gives the same next-character probabilities to 1e-5', async () => {
    const vocab = CharVocab.fromText(TEXT);
    const embed = new Embedding(vocab.size, 24, { seed: 1 });
    const lstm = new LSTM({ inputSize: 24, hiddenSize: 96, batchFirst: true, seed: 2 });
    const head = new Linear(96, vocab.size, { seed: 3 });
    const parameters = [...embed.parameters(), ...lstm.parameters(), ...head.parameters()];
    // A few plain gradient steps, so the weights are a trained model's rather than the initial ones.
    const ids = vocab.encode(TEXT);
    const x = tensor(ids.subarray(0, 64), { shape: [1, 64], dtype: 'int32' });
    const y = tensor(ids.subarray(1, 65), { shape: [64], dtype: 'int32' });
    for (let step = 0; step < 5; step++) {
      const loss = tidy(() => crossEntropy(reshape(head.forward(lstm.forward(embed.forward(x)).output), [64, vocab.size]), y));
      loss.backward();
      loss.dispose();
      for (const p of parameters) {
        const next = tidy(() => sub(p, mul(p.grad!, 0.5)));
        p.assign(next);
        next.dispose();
        p.grad!.dispose();
        p.grad = null;
      }
    }
    dispose([x, y]);

    // What the README shows: export, then save the vocabulary beside the model.
    for (const m of [embed, lstm, head]) m.eval();
    const bytes = await exportOnnx([embed, lstm, head], { inputShape: [1, 16] });
    writeFileSync(join(dir, 'char-lm.onnx'), bytes);
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab.chars));

    const script = fileURLToPath(new URL('../examples/next-char.mjs', import.meta.url));
    for (const prompt of ['Shall I compare', 'R', 'And summer']) {
      const stdout = execFileSync(process.execPath, [script, join(dir, 'char-lm.onnx'), join(dir, 'vocab.json'), prompt], {
        encoding: 'utf8',
      });
      const served = (JSON.parse(stdout) as { probabilities: number[] }).probabilities;
      const input = tensor(vocab.encode(prompt), { shape: [1, prompt.length], dtype: 'int32' });
      const probabilities = tidy(() =>
        softmax(reshape(head.forward(lstm.forward(embed.forward(input)).output), [prompt.length, vocab.size]), -1),
      );
      const all = await probabilities.data();
      const expected = all.subarray((prompt.length - 1) * vocab.size);
      expect(served.length).toBe(vocab.size);
      expectClose(served, expected);
      dispose([input, probabilities]);
    }
    for (const m of [embed, lstm, head]) m.dispose();
  });
});
